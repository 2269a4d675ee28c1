/**
 * Per-variant sufficient statistics of every catalog metric for one experiment as of the end of a
 * UTC day, in ONE SQL statement: per-user values never leave Postgres, Node gets one row per
 * variant (n, Σx, Σx², Σy, Σy², Σxy per metric).
 *
 * Exposure is at day granularity: a user's window starts at d0 = the UTC day of assigned_at (first
 * exposure), and the WHOLE of d0 counts, including what they watched that day before being exposed.
 * user_daily_stat has no finer grain; the bias is the same in every variant, so lifts stay unbiased
 * (only diluted a little on the first day).
 *
 *   metric value     Σ over days d0..asOfDay of the day's figure
 *   CUPED covariate  the same Σ over the 7 days before d0 (d0−7..d0−1)
 *   D1 / D7          watched on d0+1 / d0+7, for users with d0+1 / d0+7 ≤ asOfDay only (else unobservable)
 *   ratio            x = watch minutes, y = sessions, both as their own (capped) metrics: Σx / Σy
 *   caps             percentile_cont(capPercentile) over all the experiment's users (pooled
 *                    variants), per metric and per covariate, computed in the same statement
 */
import type pg from "pg";
import { SNAPSHOT_FORMAT, type SnapshotStats, type VariantSnapshot } from "../../lib/api/results";
import type { BivariateStats } from "../../lib/stats";
import { withTransaction } from "../db/pool";

/** Mean metrics: the per-day figure summed over the user's days. Keys are catalog ids. */
const MEAN_METRICS: readonly (readonly [id: string, dayExpr: string])[] = [
  ["watch_time", "s.watch_seconds / 60.0"],
  ["sessions", "s.sessions"],
  ["distinct_titles", "s.distinct_titles"],
  ["likes", "s.likes"],
  ["ratings", "s.ratings"],
  ["dislikes", "s.dislikes"],
];

/** Proportions: watched on day d0 + offset. */
const RETENTION_METRICS: readonly (readonly [id: string, offset: number])[] = [
  ["d1_retention", 1],
  ["d7_retention", 7],
];

const RATIO_METRIC = { id: "watch_time_per_session", numerator: "watch_time", denominator: "sessions" } as const;

/** Every metric the snapshot covers (the whole catalog). */
export const SNAPSHOT_METRICS = [...MEAN_METRICS.map(([id]) => id), ...RETENTION_METRICS.map(([id]) => id), RATIO_METRIC.id];

const PRE_DAYS = 7;

/**
 * The statement. $1 experiment id, $2 as-of day, $3 cap percentile (capped only). With capping off (cap = 1) the
 * caps CTE is skipped altogether: percentile_cont(1) is the max, capping at it changes nothing, and
 * the 12 sorts it needs are most of the statement's cost.
 */
