/**
 * The shapes every comparison returns, the confidence setting threaded through all of them, and the
 * absolute and relative lift with their intervals.
 */

/** Levels the dashboard offers; any level in (0, 1) works. */
export const CONFIDENCE_LEVELS = [0.9, 0.95, 0.99] as const;
export const DEFAULT_CONFIDENCE = 0.95;

export interface StatsOptions {
  /** Two-sided confidence level of the intervals, e.g. 0.95; the significance level is 1 − confidence. */
  confidence?: number;
}

/** α = 1 − confidence. Throws unless confidence is in (0, 1). */
export function alphaOf(confidence: number): number {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  return 1 - confidence;
}

/** A point estimate with its standard error and two-sided confidence interval. */
export interface Estimate {
  estimate: number;
  se: number;
  lower: number;
  upper: number;
}

/** One variant's estimate of the metric (a mean, a rate or a ratio) and its standard error. */
export interface VariantEstimate {
  /** Users in the variant. */
  n: number;
  value: number;
  se: number;
}

/** Treatment against control, as every fixed-horizon test here reports it. */
export interface Comparison {
  /** The confidence level of every interval in here. */
  confidence: number;
  control: VariantEstimate;
  treatment: VariantEstimate;
  /** treatment − control, in the metric's unit. */
  absolute: Estimate;
  /** treatment / control − 1 (0.03 is +3%), delta-method interval; not finite when control is 0. */
  relative: Estimate;
  /** t or z statistic of the test of no difference. */
  statistic: number;
  /** Degrees of freedom of the t reference; Infinity where the reference is the normal. */
  df: number;
  /** Two-sided p-value of the test of no difference. */
  pValue: number;
}

const interval = (estimate: number, se: number, critical: number): Estimate => ({
  estimate,
  se,
  lower: estimate - critical * se,
  upper: estimate + critical * se,
});

/**
 * Absolute lift T − C with se √(se_T² + se_C²), and relative lift T/C − 1 with the delta-method se
 * √(se_T²/C² + T²·se_C²/C⁴) (first-order Taylor expansion of T/C, independent arms; Deng et al.
 * 2018, "Applying the delta method in metric analytics"). Both intervals are estimate ± critical·se.
 */
export function lifts(control: VariantEstimate, treatment: VariantEstimate, critical: number): { absolute: Estimate; relative: Estimate } {
  const c = control.value;
  const t = treatment.value;
  const absoluteSe = Math.sqrt(treatment.se ** 2 + control.se ** 2);
  const relativeSe = Math.sqrt(treatment.se ** 2 / c ** 2 + (t ** 2 * control.se ** 2) / c ** 4);
  return { absolute: interval(t - c, absoluteSe, critical), relative: interval(t / c - 1, relativeSe, critical) };
}
