import { describe, expect, it } from "vitest";
import { expectClose } from "./fixtures";
import {
  bivariateMoments,
  bivariateStatsSchema,
  meanMoments,
  meanStatsSchema,
  proportionAsMean,
  proportionMoments,
  proportionStatsSchema,
} from "./sufficient-stats";

describe("sufficient statistics", () => {
  it("moments from sums match the per-user definitions (values 2, 4, 4, 4, 5, 5, 7, 9: mean 5, variance 32/7)", () => {
    const xs = [2, 4, 4, 4, 5, 5, 7, 9];
    const ys = [1, 0, 2, 1, 3, 2, 2, 5];
    const m = meanMoments({ n: 8, sum: 40, sumSq: xs.reduce((s, x) => s + x * x, 0) });
    expect(m).toEqual({ n: 8, mean: 5, variance: 32 / 7 });
    const b = bivariateMoments({
      n: 8,
      sumX: 40,
      sumY: 16,
      sumXX: xs.reduce((s, x) => s + x * x, 0),
      sumYY: ys.reduce((s, y) => s + y * y, 0),
      sumXY: xs.reduce((s, x, i) => s + x * ys[i]!, 0),
    });
    // Σ(x − 5)(y − 2) = 18 → covariance 18/7; Σ(y − 2)² = 16 → variance 16/7.
    expectClose(b.covXY, 18 / 7, "covariance");
    expectClose(b.varY, 16 / 7, "variance of y");
  });

  it("a rate's variance is p(1 − p), and as a mean metric x² = x", () => {
    expect(proportionMoments({ n: 10, successes: 3 })).toEqual({ n: 10, mean: 0.3, variance: 0.3 * 0.7 });
    expect(proportionAsMean({ n: 10, successes: 3 })).toEqual({ n: 10, sum: 3, sumSq: 3 });
  });

  it("floors at 0 a variance that rounding pushed below it (three users with the same value)", () => {
    // Σx² − (Σx)²/n comes out as −6e-8 here.
    const x = 12345.6789;
    expect(meanMoments({ n: 3, sum: 3 * x, sumSq: 3 * x * x }).variance).toBe(0);
  });

  it("schemas reject what SQL should never send", () => {
    expect(meanStatsSchema.safeParse({ n: 2.5, sum: 1, sumSq: 1 }).success).toBe(false);
    expect(meanStatsSchema.safeParse({ n: 3, sum: Number.NaN, sumSq: 1 }).success).toBe(false);
    expect(proportionStatsSchema.safeParse({ n: 3, successes: 4 }).success).toBe(false);
    expect(bivariateStatsSchema.safeParse({ n: 3, sumX: 1, sumY: 1, sumXX: -1, sumYY: 1, sumXY: 0 }).success).toBe(false);
    expect(proportionStatsSchema.parse({ n: 3, successes: 3 })).toEqual({ n: 3, successes: 3 });
  });
});
