/**
 * JSON shapes of experiment results: GET /api/experiments/:key/results (and its CSV twin,
 * `?format=csv`), GET /api/experiments/:key/results/power, and the per-day snapshots of
 * sufficient statistics they are computed from (server/results).
 *
 * Numbers that are not finite (a relative lift against a control mean of 0) arrive as null in JSON.
 */
import type { BivariateStats, Estimate, MeanStats, VariantEstimate } from "../stats";
import type { AnalysisSettings } from "../experiments/analysis-settings";
import type { MetricKind } from "../metrics/catalog";

/**
 * One variant's sufficient statistics for every metric, as of the end of a day: sums over its users
 * of each user's value since first exposure (capped as the snapshot says). `bivariate` holds x = the
 * metric, y = its pre-exposure covariate (CUPED) — or, for ratio metrics, x = numerator and
 * y = denominator. Proportions are MeanStats of 0/1 values over users who could be observed.
 */
export interface VariantSnapshot {
  variantKey: string;
  /** Users assigned by the end of the day. */
  users: number;
  /** Of those, users assigned since the experiment's current weights took effect (the SRM check's population). */
  usersSinceWeights: number;
  /**
   * Per metric id. Mean metrics: `mean` is the metric, `bivariate` x = metric, y = the same metric
   * over the 7 days before first exposure. Proportions (D1, D7): n counts only users observable on
   * that day (exposed at least 1 or 7 days before the snapshot's day); y = share of the 7 days
   * before exposure with a watch. Ratio: `bivariate` x = watch minutes, y = sessions (both capped as
   * their own metrics); `mean` is the numerator alone.
   */
  metrics: Record<string, { mean: MeanStats; bivariate: BivariateStats }>;
}

/** Bumped when the snapshot's meaning changes: snapshots of another format are recomputed. */
export const SNAPSHOT_FORMAT = 1;

export interface SnapshotStats {
  /** SNAPSHOT_FORMAT at the time of computing. */
  format: number;
  /** The UTC day the statistics run up to (inclusive), YYYY-MM-DD. */
  asOfDay: string;
  /** Winsorization percentile (1 = no capping). */
  capPercentile: number;
  variants: VariantSnapshot[];
  /** The cap applied per metric (the percentile's value), where capping is on. */
  caps: Record<string, number>;
  /** The cap applied to each metric's pre-exposure covariate, where capping is on. */
  covariateCaps: Record<string, number>;
  /**
   * Mean per exposed user of each metric on that day alone, per variant: the daily chart.
   * daily[metricId][variantKey]. D1/D7: the rate among users exposed exactly 1/7 days before
   * (absent when there are none); the ratio: that day's Σ watch minutes / Σ sessions.
   */
  daily: Record<string, Record<string, number>>;
  /** experiment.weights_since when computed (ISO), which `usersSinceWeights` counts from. */
  weightsSince: string | null;
  /**
   * The newest day with any row in user_daily_stat when computed: a snapshot of a past day whose
   * data did not reach past it yet (a backfill, a catch-up) is computed again once it does.
   */
  dataThrough: string | null;
  /** How long the SQL took, ms. */
  computeMs: number;
}

export type VerdictWord = "better" | "worse" | "not yet clear";

export interface MetricComparison {
  variantKey: string;
  /** Control vs this variant. */
  absolute: Estimate;
  relative: Estimate;
  pValue: number;
  /** After the experiment's multiple-comparison correction. */
  adjustedPValue: number;
  verdict: VerdictWord;
  /** One sentence, e.g. "+4.1% (+2.0% to +6.2%), better". */
  summary: string;
  /** The verdict in a full sentence (lib/stats verdict), e.g. "Better: the metric moved up, and the 95% interval excludes no change." */
  explanation: string;
  /** The test behind the numbers. */
  method: "welch" | "cuped" | "proportions" | "ratio";
  /** True when p-value and intervals are always-valid (sequential mode), combined over the daily looks. */
  sequential: boolean;
}

export interface MetricResult {
  metricId: string;
  name: string;
  description: string;
  kind: MetricKind;
  role: "primary" | "secondary" | "guardrail";
  higherIsBetter: boolean;
  /**
   * Per variant (control first): users assigned, and the mean/rate/ratio (`value`, `se`, over `n`
   * users the metric covers: for D1/D7 only users observable yet) with its interval [lower, upper]
   * (null below 2 users).
   */
  variants: (VariantEstimate & { variantKey: string; users: number; lower: number | null; upper: number | null })[];
  /** Per non-control variant. */
  comparisons: MetricComparison[];
  /** CUPED's variance reduction (0.3 = 30% narrower variance), when applied. */
  varianceReduction: number | null;
  /** A guardrail whose verdict is "worse": shown loudly. */
  breached: boolean;
  /** The cap applied to per-user values (winsorization), or null when capping is off or not applicable. */
  cap: number | null;
  /** Why comparisons are missing or thin, e.g. "D7 retention counts users exposed at least 7 days ago: none yet." */
  note: string | null;
}

/** Below this many users in a variant, results are shown but marked unreliable. */
export const MIN_USERS_PER_VARIANT = 100;

export interface ResultsHealth {
  /**
   * Sample ratio mismatch over users assigned since the current weights took effect: `observed`
   * are user counts, `observedShare` and `expectedShare` shares of them (mismatch: p < 0.001).
   */
  srm: { pValue: number; mismatch: boolean; observed: Record<string, number>; observedShare: Record<string, number>; expectedShare: Record<string, number> };
  /** Fewer users than MIN_USERS_PER_VARIANT in some variant: results shown but marked unreliable. */
  tooFewUsers: boolean;
  minUsersPerVariant: number;
  messages: string[];
}

export interface CumulativePoint {
  day: string;
  /** Relative lift of the primary metric vs control, per variant: estimate and interval. */
  lift: Record<string, { estimate: number; lower: number; upper: number }>;
}

export interface ResultsVariant {
  key: string;
  name: string;
  isControl: boolean;
  weight: number;
}

export interface ExperimentResults {
  experimentKey: string;
  experimentName: string;
  status: string;
  /** Every variant with its display name: the control first, then the experiment's order. */
  variants: ResultsVariant[];
  primaryMetric: string;
  /** Why results are empty (a draft, no data yet), else null. */
  message: string | null;
  settings: AnalysisSettings;
  /** The day the newest snapshot covers, and when it was computed. */
  asOfDay: string | null;
  computedAt: string | null;
  controlKey: string;
  health: ResultsHealth;
  metrics: MetricResult[];
  cumulative: CumulativePoint[];
  /** Per day, per variant, the primary metric's daily mean per exposed user. */
  daily: { day: string; values: Record<string, number> }[];
}

/**
 * GET /api/experiments/:key/results/power: the smallest lift detectable now, the users needed for
 * a target lift, and the power at the current size. The baseline comes from the query
 * (baselineMean + baselineSd, or baselineRate) or else from the control's latest results.
 */
export interface PowerResponse {
  metricId: string;
  baseline: { mean: number; sd: number } | { rate: number } | null;
  baselineSource: "query" | "control" | "none";
  confidence: number;
  power: number;
  /** Users in the smallest variant so far (the size the test has now). */
  usersPerArm: number;
  /** Minimum detectable effect with `usersPerArm` users per arm (null without a baseline or users). */
  mdeNow: { absolute: number; relative: number } | null;
  /** With `mde` given: users per arm to detect that relative lift. */
  requiredPerArm: number | null;
  /** With `mde` given: the power to detect it at the current size. */
  powerNow: number | null;
  /** The relative lift asked about, if any. */
  mde: number | null;
}
