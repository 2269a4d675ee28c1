/**
 * The statistics engine for experiment results: pure functions over per-variant sufficient
 * statistics (sums over users, computed in SQL by server/results/compute-snapshot.ts). Treatment is always compared with
 * control as treatment − control; every interval is two-sided at the `confidence` option (0.95 by
 * default). Reference values come from scipy/statsmodels, see make-fixtures.py.
 *
 *   mean metric       welchTest        Welch t, absolute + relative lift
 *   yes/no metric     proportionsTest  two-proportion z
 *   with covariate    cupedTest        CUPED, then Welch
 *   Σx / Σy metric    ratioTest        delta method, z
 *   read every day    sequentialTest   mSPRT: always-valid p-value and interval; combineLooks
 *   split health      sampleRatioMismatch
 *   many metrics      adjustPValues    Holm or Benjamini–Hochberg
 *   planning          minimumDetectableEffect, sampleSizePerArm, powerOf
 *   plain words       verdict
 */
export { adjustPValues, benjaminiHochberg, holm, type CorrectionMethod } from "./correction";
export { cupedAdjust, cupedTest, type CupedAdjustment, type CupedResult } from "./cuped";
export { CONFIDENCE_LEVELS, DEFAULT_CONFIDENCE, alphaOf, type Comparison, type Estimate, type StatsOptions, type VariantEstimate } from "./lift";
export { DEFAULT_POWER, minimumDetectableEffect, powerOf, sampleSizePerArm, type Baseline, type DesignOptions } from "./power";
export { proportionsTest } from "./proportions";
export { ratioEstimate, ratioTest } from "./ratio";
export { combineLooks, optimalTauSquared, sequentialTest, type SequentialOptions, type SequentialResult } from "./sequential";
export { SRM_THRESHOLD, sampleRatioMismatch, type SrmResult } from "./srm";
export {
  bivariateStatsSchema,
  meanStatsSchema,
  proportionAsMean,
  proportionStatsSchema,
  type BivariateStats,
  type MeanStats,
  type Moments,
  type ProportionStats,
} from "./sufficient-stats";
export { verdict, type Verdict, type VerdictOptions, type VerdictResult } from "./verdict";
export { welchTest, welchTestFromMoments } from "./welch";
