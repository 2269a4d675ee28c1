/**
 * Sequential mode: always-valid p-values and confidence sequences for the difference in means, so
 * the dashboard can be read every day without inflating false positives (a fixed-horizon test
 * read daily for two weeks calls an A/A test significant far more often than α).
 *
 * The mixture sequential probability ratio test (mSPRT) with a normal mixture: Robbins (1970);
 * Johari, Koomen, Pekelis, Walsh (2017), "Peeking at A/B tests", KDD, the form Optimizely uses;
 * Howard, Ramdas, McAuliffe, Sekhon (2021), "Time-uniform, nonparametric, nonasymptotic confidence
 * sequences", Annals of Statistics, for the boundary as a confidence sequence.
 *
 * With θ̂ = x̄_T − x̄_C, V = s_T²/n_T + s_C²/n_C (its estimated variance) and the true lift θ mixed
 * over N(θ0, τ²), the likelihood ratio against θ = θ0 is the ratio of two normal densities of θ̂,
 *   Λ(θ0) = N(θ̂; θ0, V + τ²) / N(θ̂; θ0, V) = √(V / (V + τ²)) · exp(τ²(θ̂ − θ0)² / (2V(V + τ²))).
 * Under θ = θ0 it is a nonnegative martingale with mean 1 (exactly for normal data of known
 * variance, asymptotically otherwise), so by Ville's inequality
 * P(Λ ever ≥ 1/α) ≤ α, however often one looks. Hence:
 *   always-valid p-value   p = min(1, 1/Λ(0)),
 *   confidence sequence    {θ0 : Λ(θ0) < 1/α} = θ̂ ± √((V(V + τ²)/τ²) · (ln((V + τ²)/V) − 2 ln α)).
 * Both are valid at every look; across looks take the running minimum of p and the intersection of
 * the intervals (combineLooks). Validity with an estimated V is asymptotic (users per arm in the
 * hundreds or more); the A/A simulation in simulation.test.ts checks it at the sizes we run.
 */
import { DEFAULT_CONFIDENCE, alphaOf, type Estimate } from "./lift";
import { meanMoments, type MeanStats } from "./sufficient-stats";

export interface SequentialOptions {
  /** Two-sided confidence level, e.g. 0.95. */
  confidence?: number;
  /**
   * Mixing variance τ², in squared units of the metric: the spread of lifts the test is tuned to
   * find. Fix it before the experiment starts (see optimalTauSquared), never from the data.
   */
  tauSquared: number;
}

export interface SequentialResult {
  confidence: number;
  tauSquared: number;
  /** treatment − control; lower/upper are the confidence sequence at this look. */
  absolute: Estimate;
  /** ln Λ(0), the evidence against "no difference". */
  logLikelihoodRatio: number;
  /** Always-valid p-value at this look, min(1, 1/Λ(0)). */
  pValue: number;
}

/** The mSPRT at one look, from the variants' sums so far. Throws when a variant has fewer than 2 users. */
export function sequentialTest(control: MeanStats, treatment: MeanStats, { confidence = DEFAULT_CONFIDENCE, tauSquared }: SequentialOptions): SequentialResult {
  const alpha = alphaOf(confidence);
  if (!(tauSquared > 0 && Number.isFinite(tauSquared))) throw new RangeError(`tauSquared must be > 0, got ${tauSquared}`);
  const c = meanMoments(control, "control");
  const t = meanMoments(treatment, "treatment");
  const diff = t.mean - c.mean;
  const v = t.variance / t.n + c.variance / c.n;
  const logLikelihoodRatio = 0.5 * Math.log(v / (v + tauSquared)) + (tauSquared * diff ** 2) / (2 * v * (v + tauSquared));
  const halfWidth = Math.sqrt(((v * (v + tauSquared)) / tauSquared) * (Math.log((v + tauSquared) / v) - 2 * Math.log(alpha)));
  return {
    confidence,
    tauSquared,
    absolute: { estimate: diff, se: Math.sqrt(v), lower: diff - halfWidth, upper: diff + halfWidth },
    logLikelihoodRatio,
    pValue: Math.min(1, Math.exp(-logLikelihoodRatio)),
  };
}

/**
 * The τ² whose confidence sequence is narrowest when the lift's variance reaches `plannedVariance`
 * (V at the planned end, e.g. 2σ²/n for n users per arm). With r = τ²/V, the squared half-width is
 * V·(1 + 1/r)·(ln(1 + r) − 2 ln α); setting its derivative in r to 0 gives r = ln(1 + r) − 2 ln α,
 * solved by fixed-point iteration (a contraction: the right side's slope 1/(1 + r) is below 1).
 * r ≈ 8.2 at α = 0.05. The interval is valid for any τ²; this only decides when it is tightest.
 */
export function optimalTauSquared(plannedVariance: number, confidence = DEFAULT_CONFIDENCE): number {
  const alpha = alphaOf(confidence);
  if (!(plannedVariance > 0 && Number.isFinite(plannedVariance))) throw new RangeError(`plannedVariance must be > 0, got ${plannedVariance}`);
  let r = -2 * Math.log(alpha);
  for (let i = 0; i < 200; i++) {
    const next = Math.log1p(r) - 2 * Math.log(alpha);
    if (Math.abs(next - r) <= 1e-15 * r) return next * plannedVariance;
    r = next;
  }
  return r * plannedVariance;
}

/**
 * Everything seen so far, from the looks in time order: the running minimum p-value and the
 * intersection of the intervals (both stay valid, since each look's are valid at all looks at once),
 * around the latest estimate.
 * The looks must share the confidence level and τ²; changing either midway voids the guarantee.
 */
export function combineLooks(looks: readonly SequentialResult[]): SequentialResult {
  const latest = looks.at(-1);
  if (latest === undefined) throw new RangeError("combineLooks needs at least one look");
  if (looks.some((l) => l.confidence !== latest.confidence || l.tauSquared !== latest.tauSquared)) {
    throw new RangeError("all looks must share the confidence level and tauSquared");
  }
  return {
    ...latest,
    absolute: {
      ...latest.absolute,
      lower: Math.max(...looks.map((l) => l.absolute.lower)),
      upper: Math.min(...looks.map((l) => l.absolute.upper)),
    },
    pValue: Math.min(...looks.map((l) => l.pValue)),
  };
}
