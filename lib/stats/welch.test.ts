import { describe, expect, it } from "vitest";
import { expectClose, expectComparison, fixtures } from "./fixtures";
import { welchTest, welchTestFromMoments } from "./welch";

describe("welchTest against fixtures.json (scipy.stats.ttest_ind(equal_var=False), statsmodels CompareMeans)", () => {
  it.each(fixtures.welch)("$name", ({ confidence, control, treatment, expected }) => {
    const result = welchTest(control, treatment, { confidence });
    expectComparison(result, expected);
    expectClose(result.df, expected.df, "Welch–Satterthwaite df");
    expect(result.confidence).toBe(confidence);
  });
});

describe("welchTest", () => {
  const control = { n: 400, sum: 4000, sumSq: 4000 * 10 + 399 * 9 };
  const treatment = { n: 500, sum: 5250, sumSq: 5250 * 10.5 + 499 * 16 };

  it("reads the sums as mean 10, variance 9 and mean 10.5, variance 16", () => {
    const r = welchTest(control, treatment);
    expect(r.control.value).toBe(10);
    expectClose(r.control.se, Math.sqrt(9 / 400), "control se");
    expectClose(r.treatment.se, Math.sqrt(16 / 500), "treatment se");
    expectClose(r.relative.estimate, 0.05, "relative lift");
  });

  it("swapping the arms negates the lift and keeps the p-value", () => {
    const ab = welchTest(control, treatment);
    const ba = welchTest(treatment, control);
    expectClose(ba.absolute.estimate, -ab.absolute.estimate, "lift");
    expectClose(ba.absolute.lower, -ab.absolute.upper, "bounds");
    expectClose(ba.pValue, ab.pValue, "p-value");
  });

  it("widens the interval as the confidence level rises, and excludes 0 exactly when p < α", () => {
    const widths = [0.9, 0.95, 0.99].map((confidence) => {
      const r = welchTest(control, treatment, { confidence });
      expect(r.absolute.lower > 0 || r.absolute.upper < 0).toBe(r.pValue < 1 - confidence);
      return r.absolute.upper - r.absolute.lower;
    });
    expect(widths[0]).toBeLessThan(widths[1]!);
    expect(widths[1]).toBeLessThan(widths[2]!);
  });

  it("gives NaN, not a verdict, when neither arm varies", () => {
    const flat = welchTestFromMoments({ n: 10, mean: 1, variance: 0 }, { n: 10, mean: 2, variance: 0 });
    expect(flat.pValue).toBeNaN();
  });

  it("refuses a variant with fewer than 2 users and a confidence outside (0, 1)", () => {
    expect(() => welchTest({ n: 1, sum: 3, sumSq: 9 }, treatment)).toThrow(/control needs at least 2 users/);
    expect(() => welchTest(control, treatment, { confidence: 95 })).toThrow(RangeError);
  });
});
