/**
 * experiment_result_snapshot: one row per (experiment, as-of day, cap percentile) holding the
 * day's SnapshotStats. Computing one runs the snapshot SQL under a per-experiment advisory lock, so
 * several processes (web replicas, the refresher and an on-demand request) never compute the same
 * experiment at once, and a late comer finds the fresh row instead of recomputing it.
 */
import type pg from "pg";
import { SNAPSHOT_FORMAT, type SnapshotStats } from "../../lib/api/results";
import { addDays, toIsoDay } from "../../lib/format";
import { withTransaction } from "../db/pool";
import { computeSnapshot } from "./compute-snapshot";

/** Namespace of the advisory locks (two-int form: namespace, experiment id). */
const LOCK_NAMESPACE = 0x5352;

/** An experiment as the snapshot schedule needs it. */
export interface SnapshotSchedule {
  id: number;
  status: string;
  startedAt: Date | null;
  stoppedAt: Date | null;
}

/**
 * The days results exist for: from the start's UTC day to today, or to the stop's day once stopped
 * (what users did after the stop is not the experiment's). Empty before the start.
 */
export function snapshotDays(e: SnapshotSchedule, nowMs: number): string[] {
  if (!e.startedAt) return [];
  const first = toIsoDay(e.startedAt.getTime());
  const today = toIsoDay(nowMs);
  const last = e.stoppedAt && toIsoDay(e.stoppedAt.getTime()) < today ? toIsoDay(e.stoppedAt.getTime()) : today;
  const days: string[] = [];
  for (let d = first; d <= last; d = addDays(d, 1)) days.push(d);
  return days;
}

export interface SnapshotRow {
  day: string;
  computedAt: Date;
  stats: SnapshotStats;
}

/** Snapshots of one experiment at one cap, ascending by day, current format only. */
export async function loadSnapshots(pool: pg.Pool, experimentId: number, capPercentile: number, fromDay: string, toDay: string): Promise<SnapshotRow[]> {
  const { rows } = await pool.query<{ day: string; computed_at: Date; stats: SnapshotStats }>(
    `SELECT as_of_day::text AS day, computed_at, stats FROM experiment_result_snapshot
     WHERE experiment_id = $1 AND cap_percentile = $2 AND as_of_day BETWEEN $3::date AND $4::date
     ORDER BY as_of_day`,
    [experimentId, capPercentile, fromDay, toDay],
  );
  return rows.filter((r) => r.stats.format === SNAPSHOT_FORMAT).map((r) => ({ day: r.day, computedAt: r.computed_at, stats: r.stats }));
}

export interface SnapshotMeta {
  day: string;
  computedAt: Date;
  computeMs: number;
  format: number;
  weightsSince: string | null;
  dataThrough: string | null;
}

/** What the refresher needs to decide what is due, without the stats themselves. */
export async function listSnapshotMeta(pool: pg.Pool, experimentId: number, capPercentile: number): Promise<Map<string, SnapshotMeta>> {
  const { rows } = await pool.query<{ day: string; computed_at: Date; compute_ms: number | null; format: number | null; weights_since: string | null; data_through: string | null }>(
    `SELECT as_of_day::text AS day, computed_at, (stats->>'computeMs')::float8 AS compute_ms, (stats->>'format')::int AS format,
            stats->>'weightsSince' AS weights_since, stats->>'dataThrough' AS data_through
     FROM experiment_result_snapshot WHERE experiment_id = $1 AND cap_percentile = $2`,
    [experimentId, capPercentile],
  );
  return new Map(
    rows.map((r) => [
      r.day,
      { day: r.day, computedAt: r.computed_at, computeMs: r.compute_ms ?? 0, format: r.format ?? 0, weightsSince: r.weights_since, dataThrough: r.data_through },
    ]),
  );
}

/** The newest day with any activity row: how far the aggregated data reaches. */
export async function dataThrough(pool: pg.Pool): Promise<string | null> {
  const { rows } = await pool.query<{ day: string | null }>("SELECT max(day)::text AS day FROM user_daily_stat");
  return rows[0]?.day ?? null;
}

export interface RefreshOptions {
  experimentId: number;
  day: string;
  capPercentile: number;
  /** computed_at to store. */
  now: Date;
  /**
   * Recompute only if the stored row is missing, of another format, or computed before this
   * instant; null: only if missing (or of another format).
   */
  staleBefore: Date | null;
  /** Wait for another process computing this experiment (on-demand), instead of skipping (refresher). */
  wait: boolean;
}

/**
 * Computes and upserts one snapshot, unless someone else holds the experiment's lock (wait false)
 * or the stored row is fresh enough by the time the lock is ours. Returns the stats computed, or
 * null when nothing was done.
 */
export async function refreshSnapshot(pool: pg.Pool, o: RefreshOptions): Promise<SnapshotStats | null> {
  return withTransaction(pool, async (client) => {
    if (o.wait) {
      await client.query("SELECT pg_advisory_xact_lock($1, $2)", [LOCK_NAMESPACE, o.experimentId]);
    } else {
      const { rows } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_xact_lock($1, $2) AS ok", [LOCK_NAMESPACE, o.experimentId]);
      if (!rows[0]?.ok) return null;
    }
    const { rows: existing } = await client.query<{ computed_at: Date; format: number | null }>(
      `SELECT computed_at, (stats->>'format')::int AS format FROM experiment_result_snapshot
       WHERE experiment_id = $1 AND as_of_day = $2::date AND cap_percentile = $3`,
      [o.experimentId, o.day, o.capPercentile],
    );
    const row = existing[0];
    if (row && row.format === SNAPSHOT_FORMAT && (o.staleBefore === null || row.computed_at >= o.staleBefore)) return null;
    const stats = await computeSnapshot(client, o.experimentId, o.day, o.capPercentile);
    await client.query(
      `INSERT INTO experiment_result_snapshot (experiment_id, as_of_day, cap_percentile, computed_at, stats)
       VALUES ($1, $2::date, $3, $4, $5::jsonb)
       ON CONFLICT (experiment_id, as_of_day, cap_percentile) DO UPDATE SET computed_at = EXCLUDED.computed_at, stats = EXCLUDED.stats`,
      [o.experimentId, o.day, o.capPercentile, o.now, JSON.stringify(stats)],
    );
    return stats;
  });
}
