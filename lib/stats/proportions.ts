/**
 * Two-proportion z-test for yes/no metrics (day-N retention, conversion).
 *
 * The test and the interval use different standard errors, on purpose, as statsmodels does:
 * - the p-value uses the pooled rate p̄ = (s_C + s_T)/(n_C + n_T), the variance under "no
 *   difference": z = (p_T − p_C) / √(p̄(1 − p̄)(1/n_C + 1/n_T))  (statsmodels proportions_ztest);
 * - the interval uses each arm's own rate, since it is about differences that are not 0:
 *   √(p_T(1 − p_T)/n_T + p_C(1 − p_C)/n_C)  (confint_proportions_2indep, method "wald").
 * So at the edge the two can disagree: p just above α with an interval just excluding 0, or the
 * reverse. The verdict reads the interval.
 */
import { normalQuantile, twoSidedNormalP } from "./distributions";
import { DEFAULT_CONFIDENCE, alphaOf, lifts, type Comparison, type StatsOptions, type VariantEstimate } from "./lift";
import { proportionMoments, type ProportionStats } from "./sufficient-stats";

/** Two-proportion z-test, absolute and relative lift. A pooled rate of 0 or 1 gives a NaN p-value. */
export function proportionsTest(control: ProportionStats, treatment: ProportionStats, { confidence = DEFAULT_CONFIDENCE }: StatsOptions = {}): Comparison {
  const alpha = alphaOf(confidence);
  const c = estimateOfRate(control, "control");
  const t = estimateOfRate(treatment, "treatment");
  const { absolute, relative } = lifts(c, t, normalQuantile(1 - alpha / 2));
  const pooled = (control.successes + treatment.successes) / (control.n + treatment.n);
  const statistic = absolute.estimate / Math.sqrt(pooled * (1 - pooled) * (1 / control.n + 1 / treatment.n));
  return { confidence, control: c, treatment: t, absolute, relative, statistic, df: Infinity, pValue: twoSidedNormalP(statistic) };
}

function estimateOfRate(s: ProportionStats, label: string): VariantEstimate {
  const m = proportionMoments(s, label);
  return { n: m.n, value: m.mean, se: Math.sqrt(m.variance / m.n) };
}
