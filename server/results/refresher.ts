/**
 * Keeps experiment_result_snapshot current in the background, for running and paused experiments
 * and for a grace period after a stop (late events still land in the stop day's figures):
 *
 * - the newest day's snapshot is recomputed once it is older than max(15 s, 10× the time it took),
 *   so a heavy experiment costs at most ~10% of one database core, and a light one is never more
 *   than 15 s behind;
 * - every past day since the start is computed once it is over, newest first, within a time budget
 *   per pass. "Over" means both: the snapshot was computed `settleMs` after the day ended (late
 *   events), and the aggregated data already reached a later day (dataThrough). A snapshot that
 *   misses either is computed again once that changes: a first-start backfill or a stream processor
 *   catching up fills past days after their snapshots were first taken;
 * - a failure is logged with the experiment and day, and retried with exponential backoff.
 *
 * Several processes may run one each: snapshots.ts takes a per-experiment advisory lock, so they
 * share the work instead of repeating it.
 */
import type pg from "pg";
import { SNAPSHOT_FORMAT } from "../../lib/api/results";
import { readAnalysisSettings } from "../../lib/experiments/analysis-settings";
import { isoDayToEpoch } from "../../lib/format";
import type { Logger } from "../logger";
import { dataThrough, listSnapshotMeta, refreshSnapshot, snapshotDays, type SnapshotMeta } from "./snapshots";

const DAY_MS = 86_400_000;

export interface ResultsRefresherOptions {
  pool: pg.Pool;
  logger: Logger;
  clock?: () => number;
  /** Pause between passes. */
  intervalMs?: number;
  /** The newest snapshot is never refreshed more often than this... */
  minAgeMs?: number;
  /** ...nor more often than this many times its own compute time. */
  computeTimeFactor?: number;
  /** How long after a stop the stop day's snapshot keeps refreshing. */
  stoppedGraceMs?: number;
  /** A past day's snapshot computed less than this after the day ended is redone once (late events). */
  settleMs?: number;
  /** Time per pass spent on past days, after the newest ones. */
  backfillBudgetMs?: number;
}

export interface ResultsRefresher {
  /** One pass now (tests; the loop runs passes by itself). Resolves when it is done. */
  runOnce(): Promise<void>;
  /** Stops the loop and waits for the computation in flight. */
  stop(): Promise<void>;
}

interface Candidate {
  id: number;
  key: string;
  status: string;
  startedAt: Date;
  stoppedAt: Date | null;
  weightsSince: Date | null;
  cap: number;
}

interface Failure {
  attempts: number;
  retryAt: number;
}

