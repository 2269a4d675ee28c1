/**
 * Seeded simulations: per-user values drawn with pure-rand (lib/sim/rng), summed into sufficient
 * statistics, tested as the dashboard would. They check the calibration the fixtures cannot: that
 * the tests reject as often as they claim. Binomial bands come from scipy (fixtures.json, "bands").
 */
import { describe, expect, it } from "vitest";
import { Rng } from "../sim/rng";
import { cupedTest } from "./cuped";
import { normalCdf } from "./distributions";
import { fixtures } from "./fixtures";
import type { Comparison } from "./lift";
import { powerOf, sampleSizePerArm, type Baseline } from "./power";
import { proportionsTest } from "./proportions";
import { optimalTauSquared, sequentialTest } from "./sequential";
import type { BivariateStats, MeanStats, ProportionStats } from "./sufficient-stats";
import { welchTest } from "./welch";

const ALPHA = 0.05;
const CONFIDENCE = 1 - ALPHA;
const { aa, sequential: seqBand } = fixtures.bands;

/** Adds n users with values mean + sd·N(0, 1) to the sums (a new arm when `into` is absent). */
function addNormalUsers(rng: Rng, n: number, mean: number, sd: number, into: MeanStats = { n: 0, sum: 0, sumSq: 0 }): MeanStats {
  let { sum, sumSq } = into;
  for (let i = 0; i < n; i++) {
    const x = mean + sd * rng.normal();
    sum += x;
    sumSq += x * x;
  }
  return { n: into.n + n, sum, sumSq };
}

function bernoulliUsers(rng: Rng, n: number, p: number): ProportionStats {
  let successes = 0;
  for (let i = 0; i < n; i++) if (rng.chance(p)) successes++;
  return { n, successes };
}

/** Users with a covariate y ~ N(50, 10²) and a metric x correlated with it at ρ = 0.6, sd 10. */
function correlatedUsers(rng: Rng, n: number): BivariateStats {
  const s = { n, sumX: 0, sumY: 0, sumXX: 0, sumYY: 0, sumXY: 0 };
  for (let i = 0; i < n; i++) {
    const y = 50 + 10 * rng.normal();
    const x = 40 + 0.6 * (y - 50) + 8 * rng.normal();
    s.sumX += x;
    s.sumY += y;
    s.sumXX += x * x;
    s.sumYY += y * y;
    s.sumXY += x * y;
  }
  return s;
}

const rate = (k: number, n: number) => `${((100 * k) / n).toFixed(2)}%`;

/** One simulated experiment: draws its users and returns the test's result. */
type Experiment = (rng: Rng) => Comparison;

const aaExperiments: [name: string, seed: number, run: Experiment][] = [
  ["Welch t-test, normal values, 1,000 users per arm", 101, (rng) => welchTest(addNormalUsers(rng, 1_000, 10, 3), addNormalUsers(rng, 1_000, 10, 3), { confidence: CONFIDENCE })],
  ["two-proportion z-test, 30% retention, 1,000 users per arm", 102, (rng) => proportionsTest(bernoulliUsers(rng, 1_000, 0.3), bernoulliUsers(rng, 1_000, 0.3), { confidence: CONFIDENCE })],
  ["CUPED, ρ = 0.6, 1,000 users per arm", 103, (rng) => cupedTest(correlatedUsers(rng, 1_000), correlatedUsers(rng, 1_000), { confidence: CONFIDENCE })],
];

describe(`A/A: ${aa.runs} experiments at α = ${ALPHA} reject within the 99% binomial band [${aa.lower}, ${aa.upper}] (scipy.stats.binom)`, () => {
  it("the band was computed for this α", () => expect(aa.alpha).toBe(ALPHA));

  it.for(aaExperiments)("%s", async ([, seed, run], { annotate }) => {
    const rng = Rng.fromSeed(seed);
    let rejected = 0;
    for (let i = 0; i < aa.runs; i++) if (run(rng).pValue < ALPHA) rejected++;
    await annotate(`false positives: ${rejected} of ${aa.runs} (${rate(rejected, aa.runs)})`);
    expect(rejected).toBeGreaterThanOrEqual(aa.lower);
    expect(rejected).toBeLessThanOrEqual(aa.upper);
  });
});

