/**
 * The only door to probability distributions in lib/stats: @stdlib's CDFs and quantiles, never
 * hand-written ones. Tails are taken on the side that keeps small p-values precise.
 */
import chiSquareCdf from "@stdlib/stats-base-dists-chisquare-cdf";
import normalCdfStd from "@stdlib/stats-base-dists-normal-cdf";
import normalQuantileStd from "@stdlib/stats-base-dists-normal-quantile";
import tCdfStd from "@stdlib/stats-base-dists-t-cdf";
import tQuantileStd from "@stdlib/stats-base-dists-t-quantile";

/** Φ(x), the standard normal CDF. */
export const normalCdf = (x: number): number => normalCdfStd(x, 0, 1);

/** Φ⁻¹(p). */
export const normalQuantile = (p: number): number => normalQuantileStd(p, 0, 1);

/** CDF of Student's t with `df` degrees of freedom (df need not be an integer). */
export const tCdf = (x: number, df: number): number => tCdfStd(x, df);

export const tQuantile = (p: number, df: number): number => tQuantileStd(p, df);

/**
 * P(χ²(df) > x). Computed as 1 − CDF, so it is exact to ~1e-16 absolute but not relative:
 * fine for comparing against thresholds such as 0.001, not for reporting p = 1e-20.
 */
export const chiSquareSf = (x: number, df: number): number => 1 - chiSquareCdf(x, df);

/** Two-sided p-value of a z statistic: 2·Φ(−|z|). */
export const twoSidedNormalP = (z: number): number => 2 * normalCdf(-Math.abs(z));

/** Two-sided p-value of a t statistic: 2·F_t(−|t|; df). */
export const twoSidedTP = (t: number, df: number): number => 2 * tCdf(-Math.abs(t), df);
