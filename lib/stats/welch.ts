/**
 * Welch's two-sample t-test of treatment against control for a mean metric: no equal-variance
 * assumption, degrees of freedom by the Welch–Satterthwaite equation. Same numbers as
 * scipy.stats.ttest_ind(equal_var=False) and statsmodels CompareMeans(usevar="unequal").
 */
import { tQuantile, twoSidedTP } from "./distributions";
import { DEFAULT_CONFIDENCE, alphaOf, lifts, type Comparison, type StatsOptions, type VariantEstimate } from "./lift";
import { meanMoments, type MeanStats, type Moments } from "./sufficient-stats";

/** Welch's t-test from per-variant sums. Throws when a variant has fewer than 2 users. */
export function welchTest(control: MeanStats, treatment: MeanStats, options: StatsOptions = {}): Comparison {
  return welchTestFromMoments(meanMoments(control, "control"), meanMoments(treatment, "treatment"), options);
}

/**
 * Welch's t-test from means and sample variances (CUPED passes adjusted ones).
 *   se² = s_T²/n_T + s_C²/n_C,   t = (x̄_T − x̄_C) / se,
 *   df  = se⁴ / ((s_T²/n_T)²/(n_T − 1) + (s_C²/n_C)²/(n_C − 1)).
 * The relative lift's interval uses the same t quantile (as GrowthBook's gbstats does). Both
 * variances 0 leaves the test undefined: statistic, df and p-value come out NaN.
 */
export function welchTestFromMoments(control: Moments, treatment: Moments, { confidence = DEFAULT_CONFIDENCE }: StatsOptions = {}): Comparison {
  const alpha = alphaOf(confidence);
  const c = estimateOfMean(control);
  const t = estimateOfMean(treatment);
  const vc = c.se ** 2;
  const vt = t.se ** 2;
  const df = (vc + vt) ** 2 / (vc ** 2 / (control.n - 1) + vt ** 2 / (treatment.n - 1));
  const { absolute, relative } = lifts(c, t, tQuantile(1 - alpha / 2, df));
  const statistic = absolute.estimate / absolute.se;
  return { confidence, control: c, treatment: t, absolute, relative, statistic, df, pValue: twoSidedTP(statistic, df) };
}

const estimateOfMean = (m: Moments): VariantEstimate => ({ n: m.n, value: m.mean, se: Math.sqrt(m.variance / m.n) });
