/**
 * Results for an experiment with 1,000,000 assigned users and 30 days of user_daily_stat (~6M rows:
 * each user active on 3–40% of days, a planted +4% watch time in treatment), generated with SQL
 * generate_series in a fresh database. Measured in the same run:
 *
 * - the results API path as the route runs it (getExperimentResults: experiment + daily snapshots →
 *   ExperimentResults), warm, p50/p95 over repeated calls in this process;
 * - the naive baseline: the same answer recomputed from the aggregation tables on every request
 *   (getExperimentResultsNaive: the snapshot SQL, then the same statistics);
 * - the snapshot SQL itself (one statement), which the refresher runs in the background.
 *
 * To stay within a few minutes, only today's snapshot is computed; the other 22 days' rows are
 * copies of it (the API reads and parses them the same way, whatever their numbers).
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { addDays, toIsoDay } from "../lib/format";
import { applyMigrations } from "../server/db/migrate";
import { createPool } from "../server/db/pool";
import { computeSnapshot } from "../server/results/compute-snapshot";
import { getExperimentResults, getExperimentResultsNaive } from "../server/results/get-experiment-results";
import { insertExperiment } from "../server/results/testing/seed-experiment";
import type { BenchResult } from "./report";
import { quoteIdent } from "../server/db/sql";

const USERS = Number(process.env.BENCH_RESULTS_USERS ?? 1_000_000);
const DAYS = 30;
/** The experiment starts on day 8 of the data: a week of pre-exposure history for CUPED. */
const START_OFFSET = 7;
const NAIVE_RUNS = Number(process.env.BENCH_RESULTS_NAIVE_RUNS ?? 3);
const FAST_RUNS = Number(process.env.BENCH_RESULTS_RUNS ?? 100);
const KEY = "bench-autoplay";

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

async function generate(pool: pg.Pool, today: string): Promise<{ experimentId: number; rows: number }> {
  const firstDay = addDays(today, -(DAYS - 1));
  const startDay = addDays(firstDay, START_OFFSET);
  const experimentId = await insertExperiment(pool, {
    key: KEY,
    variants: [
      { key: "control", name: "Control", weight: 50, isControl: true },
      { key: "treatment", name: "Autoplay", weight: 50 },
    ],
    startedAt: new Date(`${startDay}T00:00:00Z`),
    primaryMetric: "watch_time",
    secondaryMetrics: ["sessions", "d7_retention", "watch_time_per_session"],
    guardrailMetrics: ["dislikes"],
  });
  // Bulk load without indexes, then build them: minutes faster than maintaining them row by row.
  await pool.query("ALTER TABLE user_daily_stat DROP CONSTRAINT user_daily_stat_pkey; DROP INDEX user_daily_stat_day_idx");
  await pool.query("ALTER TABLE assignment DROP CONSTRAINT assignment_pkey; DROP INDEX assignment_user_id_idx");
  const half = Math.ceil(USERS / 2);
  // Two connections, half the users each: both cores.
  await Promise.all(
    [0, 1].map(async (part) => {
      const c = await pool.connect();
      try {
        await c.query("SELECT setseed($1)", [0.11 + part * 0.4]);
        // First exposures over two weeks from the start, front-loaded.
        await c.query(
          `INSERT INTO assignment (experiment_id, user_id, variant_key, assigned_at, source)
           SELECT $1, 'u' || g, CASE WHEN g % 2 = 0 THEN 'control' ELSE 'treatment' END,
                  $2::date::timestamp AT TIME ZONE 'UTC' + floor(14 * random() ^ 2) * interval '1 day' + random() * interval '1 day', 'bench'
           FROM generate_series($3::int, $4::int) g`,
          [experimentId, startDay, 1 + part * half, Math.min(USERS, (part + 1) * half)],
        );
      } finally {
        c.release();
      }
    }),
  );
  await Promise.all(
    [0, 1].map(async (part) => {
      const c = await pool.connect();
      try {
        await c.query("SELECT setseed($1)", [0.23 + part * 0.4]);
        // A personal activity level (share of days with a visit) and taste for long sessions; the
        // random draw sits in a LATERAL subquery so that it is made per user-day, not per user.
        await c.query(
          `INSERT INTO user_daily_stat (user_id, day, watch_seconds, watch_count, distinct_titles, sessions, likes, dislikes, ratings)
           SELECT a.user_id, d.day::date,
                  round((300 + 6000 * u.level * random() ^ 2)
                        * CASE WHEN a.variant_key = 'treatment' AND d.day::date >= (a.assigned_at AT TIME ZONE 'UTC')::date THEN 1.04 ELSE 1 END),
                  1 + floor(random() * 4)::int, 1 + floor(random() * 3)::int, 1 + floor(random() * 2)::int,
                  (random() < 0.1)::int, (random() < 0.02)::int, (random() < 0.05)::int
           FROM assignment a
           CROSS JOIN LATERAL (SELECT 0.03 + 0.37 * ((hashtext(a.user_id) & 1023) / 1023.0) AS level) u
           CROSS JOIN LATERAL (SELECT g.day, random() AS r FROM generate_series($1::date, $2::date, interval '1 day') g(day)) d
           WHERE a.experiment_id = $3 AND ((hashtext(a.user_id) >> 10) & 1) = $4 AND d.r < u.level`,
          [firstDay, today, experimentId, part],
        );
      } finally {
        c.release();
      }
    }),
  );
  await Promise.all([
    pool.query('ALTER TABLE user_daily_stat ADD CONSTRAINT user_daily_stat_pkey PRIMARY KEY (user_id, day)'),
    pool.query('ALTER TABLE assignment ADD CONSTRAINT assignment_pkey PRIMARY KEY (experiment_id, user_id)'),
  ]);
  await Promise.all([pool.query('CREATE INDEX user_daily_stat_day_idx ON user_daily_stat (day)'), pool.query('CREATE INDEX assignment_user_id_idx ON assignment (user_id)')]);
  await Promise.all([pool.query("VACUUM ANALYZE user_daily_stat"), pool.query("VACUUM ANALYZE assignment")]);
  const { rows } = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM user_daily_stat");
  return { experimentId, rows: rows[0]!.n };
}

