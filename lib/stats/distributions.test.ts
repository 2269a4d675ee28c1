import { describe, it } from "vitest";
import { chiSquareSf, normalCdf, normalQuantile, tCdf, tQuantile, twoSidedNormalP, twoSidedTP } from "./distributions";
import { expectClose, fixtures } from "./fixtures";

const table = fixtures.distributions;

describe("distributions (@stdlib) against scipy.stats", () => {
  it.each(table.normalCdf)("Φ(%d) matches scipy.stats.norm.cdf = %d", (x, p) => expectClose(normalCdf(x), p, "Φ"));
  it.each(table.normalQuantile)("Φ⁻¹(%d) matches scipy.stats.norm.ppf = %d", (p, x) => expectClose(normalQuantile(p), x, "Φ⁻¹"));
  it.each(table.tCdf)("t CDF at %d with %d df matches scipy.stats.t.cdf = %d", (x, df, p) => expectClose(tCdf(x, df), p, "F_t"));
  it.each(table.tQuantile)("t quantile %d with %d df matches scipy.stats.t.ppf = %d", (p, df, x) => expectClose(tQuantile(p, df), x, "F_t⁻¹"));
  it.each(table.chiSquareSf)("χ² upper tail at %d with %i df matches scipy.stats.chi2.sf = %d", (x, df, p) => expectClose(chiSquareSf(x, df), p, "χ² sf"));

  it("two-sided p-values take the far tail, so they stay precise when tiny", () => {
    expectClose(twoSidedNormalP(-6), 2 * table.normalCdf[0]![1], "z = −6");
    expectClose(twoSidedNormalP(6), 2 * table.normalCdf[0]![1], "z = 6");
    expectClose(twoSidedTP(2.5, 3), 2 * table.tCdf[0]![2], "t = 2.5, 3 df");
  });
});
