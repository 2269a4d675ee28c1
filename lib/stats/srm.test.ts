import { describe, expect, it } from "vitest";
import { expectClose, fixtures } from "./fixtures";
import { sampleRatioMismatch } from "./srm";

describe("sampleRatioMismatch against fixtures.json (scipy.stats.chisquare)", () => {
  it.each(fixtures.srm)("$name", ({ counts, weights, expected }) => {
    const r = sampleRatioMismatch(counts, weights);
    expectClose(r.statistic, expected.statistic, "χ²");
    expect(r.df).toBe(expected.df);
    expectClose(r.pValue, expected.pValue, "p-value");
    r.observedShares.forEach((s, i) => expectClose(s, expected.observedShares[i]!, `observed share ${i}`));
    r.expectedShares.forEach((s, i) => expectClose(s, expected.expectedShares[i]!, `expected share ${i}`));
    expect(r.mismatch).toBe(expected.mismatch);
  });

  it("the table holds both outcomes, so the flag is tested both ways", () => {
    expect(new Set(fixtures.srm.map((c) => c.expected.mismatch))).toEqual(new Set([true, false]));
  });
});

describe("sampleRatioMismatch", () => {
  it("flags users in a zero-weight variant outright", () => {
    const r = sampleRatioMismatch([5000, 3, 5000], [1, 0, 1]);
    expect(r).toMatchObject({ statistic: Infinity, pValue: 0, mismatch: true, df: 1 });
  });

  it("accepts a single live variant: fine while everyone is in it", () => {
    expect(sampleRatioMismatch([300], [1])).toMatchObject({ statistic: 0, df: 0, pValue: 1, mismatch: false });
    expect(sampleRatioMismatch([300, 0], [1, 0])).toMatchObject({ pValue: 1, mismatch: false });
    expect(sampleRatioMismatch([300, 2], [1, 0])).toMatchObject({ pValue: 0, mismatch: true });
  });

  it("takes its own threshold, not the confidence level", () => {
    // 530 vs 470 of 1,000: p ≈ 0.058, no alarm at 0.001, an alarm at 0.1.
    expect(sampleRatioMismatch([530, 470], [1, 1]).mismatch).toBe(false);
    expect(sampleRatioMismatch([530, 470], [1, 1], { threshold: 0.1 }).mismatch).toBe(true);
  });

  it("refuses malformed input", () => {
    expect(() => sampleRatioMismatch([1, 2], [1])).toThrow(RangeError);
    expect(() => sampleRatioMismatch([1, -2], [1, 1])).toThrow(RangeError);
    expect(() => sampleRatioMismatch([1.5, 2], [1, 1])).toThrow(RangeError);
    expect(() => sampleRatioMismatch([0, 0], [1, 1])).toThrow(RangeError);
    expect(() => sampleRatioMismatch([3, 1], [0, 0])).toThrow(RangeError);
  });
});
