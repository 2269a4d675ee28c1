import { describe, expect, it } from "vitest";
import { expectClose, expectComparison, fixtures } from "./fixtures";
import { proportionsTest } from "./proportions";

describe("proportionsTest against fixtures.json (statsmodels proportions_ztest, confint_proportions_2indep wald)", () => {
  it.each(fixtures.proportions)("$name", ({ confidence, control, treatment, expected }) => {
    const result = proportionsTest(control, treatment, { confidence });
    expectComparison(result, expected);
    expect(result.df).toBe(Infinity);
  });
});

describe("proportionsTest", () => {
  it("tests with the pooled rate and builds the interval from each arm's own rate", () => {
    const r = proportionsTest({ n: 1000, successes: 100 }, { n: 1000, successes: 300 });
    expectClose(r.statistic, 0.2 / Math.sqrt(0.2 * 0.8 * (2 / 1000)), "pooled z");
    expectClose(r.absolute.se, Math.sqrt((0.1 * 0.9 + 0.3 * 0.7) / 1000), "unpooled se");
    expectClose(r.relative.estimate, 2, "relative lift (0.3 / 0.1 − 1)");
  });

  it("refuses more successes than users", () => {
    expect(() => proportionsTest({ n: 10, successes: 11 }, { n: 10, successes: 5 })).toThrow(/successes/);
  });
});
