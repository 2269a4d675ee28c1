/**
 * Planning: the smallest lift a design can detect (MDE), and the users per arm a target MDE needs,
 * for the two-sided fixed-horizon test at level α = 1 − confidence with equal arms. Normal
 * approximation with the baseline's standard deviation in both arms, as statsmodels NormalIndPower;
 * the t-test (TTestIndPower) asks for one or two users per arm more, whatever the size.
 */
import { normalCdf, normalQuantile } from "./distributions";
import { DEFAULT_CONFIDENCE, alphaOf } from "./lift";

/** The control's expected behaviour: a mean metric's mean and per-user sd, or a rate. */
export type Baseline = { mean: number; sd: number } | { rate: number };

export interface DesignOptions {
  /** Two-sided confidence level of the planned test, e.g. 0.95. */
  confidence?: number;
  /** Probability of detecting a true lift of the MDE, 1 − β, in [0.5, 1). */
  power?: number;
}

export const DEFAULT_POWER = 0.8;

/** Mean and per-user sd; a rate p has sd √(p(1 − p)). */
function baselineMoments(baseline: Baseline): { mean: number; sd: number } {
  if ("rate" in baseline) {
    if (!(baseline.rate > 0 && baseline.rate < 1)) throw new RangeError(`rate must be in (0, 1), got ${baseline.rate}`);
    return { mean: baseline.rate, sd: Math.sqrt(baseline.rate * (1 - baseline.rate)) };
  }
  if (!(baseline.sd > 0 && Number.isFinite(baseline.sd))) throw new RangeError(`sd must be > 0, got ${baseline.sd}`);
  return baseline;
}

/**
 * Power of the two-sided z-test against a true lift `absoluteEffect` with n users per arm:
 *   k = |δ| / (σ√(2/n)),   power = Φ(k − z) + Φ(−k − z),   z = Φ⁻¹(1 − α/2).
 * The second term (rejecting on the wrong side) is tiny but counted, as statsmodels does.
 */
export function powerOf({ baseline, nPerArm, absoluteEffect, confidence = DEFAULT_CONFIDENCE }: { baseline: Baseline; nPerArm: number; absoluteEffect: number; confidence?: number }): number {
  const z = normalQuantile(1 - alphaOf(confidence) / 2);
  const k = Math.abs(absoluteEffect) / (baselineMoments(baseline).sd * Math.sqrt(2 / nPerArm));
  return normalCdf(k - z) + normalCdf(-k - z);
}

/**
 * The standardised lift k = δ/(σ√(2/n)) detected with the given power: k = z_{1−α/2} + z_{power} in
 * the textbook formula, made exact by solving Φ(k − z) + Φ(−k − z) = power with the fixed point
 * k ← z + Φ⁻¹(power − Φ(−k − z)); the correction is below 1e-5, so two or three steps converge.
 */
function detectableK(confidence: number, power: number): number {
  const z = normalQuantile(1 - alphaOf(confidence) / 2);
  if (!(power >= 0.5 && power < 1)) throw new RangeError(`power must be in [0.5, 1), got ${power}`);
  let k = z + normalQuantile(power);
  for (let i = 0; i < 50; i++) {
    const next = z + normalQuantile(power - normalCdf(-k - z));
    if (Math.abs(next - k) <= 1e-15 * next) return next;
    k = next;
  }
  return k;
}

/** MDE with n users per arm: absolute δ = k·σ·√(2/n) and relative δ / mean. */
export function minimumDetectableEffect({ baseline, nPerArm, confidence = DEFAULT_CONFIDENCE, power = DEFAULT_POWER }: { baseline: Baseline; nPerArm: number } & DesignOptions): { absolute: number; relative: number } {
  if (!(nPerArm > 0)) throw new RangeError(`nPerArm must be > 0, got ${nPerArm}`);
  const { mean, sd } = baselineMoments(baseline);
  const absolute = detectableK(confidence, power) * sd * Math.sqrt(2 / nPerArm);
  return { absolute, relative: absolute / mean };
}

/** Users per arm to detect a relative lift: n = 2(kσ / (mde·mean))², rounded up; `exact` unrounded. */
export function sampleSizePerArm({ baseline, relativeMde, confidence = DEFAULT_CONFIDENCE, power = DEFAULT_POWER }: { baseline: Baseline; relativeMde: number } & DesignOptions): { nPerArm: number; exact: number } {
  const { mean, sd } = baselineMoments(baseline);
  const delta = Math.abs(relativeMde * mean);
  if (!(delta > 0)) throw new RangeError(`relativeMde and the baseline mean must be nonzero, got ${relativeMde} and ${mean}`);
  const exact = 2 * ((detectableK(confidence, power) * sd) / delta) ** 2;
  return { nPerArm: Math.ceil(exact), exact };
}