function snapshotSql(capped: boolean): string {
  const perUser = [
    ...MEAN_METRICS.flatMap(([id, e]) => [
      `coalesce(sum(${e}) FILTER (WHERE s.day >= a.d0), 0)::float8 AS "m_${id}"`,
      `coalesce(sum(${e}) FILTER (WHERE s.day < a.d0), 0)::float8 AS "p_${id}"`,
    ]),
    ...RETENTION_METRICS.map(
      ([id, k]) => `CASE WHEN a.d0 + ${k} <= $2::date THEN (count(*) FILTER (WHERE s.day = a.d0 + ${k} AND s.watch_count > 0))::float8 END AS "m_${id}"`,
    ),
    `(count(*) FILTER (WHERE s.day < a.d0 AND s.watch_count > 0))::float8 / ${PRE_DAYS} AS active_pre`,
  ];
  const cappedCols = MEAN_METRICS.flatMap(([id]) => [`m_${id}`, `p_${id}`]);
  const caps = capped
    ? `caps AS (SELECT ${cappedCols.map((c) => `percentile_cont($3::float8) WITHIN GROUP (ORDER BY "${c}") AS "${c}"`).join(",\n    ")} FROM u),`
    : `caps AS (SELECT ${cappedCols.map((c) => `'Infinity'::float8 AS "${c}"`).join(", ")}),`;
  const x = (id: string) => `least(u."m_${id}", k."m_${id}")`;
  const y = (id: string) => `least(u."p_${id}", k."p_${id}")`;
  const sums = (name: string, xe: string, ye: string, filter = "") => {
    const f = filter ? ` FILTER (WHERE ${filter})` : "";
    return [
      `count(*)${f} AS "${name}.n"`,
      `coalesce(sum(${xe})${f}, 0) AS "${name}.sx"`,
      `coalesce(sum((${xe}) * (${xe}))${f}, 0) AS "${name}.sxx"`,
      `coalesce(sum(${ye})${f}, 0) AS "${name}.sy"`,
      `coalesce(sum((${ye}) * (${ye}))${f}, 0) AS "${name}.syy"`,
      `coalesce(sum((${xe}) * (${ye}))${f}, 0) AS "${name}.sxy"`,
    ];
  };
  const perVariant = [
    "u.variant_key",
    "count(*) AS users",
    "count(*) FILTER (WHERE u.since_weights) AS users_since_weights",
    ...MEAN_METRICS.flatMap(([id]) => sums(id, x(id), y(id))),
    ...RETENTION_METRICS.flatMap(([id, k]) => [
      ...sums(id, `u."m_${id}"`, "u.active_pre", `u."m_${id}" IS NOT NULL`),
      `avg(u."m_${id}") FILTER (WHERE u.d0 = $2::date - ${k}) AS "${id}.daily"`,
    ]),
    ...sums(RATIO_METRIC.id, x(RATIO_METRIC.numerator), x(RATIO_METRIC.denominator)),
  ];
  // The day alone needs no per-user grouping: that day's rows of the assigned users, summed per variant.
  const perDay = [
    ...MEAN_METRICS.map(([id, e]) => `coalesce(sum(${e}), 0)::float8 AS "d_${id}"`),
  ];
  return `
WITH a AS MATERIALIZED (
  -- Materialized so that d0 is computed once per user, not in every FILTER below.
  SELECT a.user_id, a.variant_key, (a.assigned_at AT TIME ZONE 'UTC')::date AS d0,
         a.assigned_at >= coalesce(e.weights_since, '-infinity'::timestamptz) AS since_weights,
         -- Not needed for correctness (users are assigned after the start); lets the scan skip older history.
         coalesce((e.started_at AT TIME ZONE 'UTC')::date - ${PRE_DAYS}, '-infinity'::date) AS lo
  FROM assignment a JOIN experiment e ON e.id = a.experiment_id
  WHERE a.experiment_id = $1 AND a.assigned_at < ($2::date + 1)::timestamp AT TIME ZONE 'UTC'
),
u AS (
  SELECT a.user_id, a.variant_key, a.d0, a.since_weights,
    ${perUser.join(",\n    ")}
  FROM a
  LEFT JOIN user_daily_stat s ON s.user_id = a.user_id AND s.day BETWEEN a.d0 - ${PRE_DAYS} AND $2::date AND s.day >= a.lo
  GROUP BY a.user_id, a.variant_key, a.d0, a.since_weights
),
${caps}
v AS (
  SELECT ${perVariant.join(",\n    ")}
  FROM u CROSS JOIN caps k
  GROUP BY u.variant_key
),
d AS (
  SELECT a.variant_key, ${perDay.join(", ")}
  FROM a JOIN user_daily_stat s ON s.user_id = a.user_id AND s.day = $2::date
  GROUP BY a.variant_key
)
SELECT v.*, ${[
    ...MEAN_METRICS.map(([id]) => `coalesce(d."d_${id}", 0) / v.users AS "${id}.daily"`),
    `d."d_${RATIO_METRIC.numerator}" / nullif(d."d_${RATIO_METRIC.denominator}", 0) AS "${RATIO_METRIC.id}.daily"`,
  ].join(", ")},
  ${cappedCols.map((c) => `k."${c}" AS "cap.${c}"`).join(", ")}, w.weights_since, w.data_through
-- One row even without any user, for the experiment-wide facts.
FROM (SELECT (SELECT weights_since FROM experiment WHERE id = $1) AS weights_since, (SELECT max(day)::text FROM user_daily_stat) AS data_through) w
LEFT JOIN (v CROSS JOIN caps k LEFT JOIN d USING (variant_key)) ON true
ORDER BY v.variant_key`;
}

