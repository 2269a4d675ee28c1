import { describe, expect, it } from "vitest";
import { expectClose, expectComparison, fixtures } from "./fixtures";
import { ratioEstimate, ratioTest } from "./ratio";
import { welchTest } from "./welch";

describe("ratioTest against fixtures.json (numpy on per-user arrays: Var(R) = var(x − R·y) / (n·ȳ²))", () => {
  it.each(fixtures.ratio)("$name", ({ confidence, control, treatment, expected }) => {
    const r = ratioTest(control, treatment, { confidence });
    expectClose(r.control.value, expected.control.value, "control ratio");
    expectClose(r.control.se, expected.control.se, "control se");
    expectClose(r.treatment.value, expected.treatment.value, "treatment ratio");
    expectClose(r.treatment.se, expected.treatment.se, "treatment se");
    expectComparison(r, expected);
  });
});

describe("ratioTest", () => {
  it("is the per-user mean when every user has one session: se = s/√n, as Welch's", () => {
    const perUser = (n: number, sum: number, sumSq: number) => ({ n, sumX: sum, sumY: n, sumXX: sumSq, sumYY: n, sumXY: sum });
    const r = ratioTest(perUser(300, 3000, 33_000), perUser(320, 3300, 37_000));
    const w = welchTest({ n: 300, sum: 3000, sumSq: 33_000 }, { n: 320, sum: 3300, sumSq: 37_000 });
    expectClose(r.absolute.estimate, w.absolute.estimate, "lift");
    expectClose(r.absolute.se, w.absolute.se, "se");
    expect(r.df).toBe(Infinity);
  });

  it("is Σx/Σy, not the mean of per-user ratios", () => {
    // Users (x, y) = (10, 1) and (10, 4): Σx/Σy = 20/5 = 4, the mean of x/y would be 6.25.
    expect(ratioEstimate({ n: 2, sumX: 20, sumY: 5, sumXX: 200, sumYY: 17, sumXY: 50 }).value).toBe(4);
  });
});
