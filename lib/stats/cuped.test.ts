import { describe, expect, it } from "vitest";
import { Rng } from "../sim/rng";
import { cupedAdjust, cupedTest } from "./cuped";
import { expectClose, expectComparison, fixtures } from "./fixtures";
import type { BivariateStats } from "./sufficient-stats";
import { welchTest } from "./welch";

describe("cupedTest against fixtures.json (statsmodels OLS x ~ variant + y, then Welch on adjusted values)", () => {
  it.each(fixtures.cuped)("$name", ({ confidence, control, treatment, expected }) => {
    const r = cupedTest(control, treatment, { confidence });
    expectClose(r.theta, expected.theta, "θ (OLS slope on the covariate)");
    expectClose(r.absolute.estimate, expected.olsTreatmentCoefficient, "adjusted lift = OLS treatment coefficient");
    const { adjusted } = cupedAdjust([control, treatment]);
    adjusted.forEach((m, i) => {
      expectClose(m.mean, expected.adjustedMeans[i]!, `adjusted mean ${i}`);
      expectClose(m.variance, expected.adjustedVariances[i]!, `adjusted variance ${i}`);
    });
    expectComparison(r, expected.adjusted);
    expectClose(r.df, expected.adjusted.df, "df");
    expectComparison(r.unadjusted, expected.unadjusted);
    expectClose(r.varianceReduction, expected.varianceReduction, "variance reduction");
  });

  it("the strong covariate removes about ρ² ≈ 0.49 of the variance, the weak one about 0.01", () => {
    const [strong, weak] = fixtures.cuped.map((c) => cupedTest(c.control, c.treatment).varianceReduction);
    expect(strong).toBeGreaterThan(0.4);
    expect(strong).toBeLessThan(0.6);
    expect(weak).toBeLessThan(0.03);
  });
});

describe("cupedTest", () => {
  /** x = metric, y = covariate, with corr(x, y) = rho, drawn per user and summed. */
  function draw(rng: Rng, n: number, lift: number, rho: number): BivariateStats {
    const s = { n, sumX: 0, sumY: 0, sumXX: 0, sumYY: 0, sumXY: 0 };
    for (let i = 0; i < n; i++) {
      const y = 50 + 10 * rng.normal();
      const x = 40 + lift + rho * (y - 50) + Math.sqrt(1 - rho * rho) * 10 * rng.normal();
      s.sumX += x;
      s.sumY += y;
      s.sumXX += x * x;
      s.sumYY += y * y;
      s.sumXY += x * y;
    }
    return s;
  }

  it("is the plain Welch test when the covariate is constant (θ = 0)", () => {
    const flat = (n: number, sum: number, sumSq: number): BivariateStats => ({ n, sumX: sum, sumY: 5 * n, sumXX: sumSq, sumYY: 25 * n, sumXY: 5 * sum });
    const r = cupedTest(flat(100, 1000, 10_500), flat(120, 1260, 13_900));
    expect(r.theta).toBe(0);
    expectComparison(r, welchTest({ n: 100, sum: 1000, sumSq: 10_500 }, { n: 120, sum: 1260, sumSq: 13_900 }));
    expectClose(r.varianceReduction, 0, "variance reduction");
  });

  it("narrows the interval without moving the lift on average: 200 experiments with ρ = 0.8 and lift 1", () => {
    const rng = Rng.fromSeed(31);
    let lift = 0;
    let reduction = 0;
    for (let i = 0; i < 200; i++) {
      const r = cupedTest(draw(rng, 500, 0, 0.8), draw(rng, 500, 1, 0.8));
      lift += r.absolute.estimate / 200;
      reduction += r.varianceReduction / 200;
    }
    // The lift's se per experiment is ≈ 10·0.6·√(2/500) ≈ 0.38, so the mean of 200 is within ±0.1.
    expect(Math.abs(lift - 1)).toBeLessThan(0.1);
    expect(reduction).toBeCloseTo(0.64, 1);
  });
});
