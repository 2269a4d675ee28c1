/**
 * Sample ratio mismatch: are users split across variants as the weights say? A mismatch means the
 * assignment or the logging is broken (a redirect that loses users, a bot filter that hits one
 * variant), and every other result of the experiment is suspect.
 */
import { chiSquareSf } from "./distributions";

/** The usual SRM alarm level: strict, because the check runs on every experiment, every day. */
export const SRM_THRESHOLD = 0.001;

export interface SrmResult {
  /** Pearson's χ² = Σ (observed − expected)² / expected over variants with weight > 0. */
  statistic: number;
  /** Variants with weight > 0, minus 1. */
  df: number;
  pValue: number;
  /** Each variant's share of users, in input order. */
  observedShares: number[];
  /** Each variant's weight / Σweights, in input order. */
  expectedShares: number[];
  /** pValue < threshold. */
  mismatch: boolean;
  threshold: number;
}

/**
 * χ² goodness of fit of observed user counts against the variants' weights (as
 * scipy.stats.chisquare). A zero-weight variant should get nobody: it drops out when empty, and any
 * user in it is a mismatch outright (statistic Infinity, p = 0). The threshold does not follow the
 * confidence setting; SRM has its own alarm level. Throws on malformed input and on no users at all.
 */
export function sampleRatioMismatch(counts: readonly number[], weights: readonly number[], { threshold = SRM_THRESHOLD } = {}): SrmResult {
  if (counts.length !== weights.length) throw new RangeError(`${counts.length} counts but ${weights.length} weights`);
  if (counts.some((c) => !(Number.isInteger(c) && c >= 0))) throw new RangeError(`counts must be integers ≥ 0, got [${counts.join(", ")}]`);
  if (weights.some((w) => !(w >= 0 && Number.isFinite(w)))) throw new RangeError(`weights must be finite and ≥ 0, got [${weights.join(", ")}]`);
  const live = weights.filter((w) => w > 0).length;
  if (live === 0) throw new RangeError("weights must sum to more than 0");
  const total = counts.reduce((s, c) => s + c, 0);
  if (total === 0) throw new RangeError("SRM needs at least one user");
  const weightTotal = weights.reduce((s, w) => s + w, 0);

  let statistic = 0;
  counts.forEach((observed, i) => {
    const expected = (total * weights[i]!) / weightTotal;
    if (expected > 0) statistic += (observed - expected) ** 2 / expected;
    else if (observed > 0) statistic = Infinity;
  });
  const df = live - 1;
  // One live variant (df 0): everyone belongs to it, so the statistic is 0 (fine) or Infinity.
  const pValue = statistic === Infinity ? 0 : df === 0 ? 1 : chiSquareSf(statistic, df);
  return {
    statistic,
    df,
    pValue,
    observedShares: counts.map((c) => c / total),
    expectedShares: weights.map((w) => w / weightTotal),
    mismatch: pValue < threshold,
    threshold,
  };
}