export async function benchResults(adminUrl: string): Promise<BenchResult[]> {
  const name = `bench_results_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pool = createPool(url.toString(), 4);
  try {
    await applyMigrations(url.toString());
    const now = Date.now();
    const today = toIsoDay(now);
    const clock = () => now;
    let t0 = performance.now();
    const { experimentId, rows } = await generate(pool, today);
    const generateS = (performance.now() - t0) / 1000;
    console.log(`results bench: ${USERS.toLocaleString("en")} users, ${rows.toLocaleString("en")} user-day rows generated in ${generateS.toFixed(0)} s`);

    // Naive: every request recomputes from the aggregation tables.
    const naive: number[] = [];
    for (let i = 0; i < NAIVE_RUNS; i++) {
      t0 = performance.now();
      const r = await getExperimentResultsNaive(pool, KEY, { clock });
      naive.push(performance.now() - t0);
      if (!r?.metrics[0]?.comparisons[0]) throw new Error("the naive path produced no comparison");
    }
    // The snapshot the refresher would store, timed on its own; the past days get copies of it.
    t0 = performance.now();
    const stats = await computeSnapshot(pool, experimentId, today, 0.99);
    const computeMs = performance.now() - t0;
    await pool.query(
      `INSERT INTO experiment_result_snapshot (experiment_id, as_of_day, cap_percentile, computed_at, stats)
       SELECT $1, d::date, 0.99, now(), jsonb_set($2::jsonb, '{asOfDay}', to_jsonb(d::date::text))
       FROM generate_series($3::date, $4::date, interval '1 day') d`,
      [experimentId, JSON.stringify(stats), addDays(today, -(DAYS - 1 - START_OFFSET)), today],
    );

    // The API path, warm.
    for (let i = 0; i < 5; i++) await getExperimentResults(pool, KEY, { clock });
    const fast: number[] = [];
    let last = null;
    for (let i = 0; i < FAST_RUNS; i++) {
      t0 = performance.now();
      last = await getExperimentResults(pool, KEY, { clock });
      fast.push(performance.now() - t0);
    }
    const watch = last?.metrics.find((m) => m.metricId === "watch_time")?.comparisons[0];
    fast.sort((a, b) => a - b);
    naive.sort((a, b) => a - b);
    const p50 = percentile(fast, 0.5);
    const p95 = percentile(fast, 0.95);
    const naiveP50 = percentile(naive, 0.5);
    return [
      {
        name: "results API p50, 1M users × 30 days (from daily snapshots)",
        value: p50,
        unit: "ms",
        baseline: { name: `naive recompute per request p50 (${NAIVE_RUNS} runs)`, value: naiveP50 },
        notes: `${Math.round(naiveP50 / p50).toLocaleString("en")}× faster; ${last?.cumulative.length ?? 0} daily snapshots read; planted +4% watch time read as ${watch?.summary ?? "?"}`,
      },
      {
        name: "results API p95, 1M users × 30 days",
        value: p95,
        unit: "ms",
        target: "≤ 300 ms warm",
        ok: p95 <= 300,
        notes: `${FAST_RUNS} calls in-process (the route's function, no HTTP)`,
      },
      {
        name: "results snapshot SQL (one statement, per day)",
        value: computeMs,
        unit: "ms",
        notes: `${rows.toLocaleString("en")} user-day rows, caps at p99; the refresher reruns it every max(15 s, 10× this); data generated in ${generateS.toFixed(0)} s`,
      },
    ];
  } finally {
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    await admin.end();
  }
}