export function startResultsRefresher(options: ResultsRefresherOptions): ResultsRefresher {
  const { pool, logger } = options;
  const clock = options.clock ?? Date.now;
  const intervalMs = options.intervalMs ?? 5_000;
  const minAgeMs = options.minAgeMs ?? 15_000;
  const factor = options.computeTimeFactor ?? 10;
  const graceMs = options.stoppedGraceMs ?? 2 * DAY_MS;
  const settleMs = options.settleMs ?? 10 * 60_000;
  const budgetMs = options.backfillBudgetMs ?? 30_000;
  const log = logger.child({ component: "results-refresher" });
  const failures = new Map<string, Failure>();

  async function candidates(now: number): Promise<Candidate[]> {
    const { rows } = await pool.query<{ id: number; key: string; status: string; started_at: Date; stopped_at: Date | null; weights_since: Date | null; analysis: unknown }>(
      `SELECT id, key, status, started_at, stopped_at, weights_since, analysis FROM experiment
       WHERE started_at IS NOT NULL AND (status IN ('running', 'paused') OR (status = 'stopped' AND stopped_at > $1))
       ORDER BY id`,
      [new Date(now - graceMs)],
    );
    return rows.map((r) => ({
      id: r.id,
      key: r.key,
      status: r.status,
      startedAt: r.started_at,
      stoppedAt: r.stopped_at,
      weightsSince: r.weights_since,
      cap: readAnalysisSettings(r.analysis).capPercentile,
    }));
  }

  /** Runs one snapshot computation, with the failure bookkeeping; false when it failed or was backing off. */
  async function compute(e: Candidate, day: string, staleBefore: Date | null, reason: string): Promise<boolean> {
    const id = `${e.id}/${day}/${e.cap}`;
    const failure = failures.get(id);
    if (failure && clock() < failure.retryAt) return false;
    try {
      const stats = await refreshSnapshot(pool, { experimentId: e.id, day, capPercentile: e.cap, now: new Date(clock()), staleBefore, wait: false });
      failures.delete(id);
      if (stats) log.debug({ experiment: e.key, day, cap: e.cap, reason, ms: stats.computeMs }, "results snapshot computed");
      return true;
    } catch (err) {
      const attempts = (failure?.attempts ?? 0) + 1;
      const backoffMs = Math.min(5 * 60_000, intervalMs * 2 ** (attempts - 1));
      failures.set(id, { attempts, retryAt: clock() + backoffMs });
      log.error({ err, experiment: e.key, day, cap: e.cap, attempts, retryInMs: backoffMs }, "could not compute a results snapshot; will retry");
      return false;
    }
  }

  function newestDue(e: Candidate, meta: SnapshotMeta | undefined, now: number): { staleBefore: Date | null; reason: string } | null {
    if (!meta || meta.format !== SNAPSHOT_FORMAT) return { staleBefore: null, reason: meta ? "format" : "missing" };
    const weightsSince = e.weightsSince?.toISOString() ?? null;
    if (meta.weightsSince !== null && meta.weightsSince !== weightsSince) return { staleBefore: new Date(now), reason: "weights changed" };
    const maxAge = Math.max(minAgeMs, factor * meta.computeMs);
    if (now - meta.computedAt.getTime() < maxAge) return null;
    return { staleBefore: new Date(now - maxAge), reason: "stale" };
  }

  /** Whether a past day's snapshot is due; see the header for when a day is over. */
  function pastDue(day: string, m: SnapshotMeta | undefined, now: number, through: string | null): { staleBefore: Date | null; reason: string } | null {
    if (!m || m.format !== SNAPSHOT_FORMAT) return { staleBefore: null, reason: m ? "format" : "missing" };
    const settled = isoDayToEpoch(day) + DAY_MS + settleMs;
    const dataPast = m.dataThrough !== null && m.dataThrough > day;
    if (!dataPast) {
      // Taken before the data reached past the day: again once it has moved on since.
      return through !== null && through > day && (m.dataThrough === null || through > m.dataThrough) ? { staleBefore: new Date(now), reason: "data arrived" } : null;
    }
    if (m.computedAt.getTime() < settled && now >= settled) return { staleBefore: new Date(settled), reason: "day ended" };
    return null;
  }

  async function pass(): Promise<void> {
    const now = clock();
    const experiments = await candidates(now);
    const through = experiments.length > 0 ? await dataThrough(pool) : null;
    const backlog: { e: Candidate; day: string; staleBefore: Date | null; reason: string }[] = [];
    // The newest day of every experiment first: what people look at.
    for (const e of experiments) {
      if (stopped) return;
      const days = snapshotDays(e, now);
      const newest = days.at(-1);
      if (newest === undefined) continue;
      const meta = await listSnapshotMeta(pool, e.id, e.cap);
      const due = newestDue(e, meta.get(newest), now);
      if (due) await compute(e, newest, due.staleBefore, due.reason);
      for (const day of days.slice(0, -1).reverse()) {
        const due = pastDue(day, meta.get(day), now, through);
        if (due) backlog.push({ e, day, ...due });
      }
    }
    // Then past days, newest first, within the budget; the rest waits for the next pass.
    const deadline = clock() + budgetMs;
    for (const item of backlog) {
      if (stopped || clock() > deadline) return;
      await compute(item.e, item.day, item.staleBefore, item.reason);
    }
  }

  let stopped = false;
  let wake: (() => void) | null = null;
  let current: Promise<void> = Promise.resolve();

  const runOnce = (): Promise<void> => {
    const next = current.then(() =>
      pass().catch((err: unknown) => {
        log.error({ err }, "results refresher pass failed; will retry");
      }),
    );
    current = next;
    return next;
  };

  const loop = (async () => {
    while (!stopped) {
      await runOnce();
      if (stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        timer.unref();
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  })();

  return {
    runOnce,
    async stop() {
      stopped = true;
      (wake as (() => void) | null)?.();
      await loop;
      await current;
    },
  };
}
