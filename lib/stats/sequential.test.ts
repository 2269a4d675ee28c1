import { describe, expect, it } from "vitest";
import { Rng } from "../sim/rng";
import { expectClose, expectEstimate, fixtures } from "./fixtures";
import { combineLooks, optimalTauSquared, sequentialTest, type SequentialResult } from "./sequential";
import { welchTest } from "./welch";

describe("sequentialTest against fixtures.json (Λ from scipy normal densities, interval by scipy root finding)", () => {
  it.each(fixtures.sequential)("$name", ({ confidence, tauSquared, control, treatment, expected }) => {
    const r = sequentialTest(control, treatment, { confidence, tauSquared });
    expectClose(r.logLikelihoodRatio, expected.logLikelihoodRatio, "ln Λ");
    expectClose(r.pValue, expected.pValue, "always-valid p-value");
    expectEstimate(r.absolute, expected.absolute, "confidence sequence");
  });

  it.each(fixtures.optimalTauSquared)("optimalTauSquared(V* = %d, confidence %d) = %d, as scipy's brentq", (v, confidence, want) => {
    expectClose(optimalTauSquared(v, confidence), want, "τ²");
  });

  it("the table has a look that rejects and one that does not", () => {
    const ps = fixtures.sequential.map((c) => c.expected.pValue);
    expect(Math.min(...ps)).toBeLessThan(0.01);
    expect(Math.max(...ps)).toBe(1);
  });
});

describe("sequentialTest", () => {
  const mean = (n: number, m: number, variance: number) => ({ n, sum: n * m, sumSq: (n - 1) * variance + n * m * m });

  it("p ≤ α exactly when the interval excludes 0, over 2,000 random looks", () => {
    const rng = Rng.fromSeed(17);
    let rejections = 0;
    for (let i = 0; i < 2_000; i++) {
      const n = 50 + rng.int(5_000);
      const confidence = [0.9, 0.95, 0.99][rng.int(3)]!;
      const r = sequentialTest(mean(n, 10, 25), mean(n + rng.int(50), 10 + rng.normal() * 0.4, 25), { confidence, tauSquared: 0.01 + rng.float() });
      const excludes = r.absolute.lower > 0 || r.absolute.upper < 0;
      expect(excludes, `look ${i}`).toBe(r.pValue <= 1 - confidence);
      if (excludes) rejections++;
    }
    expect(rejections).toBeGreaterThan(100);
  });

  it("is wider than the fixed-horizon interval: the price of looking any time", () => {
    const control = mean(2_000, 10, 25);
    const treatment = mean(2_000, 10.4, 25);
    const fixed = welchTest(control, treatment);
    const seq = sequentialTest(control, treatment, { tauSquared: optimalTauSquared(2 * 25 / 2_000) });
    expect(seq.absolute.upper - seq.absolute.lower).toBeGreaterThan(fixed.absolute.upper - fixed.absolute.lower);
    expect(seq.pValue).toBeGreaterThan(fixed.pValue);
  });

  it("optimalTauSquared makes the interval narrowest at the planned variance", () => {
    const control = mean(1_000, 10, 25);
    const treatment = mean(1_000, 10, 25);
    const best = optimalTauSquared(2 * 25 / 1_000);
    const width = (tauSquared: number) => {
      const r = sequentialTest(control, treatment, { tauSquared });
      return r.absolute.upper - r.absolute.lower;
    };
    expect(width(best)).toBeLessThan(width(best * 0.8));
    expect(width(best)).toBeLessThan(width(best * 1.25));
  });

  it("combineLooks keeps the smallest p-value and the intersection of the intervals", () => {
    const look = (p: number, lower: number, upper: number): SequentialResult => ({
      confidence: 0.95,
      tauSquared: 1,
      absolute: { estimate: (lower + upper) / 2, se: 1, lower, upper },
      logLikelihoodRatio: -Math.log(p),
      pValue: p,
    });
    const all = combineLooks([look(0.3, -2, 4), look(0.02, 0.5, 3), look(0.6, -1, 2)]);
    expect(all.pValue).toBe(0.02);
    expect(all.absolute).toMatchObject({ lower: 0.5, upper: 2, estimate: 0.5 });
    expect(() => combineLooks([look(0.3, -2, 4), { ...look(0.3, -2, 4), tauSquared: 2 }])).toThrow(RangeError);
    expect(() => combineLooks([])).toThrow(RangeError);
  });

  it("refuses a τ² that is not positive", () => {
    expect(() => sequentialTest(mean(10, 1, 1), mean(10, 1, 1), { tauSquared: 0 })).toThrow(RangeError);
  });
});
