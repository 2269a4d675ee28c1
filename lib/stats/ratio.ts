/**
 * Ratio metrics: Σx / Σy per variant, e.g. watch minutes per session = Σ watch minutes / Σ sessions
 * over the variant's users. Users, not sessions, are randomised, so sessions of one user are not
 * independent and a naive per-session t-test understates the variance. The delta method on the
 * per-user sums handles that (Deng, Knoblich, Lu 2018, "Applying the delta method in metric
 * analytics", §3). The reference distribution is the normal: the delta method is asymptotic.
 */
import { normalQuantile, twoSidedNormalP } from "./distributions";
import { DEFAULT_CONFIDENCE, alphaOf, lifts, type Comparison, type StatsOptions, type VariantEstimate } from "./lift";
import { bivariateMoments, type BivariateStats } from "./sufficient-stats";

/**
 * R = Σx/Σy = x̄/ȳ with Var(R) ≈ (s_x² − 2R·s_xy + R²·s_y²) / (n·ȳ²), the first-order Taylor
 * expansion of x̄/ȳ around the true means; `value` is R and `se` is √Var(R).
 */
export function ratioEstimate(s: BivariateStats, label = "variant"): VariantEstimate {
  const m = bivariateMoments(s, label);
  const r = m.meanX / m.meanY;
  const variance = Math.max(0, m.varX - 2 * r * m.covXY + r ** 2 * m.varY) / (m.n * m.meanY ** 2);
  return { n: m.n, value: r, se: Math.sqrt(variance) };
}

/** z-test of R_T − R_C = 0, absolute and relative lift of the ratio, x = numerator, y = denominator. */
export function ratioTest(control: BivariateStats, treatment: BivariateStats, { confidence = DEFAULT_CONFIDENCE }: StatsOptions = {}): Comparison {
  const alpha = alphaOf(confidence);
  const c = ratioEstimate(control, "control");
  const t = ratioEstimate(treatment, "treatment");
  const { absolute, relative } = lifts(c, t, normalQuantile(1 - alpha / 2));
  const statistic = absolute.estimate / absolute.se;
  return { confidence, control: c, treatment: t, absolute, relative, statistic, df: Infinity, pValue: twoSidedNormalP(statistic) };
}
