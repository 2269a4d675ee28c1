/**
 * What the statistics engine reads: per-variant sufficient statistics, summed in SQL over users
 * (server/stats loads them, lib/stats never sees a per-user row). Every test in lib/stats is a
 * function of these sums alone.
 *
 * Winsorization (capping each user's value at a percentile) happens in SQL before summing; pass the
 * capped sums as they are, every test here then treats the capped values as the data.
 */
import { z } from "zod";

const count = z.number().int().min(0);
const sum = z.number().finite();

/** A per-user metric averaged over users (watch minutes per user, titles started per user). */
export const meanStatsSchema = z.object({
  /** Users in the variant. */
  n: count,
  /** Σx over users. */
  sum,
  /** Σx² over users. */
  sumSq: sum.min(0),
});
export type MeanStats = z.infer<typeof meanStatsSchema>;

/** A yes/no outcome per user (retained on day 7, converted to paid). */
export const proportionStatsSchema = z
  .object({
    /** Users in the variant. */
    n: count,
    /** Users with the outcome. */
    successes: count,
  })
  .refine((s) => s.successes <= s.n, "successes exceed n");
export type ProportionStats = z.infer<typeof proportionStatsSchema>;

/**
 * Two values per user. For CUPED, x is the metric and y its pre-experiment covariate (the same
 * metric over the weeks before assignment). For a ratio metric, x is the numerator and y the
 * denominator (x = watch minutes, y = sessions: the metric is Σx / Σy).
 */
export const bivariateStatsSchema = z.object({
  n: count,
  sumX: sum,
  sumY: sum,
  sumXX: sum.min(0),
  sumYY: sum.min(0),
  sumXY: sum,
});
export type BivariateStats = z.infer<typeof bivariateStatsSchema>;

/** Sample mean and variance (n − 1 denominator) of a per-user value. */
export interface Moments {
  n: number;
  mean: number;
  variance: number;
}

/** Sample moments of both values and their covariance, all with the n − 1 denominator. */
export interface BivariateMoments {
  n: number;
  meanX: number;
  meanY: number;
  varX: number;
  varY: number;
  covXY: number;
}

/** Every test compares variances, which need two users. */
function requireUsers(n: number, label: string): void {
  if (!(Number.isInteger(n) && n >= 2)) throw new RangeError(`${label} needs at least 2 users, got n = ${n}`);
}

/** Σ(a − ā)(b − b̄) from sums: Σab − Σa·Σb/n. Rounding can push a sum of squares below 0; callers floor it. */
const centred = (sumAB: number, sumA: number, sumB: number, n: number) => sumAB - (sumA * sumB) / n;

/** Mean and sample variance (Σx² − (Σx)²/n) / (n − 1). Throws when n < 2. */
export function meanMoments(s: MeanStats, label = "variant"): Moments {
  requireUsers(s.n, label);
  return { n: s.n, mean: s.sum / s.n, variance: Math.max(0, centred(s.sumSq, s.sum, s.sum, s.n)) / (s.n - 1) };
}

/** Rate p and the per-user variance p(1 − p) of a 0/1 outcome (the n denominator, as z-tests use). */
export function proportionMoments(s: ProportionStats, label = "variant"): Moments {
  requireUsers(s.n, label);
  if (!(s.successes >= 0 && s.successes <= s.n)) throw new RangeError(`${label}: successes must be in [0, n], got ${s.successes} of ${s.n}`);
  const p = s.successes / s.n;
  return { n: s.n, mean: p, variance: p * (1 - p) };
}

export function bivariateMoments(s: BivariateStats, label = "variant"): BivariateMoments {
  requireUsers(s.n, label);
  const d = s.n - 1;
  return {
    n: s.n,
    meanX: s.sumX / s.n,
    meanY: s.sumY / s.n,
    varX: Math.max(0, centred(s.sumXX, s.sumX, s.sumX, s.n)) / d,
    varY: Math.max(0, centred(s.sumYY, s.sumY, s.sumY, s.n)) / d,
    covXY: centred(s.sumXY, s.sumX, s.sumY, s.n) / d,
  };
}

/** A 0/1 outcome as a mean metric (x² = x), for the tests that take mean statistics. */
export function proportionAsMean(s: ProportionStats): MeanStats {
  return { n: s.n, sum: s.successes, sumSq: s.successes };
}
