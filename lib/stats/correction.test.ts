import { describe, expect, it } from "vitest";
import { adjustPValues, benjaminiHochberg, holm } from "./correction";
import { expectClose, fixtures } from "./fixtures";

describe("corrections against fixtures.json (statsmodels multipletests)", () => {
  it.each(fixtures.correction)("holm: $name", ({ pValues, holm: want, holmRejectAt05 }) => {
    const got = adjustPValues(pValues, "holm");
    got.forEach((p, i) => expectClose(p, want[i]!, `p̃[${i}]`));
    expect(got.map((p) => p <= 0.05)).toEqual(holmRejectAt05);
  });

  it.each(fixtures.correction)("fdr_bh: $name", ({ pValues, bh: want, bhRejectAt05 }) => {
    const got = adjustPValues(pValues, "bh");
    got.forEach((p, i) => expectClose(p, want[i]!, `p̃[${i}]`));
    expect(got.map((p) => p <= 0.05)).toEqual(bhRejectAt05);
  });
});

describe("corrections", () => {
  it("never lower a p-value, and Holm is never below Benjamini–Hochberg", () => {
    for (const { pValues } of fixtures.correction) {
      const h = holm(pValues);
      const b = benjaminiHochberg(pValues);
      pValues.forEach((p, i) => {
        expect(b[i]).toBeGreaterThanOrEqual(p);
        expect(h[i]).toBeGreaterThanOrEqual(b[i]!);
      });
    }
  });

  it("leave a single p-value alone and return [] for none", () => {
    expect(holm([0.03])).toEqual([0.03]);
    expect(benjaminiHochberg([])).toEqual([]);
  });

  it("refuse p-values outside [0, 1], NaN included", () => {
    expect(() => holm([0.1, Number.NaN])).toThrow(RangeError);
    expect(() => benjaminiHochberg([1.2])).toThrow(RangeError);
  });
});