describe("sequential mode: 14 daily looks, 100 new users per arm a day, τ² tuned for day 14", () => {
  const DAYS = 14;
  const PER_DAY = 100;
  const SD = 3;
  const tauSquared = optimalTauSquared((2 * SD ** 2) / (DAYS * PER_DAY), CONFIDENCE);

  /** Runs `runs` experiments with the given true lift; counts those ever declared, per method. */
  function peek(seed: number, runs: number, lift: number): { sequential: number; naive: number; fixedAtEnd: number } {
    const rng = Rng.fromSeed(seed);
    const counts = { sequential: 0, naive: 0, fixedAtEnd: 0 };
    for (let i = 0; i < runs; i++) {
      let control: MeanStats | undefined;
      let treatment: MeanStats | undefined;
      let sequential = false;
      let naive = false;
      let fixed = false;
      for (let day = 1; day <= DAYS; day++) {
        control = addNormalUsers(rng, PER_DAY, 10, SD, control);
        treatment = addNormalUsers(rng, PER_DAY, 10 + lift, SD, treatment);
        sequential ||= sequentialTest(control, treatment, { tauSquared, confidence: CONFIDENCE }).pValue <= ALPHA;
        fixed = welchTest(control, treatment, { confidence: CONFIDENCE }).pValue < ALPHA;
        naive ||= fixed;
      }
      if (sequential) counts.sequential++;
      if (naive) counts.naive++;
      if (fixed) counts.fixedAtEnd++;
    }
    return counts;
  }

  it(`A/A: ever declaring a winner stays within the upper 99% band (≤ ${seqBand.upper} of ${seqBand.runs}), while the naive daily t-test does not`, async ({ annotate }) => {
    expect(seqBand).toMatchObject({ runs: 2_000, alpha: ALPHA });
    const { sequential, naive } = peek(201, seqBand.runs, 0);
    await annotate(`ever rejected: sequential ${sequential} of ${seqBand.runs} (${rate(sequential, seqBand.runs)}), naive daily t-test ${naive} (${rate(naive, seqBand.runs)})`);
    expect(sequential).toBeLessThanOrEqual(seqBand.upper);
    // The check has teeth: peeking at the fixed-horizon test 14 times inflates far past the band.
    expect(naive).toBeGreaterThan(seqBand.upper);
  });

  it("with a real +3% lift, detects it at least as often as its day-14 boundary alone predicts (it is not merely conservative)", async ({ annotate }) => {
    // +0.3 on sd 3 with 1,400 users per arm: k = 0.3 / √(2·9/1400) ≈ 2.65 standard errors at day 14.
    const runs = 500;
    const end = (mean: number) => ({ n: DAYS * PER_DAY, sum: DAYS * PER_DAY * mean, sumSq: (DAYS * PER_DAY - 1) * SD ** 2 + DAYS * PER_DAY * mean ** 2 });
    const atEnd = sequentialTest(end(10), end(10.3), { tauSquared, confidence: CONFIDENCE });
    const k = atEnd.absolute.estimate / atEnd.absolute.se;
    const boundary = (atEnd.absolute.upper - atEnd.absolute.estimate) / atEnd.absolute.se;
    // Power of the last look by itself (≈ 0.35); earlier looks can only add detections.
    const lastLookPower = normalCdf(k - boundary) + normalCdf(-k - boundary);
    const { sequential, fixedAtEnd } = peek(202, runs, 0.3);
    await annotate(`detected: sequential ${sequential} of ${runs} (${rate(sequential, runs)}), fixed-horizon at day 14 ${fixedAtEnd} (${rate(fixedAtEnd, runs)}); last look alone predicts ${lastLookPower.toFixed(3)}`);
    expect(sequential / runs).toBeGreaterThanOrEqual(lastLookPower - 0.05);
    expect(sequential).toBeLessThan(fixedAtEnd);
  });
});

/** +3% relative on each baseline, users per arm from sampleSizePerArm for 80% power. */
const powerExperiments: [name: string, seed: number, baseline: Baseline, run: (rng: Rng, nPerArm: number) => Comparison][] = [
  ["Welch, mean 10, sd 3", 301, { mean: 10, sd: 3 }, (rng, n) => welchTest(addNormalUsers(rng, n, 10, 3), addNormalUsers(rng, n, 10.3, 3), { confidence: CONFIDENCE })],
  ["z-test, retention 40% → 41.2%", 302, { rate: 0.4 }, (rng, n) => proportionsTest(bernoulliUsers(rng, n, 0.4), bernoulliUsers(rng, n, 0.412), { confidence: CONFIDENCE })],
];

describe("power: a planted +3% lift is detected as often as the calculator predicts (± 5 points), 1,000 experiments", () => {
  it.for(powerExperiments)("%s", async ([, seed, baseline, run], { annotate }) => {
    const { nPerArm } = sampleSizePerArm({ baseline, relativeMde: 0.03, confidence: CONFIDENCE, power: 0.8 });
    const mean = "rate" in baseline ? baseline.rate : baseline.mean;
    const predicted = powerOf({ baseline, nPerArm, absoluteEffect: 0.03 * mean, confidence: CONFIDENCE });
    const rng = Rng.fromSeed(seed);
    const runs = 1_000;
    let detected = 0;
    for (let i = 0; i < runs; i++) {
      const r = run(rng, nPerArm);
      if (r.absolute.lower > 0) detected++;
    }
    await annotate(`detected ${detected} of ${runs} (${rate(detected, runs)}), predicted ${(100 * predicted).toFixed(2)}% with ${nPerArm} users per arm`);
    expect(Math.abs(detected / runs - predicted)).toBeLessThanOrEqual(0.05);
  });
});
