/** A result in plain words, for people who should not have to read intervals. */
import { alphaOf, type Estimate } from "./lift";

export type Verdict = "better" | "worse" | "not yet clear";

export interface VerdictResult {
  verdict: Verdict;
  /** The confidence level the verdict was reached at. */
  confidence: number;
  /** The significance level used, 1 − confidence. */
  alpha: number;
  /** One sentence for the dashboard. */
  summary: string;
}

export interface VerdictOptions {
  /** True for watch time or retention, false for metrics to push down (rebuffering, churn). */
  higherIsBetter: boolean;
  /**
   * The lift's p-value after a multiple-comparison correction (correction.ts), when several
   * metrics or variants are read together: the verdict then also needs adjustedPValue < α.
   */
  adjustedPValue?: number;
}

/**
 * "better" or "worse" once the interval of the lift lies wholly on one side of 0, else "not yet
 * clear" (an interval with NaN bounds included). Takes any result carrying a confidence level and an
 * absolute lift (Comparison, CupedResult, SequentialResult); for the fixed-horizon tests the
 * interval excludes 0 exactly when p < α, except for proportions, whose test uses a pooled variance.
 */
export function verdict(result: { confidence: number; absolute: Pick<Estimate, "lower" | "upper"> }, { higherIsBetter, adjustedPValue }: VerdictOptions): VerdictResult {
  const { confidence } = result;
  const alpha = alphaOf(confidence);
  const level = `${+(confidence * 100).toFixed(2)}%`;
  const { lower, upper } = result.absolute;
  const direction = lower > 0 ? 1 : upper < 0 ? -1 : 0;
  const done = (v: Verdict, summary: string): VerdictResult => ({ verdict: v, confidence, alpha, summary });

  if (direction === 0) return done("not yet clear", `Not yet clear: the ${level} interval still includes no change.`);
  if (adjustedPValue !== undefined && !(adjustedPValue < alpha)) {
    return done("not yet clear", `Not yet clear: the ${level} interval excludes no change, but not after correcting for the other comparisons (adjusted p = ${adjustedPValue.toPrecision(2)}).`);
  }
  const good = (direction > 0) === higherIsBetter;
  const side = direction > 0 ? "up" : "down";
  return good
    ? done("better", `Better: the metric moved ${side}, and the ${level} interval excludes no change.`)
    : done("worse", `Worse: the metric moved ${side}, and the ${level} interval excludes no change.`);
}
