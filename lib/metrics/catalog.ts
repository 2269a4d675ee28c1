/**
 * The metric catalog: every metric an experiment can name, defined once. Results (lib/stats,
 * server/results) compute them per user since first exposure; the experiment form and results
 * pages show the descriptions from here.
 */

/**
 * - mean: a per-user number averaged over users (Welch t-test)
 * - proportion: a per-user yes/no (two-proportion z-test)
 * - ratio: Σ numerator / Σ denominator over users (delta method)
 */
export type MetricKind = "mean" | "proportion" | "ratio";

export interface MetricDefinition {
  id: string;
  name: string;
  description: string;
  kind: MetricKind;
  /** Whether an increase is good news; guardrails alert on a significant move the other way. */
  higherIsBetter: boolean;
  /** How one user's value is shown. */
  unit: "minutes" | "count" | "share" | "minutes per session";
}

export const METRICS = [
  {
    id: "watch_time",
    name: "Watch time",
    description: "Minutes watched per user since first exposure.",
    kind: "mean",
    higherIsBetter: true,
    unit: "minutes",
  },
  {
    id: "sessions",
    name: "Sessions",
    description: "Sessions per user since first exposure; a session ends after 30 minutes without a watch.",
    kind: "mean",
    higherIsBetter: true,
    unit: "count",
  },
  {
    id: "distinct_titles",
    name: "Distinct titles",
    description: "Different titles a user watched since first exposure (summed over days).",
    kind: "mean",
    higherIsBetter: true,
    unit: "count",
  },
  {
    id: "likes",
    name: "Likes",
    description: "Likes given per user since first exposure.",
    kind: "mean",
    higherIsBetter: true,
    unit: "count",
  },
  {
    id: "ratings",
    name: "Ratings",
    description: "Ratings given per user since first exposure.",
    kind: "mean",
    higherIsBetter: true,
    unit: "count",
  },
  {
    id: "dislikes",
    name: "Dislikes",
    description: "Dislikes given per user since first exposure; a guardrail for recommendations people reject.",
    kind: "mean",
    higherIsBetter: false,
    unit: "count",
  },
  {
    id: "d1_retention",
    name: "D1 retention",
    description: "Share of users who watched on the day after their first exposure (among users exposed at least a day ago).",
    kind: "proportion",
    higherIsBetter: true,
    unit: "share",
  },
  {
    id: "d7_retention",
    name: "D7 retention",
    description: "Share of users who watched on the 7th day after their first exposure (among users exposed at least 7 days ago).",
    kind: "proportion",
    higherIsBetter: true,
    unit: "share",
  },
  {
    id: "watch_time_per_session",
    name: "Watch time per session",
    description: "Total minutes watched ÷ total sessions, over all users of the variant (a ratio metric, delta method).",
    kind: "ratio",
    higherIsBetter: true,
    unit: "minutes per session",
  },
] as const satisfies readonly MetricDefinition[];

export type MetricId = (typeof METRICS)[number]["id"];
export const METRIC_IDS = METRICS.map((m) => m.id) as [MetricId, ...MetricId[]];

const BY_ID = new Map<string, MetricDefinition>(METRICS.map((m) => [m.id, m]));

export function getMetric(id: string): MetricDefinition | undefined {
  return BY_ID.get(id);
}
