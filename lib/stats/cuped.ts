/**
 * CUPED (Deng, Xu, Kohavi, Walker 2013, "Improving the sensitivity of online controlled experiments
 * by utilizing pre-experiment data"): subtract from each user's metric x the part predicted by a
 * pre-experiment covariate y, x − θ(y − ȳ), then run the usual Welch test. Randomisation makes y
 * independent of the variant, so the lift estimate stays unbiased while its variance shrinks by
 * about ρ²(x, y).
 */
import { DEFAULT_CONFIDENCE, type Comparison, type StatsOptions } from "./lift";
import { bivariateMoments, type BivariateStats, type Moments } from "./sufficient-stats";
import { welchTestFromMoments } from "./welch";

export interface CupedAdjustment {
  /** Σ_v S_xy,v / Σ_v S_yy,v, the pooled within-variant slope of x on y. */
  theta: number;
  /** ȳ over all variants' users: adjusted means stay on the metric's own scale. */
  covariateMean: number;
  /** Per variant, in input order: mean and sample variance of x − θ(y − ȳ). */
  adjusted: Moments[];
}

export interface CupedResult extends Comparison {
  theta: number;
  /** 1 − se²(adjusted lift) / se²(unadjusted lift): the share of the lift's variance removed. */
  varianceReduction: number;
  /** The same Welch test on x alone, for comparison. */
  unadjusted: Comparison;
}

/**
 * θ pools the variants' centred sums: θ = Σ_v S_xy,v / Σ_v S_yy,v with S_ab,v = Σab − Σa·Σb/n_v.
 * That is the OLS slope of x ~ variant + y, so the adjusted difference equals the OLS treatment
 * coefficient (the fixture shows it against statsmodels OLS). The pooled total-sample slope would
 * do as well in expectation, but a lift in x would leak into it. A covariate without variance gives
 * θ = 0 (no adjustment). Then, per variant:
 *   mean = x̄ − θ(ȳ_v − ȳ),   variance = s_x² + θ²s_y² − 2θ·s_xy.
 */
export function cupedAdjust(variants: readonly BivariateStats[]): CupedAdjustment {
  const moments = variants.map((v, i) => bivariateMoments(v, `variant ${i}`));
  let sxy = 0;
  let syy = 0;
  let n = 0;
  let sumY = 0;
  for (const m of moments) {
    sxy += m.covXY * (m.n - 1);
    syy += m.varY * (m.n - 1);
    n += m.n;
    sumY += m.meanY * m.n;
  }
  const theta = syy > 0 ? sxy / syy : 0;
  const covariateMean = sumY / n;
  const adjusted = moments.map((m) => ({
    n: m.n,
    mean: m.meanX - theta * (m.meanY - covariateMean),
    variance: Math.max(0, m.varX + theta ** 2 * m.varY - 2 * theta * m.covXY),
  }));
  return { theta, covariateMean, adjusted };
}

/**
 * Welch's t-test on CUPED-adjusted control and treatment, θ pooled over the two. θ is treated as
 * known, the standard practice; its estimation error is O(1/n) and negligible at experiment sizes.
 */
export function cupedTest(control: BivariateStats, treatment: BivariateStats, { confidence = DEFAULT_CONFIDENCE }: StatsOptions = {}): CupedResult {
  const { theta, adjusted } = cupedAdjust([control, treatment]);
  const result = welchTestFromMoments(adjusted[0]!, adjusted[1]!, { confidence });
  const raw = [control, treatment].map((s) => {
    const m = bivariateMoments(s);
    return { n: m.n, mean: m.meanX, variance: m.varX };
  });
  const unadjusted = welchTestFromMoments(raw[0]!, raw[1]!, { confidence });
  return { ...result, theta, varianceReduction: 1 - result.absolute.se ** 2 / unadjusted.absolute.se ** 2, unadjusted };
}