const SQL = { capped: snapshotSql(true), uncapped: snapshotSql(false) };

type Row = Record<string, unknown>;

const num = (row: Row, column: string): number => {
  const v = row[column];
  return v === null || v === undefined ? 0 : Number(v);
};

function bivariate(row: Row, name: string): BivariateStats {
  return {
    n: num(row, `${name}.n`),
    sumX: num(row, `${name}.sx`),
    sumY: num(row, `${name}.sy`),
    sumXX: num(row, `${name}.sxx`),
    sumYY: num(row, `${name}.syy`),
    sumXY: num(row, `${name}.sxy`),
  };
}

const meanOf = (b: BivariateStats) => ({ n: b.n, sum: b.sumX, sumSq: b.sumXX });

/**
 * Memory for the statement's per-user hash join and aggregation (1M users need a few hundred MB;
 * below that they spill to temporary files, ~15% slower at 1M users). Set for its transaction only.
 */
const WORK_MEM = "128MB";

/**
 * The snapshot of `experimentId` as of the end of `asOfDay` (YYYY-MM-DD, UTC), per-user values
 * capped at `capPercentile` of the experiment's users (1 = no cap). Variants without any user
 * assigned yet are absent. Given a client, it must be inside a transaction (work_mem is SET LOCAL);
 * given a pool, it opens one.
 */
export async function computeSnapshot(db: pg.Pool | pg.PoolClient, experimentId: number, asOfDay: string, capPercentile: number): Promise<SnapshotStats> {
  if (!(capPercentile > 0 && capPercentile <= 1)) throw new RangeError(`capPercentile must be in (0, 1], got ${capPercentile}`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOfDay)) throw new RangeError(`asOfDay must be YYYY-MM-DD, got ${asOfDay}`);
  // Duck-typed, not instanceof: Next may bundle its own copy of pg for route handlers.
  if (!("release" in db)) return withTransaction(db, (client) => computeSnapshot(client, experimentId, asOfDay, capPercentile));
  const started = performance.now();
  const capped = capPercentile < 1;
  await db.query(`SET LOCAL work_mem = '${WORK_MEM}'`);
  const { rows } = capped
    ? await db.query<Row>(SQL.capped, [experimentId, asOfDay, capPercentile])
    : await db.query<Row>(SQL.uncapped, [experimentId, asOfDay]);
  const computeMs = performance.now() - started;

  const variants: VariantSnapshot[] = [];
  const daily: Record<string, Record<string, number>> = Object.fromEntries(SNAPSHOT_METRICS.map((id) => [id, {}]));
  const first = rows[0];
  for (const row of rows) {
    if (row.variant_key === null) continue; // nobody assigned yet: only the experiment-wide row
    const variantKey = String(row.variant_key);
    const metrics: VariantSnapshot["metrics"] = {};
    for (const id of SNAPSHOT_METRICS) {
      const b = bivariate(row, id);
      metrics[id] = { mean: meanOf(b), bivariate: b };
      const d = row[`${id}.daily`];
      if (d !== null && d !== undefined) daily[id]![variantKey] = Number(d);
    }
    variants.push({ variantKey, users: num(row, "users"), usersSinceWeights: num(row, "users_since_weights"), metrics });
  }

  const caps: Record<string, number> = {};
  const covariateCaps: Record<string, number> = {};
  if (capped && variants.length > 0 && first) {
    for (const [id] of MEAN_METRICS) {
      caps[id] = num(first, `cap.m_${id}`);
      covariateCaps[id] = num(first, `cap.p_${id}`);
    }
  }
  const weightsSince = first?.weights_since instanceof Date ? first.weights_since.toISOString() : null;
  const dataThrough = typeof first?.data_through === "string" ? first.data_through : null;
  return { format: SNAPSHOT_FORMAT, asOfDay, capPercentile, variants, caps, covariateCaps, daily, weightsSince, dataThrough, computeMs: Math.round(computeMs * 10) / 10 };
}
