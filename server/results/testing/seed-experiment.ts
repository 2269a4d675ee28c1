/**
 * Test and benchmark helpers: an experiment row with variants, inserted straight into Postgres
 * (no lifecycle rules, any start time), plus assignments and user_daily_stat rows.
 */
import type pg from "pg";

export interface SeedVariant {
  key: string;
  weight: number;
  isControl?: boolean;
  name?: string;
}

export interface SeedExperiment {
  key: string;
  status?: string;
  variants: SeedVariant[];
  startedAt?: Date | null;
  weightsSince?: Date | null;
  stoppedAt?: Date | null;
  primaryMetric?: string;
  secondaryMetrics?: string[];
  guardrailMetrics?: string[];
  analysis?: Record<string, unknown>;
}

/** Inserts the experiment and its variants; returns its id. */
export async function insertExperiment(pool: pg.Pool, e: SeedExperiment): Promise<number> {
  const startedAt = e.startedAt === undefined ? null : e.startedAt;
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO experiment (key, name, owner, seed, status, traffic_allocation, primary_metric, secondary_metrics, guardrail_metrics,
                             started_at, weights_since, stopped_at, analysis, updated_at)
     VALUES ($1, $1, 'test', $1, $2, 1, $3, $4, $5, $6, $7, $8, $9, now()) RETURNING id`,
    [
      e.key,
      e.status ?? "running",
      e.primaryMetric ?? "watch_time",
      e.secondaryMetrics ?? [],
      e.guardrailMetrics ?? [],
      startedAt,
      e.weightsSince === undefined ? startedAt : e.weightsSince,
      e.stoppedAt ?? null,
      JSON.stringify(e.analysis ?? {}),
    ],
  );
  const id = rows[0]!.id;
  await pool.query(
    `INSERT INTO experiment_variant (experiment_id, key, name, weight, is_control, position)
     SELECT $1, k, n, w, c, p - 1 FROM unnest($2::text[], $3::text[], $4::float8[], $5::bool[]) WITH ORDINALITY AS t(k, n, w, c, p)`,
    [id, e.variants.map((v) => v.key), e.variants.map((v) => v.name ?? v.key), e.variants.map((v) => v.weight), e.variants.map((v, i) => v.isControl ?? i === 0)],
  );
  return id;
}

export interface SeedAssignment {
  userId: string;
  variantKey: string;
  assignedAt: Date;
}

export async function insertAssignments(pool: pg.Pool, experimentId: number, rows: readonly SeedAssignment[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 10_000) {
    const chunk = rows.slice(i, i + 10_000);
    await pool.query(
      `INSERT INTO assignment (experiment_id, user_id, variant_key, assigned_at, source)
       SELECT $1, u, v, t, 'test' FROM unnest($2::text[], $3::text[], $4::timestamptz[]) AS x(u, v, t)`,
      [experimentId, chunk.map((r) => r.userId), chunk.map((r) => r.variantKey), chunk.map((r) => r.assignedAt)],
    );
  }
}

/** One user_daily_stat row; fields left out are 0. */
export interface SeedDay {
  userId: string;
  day: string;
  watchSeconds?: number;
  watchCount?: number;
  distinctTitles?: number;
  sessions?: number;
  likes?: number;
  dislikes?: number;
  ratings?: number;
}

export async function insertDailyStats(pool: pg.Pool, rows: readonly SeedDay[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 10_000) {
    const chunk = rows.slice(i, i + 10_000);
    const col = (f: (r: SeedDay) => number | undefined) => chunk.map((r) => f(r) ?? 0);
    await pool.query(
      `INSERT INTO user_daily_stat (user_id, day, watch_seconds, watch_count, distinct_titles, sessions, likes, dislikes, ratings)
       SELECT * FROM unnest($1::text[], $2::date[], $3::float8[], $4::int[], $5::int[], $6::int[], $7::int[], $8::int[], $9::int[])`,
      [
        chunk.map((r) => r.userId),
        chunk.map((r) => r.day),
        col((r) => r.watchSeconds),
        col((r) => r.watchCount),
        col((r) => r.distinctTitles),
        col((r) => r.sessions),
        col((r) => r.likes),
        col((r) => r.dislikes),
        col((r) => r.ratings),
      ],
    );
  }
}
