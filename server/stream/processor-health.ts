import { hostname } from "node:os";
import type pg from "pg";
import type { Db } from "../db/client";
import type { Logger } from "../logger";

/**
 * Whether the stream processor can write, as the pipeline page shows it. A processor whose batches
 * fail (disk full, Postgres down, a lock it cannot get) keeps retrying; this makes the failure
 * visible instead of leaving a lag figure that merely stops moving.
 *
 * Each processor reports in its own `system_state` row (`processor-health:<group>:<host>:<pid>`),
 * written outside the failing transaction: on a change of state and every REPORT_EVERY_MS while
 * failing. Readers trust a failing row only while it is fresh, so a processor that died failing
 * stops alerting here (the stall check in get-pipeline.ts takes over).
 */

export const HEALTH_KEY_PREFIX = "processor-health:";
/** How often a failing processor refreshes its row. */
export const REPORT_EVERY_MS = 5_000;

export interface ProcessorHealthReport {
  state: "ok" | "failing";
  /** host:pid of the reporting process. */
  process: string;
  /** When the current state began, epoch ms. */
  since: number;
  /** Latest failure while failing; null when ok. */
  error: { message: string; code: string | null; partition: string; attempt: number } | null;
  /** When this row was written, epoch ms. */
  reportedAt: number;
}

/**
 * Errors that say the database cannot take the write right now (it will again): retried for as long
 * as they last. Anything else (a constraint violation, a bug) is retried a bounded number of times.
 * SQLSTATE classes: 08 connection, 53 insufficient resources (53100 disk_full), 57P01-03 shutdown /
 * cannot connect now, 58 system (I/O) errors, 40001/40P01 serialization failure / deadlock.
 */
export function isTransientStorageError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === "string" ? e.code : "";
  if (/^(08|53|58)/.test(code) || ["57P01", "57P02", "57P03", "40001", "40P01"].includes(code)) return true;
  if (["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EHOSTUNREACH"].includes(code)) return true;
  const message = typeof e?.message === "string" ? e.message : "";
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(message);
}

export function errorCode(err: unknown): string | null {
  const code = (err as { code?: unknown })?.code;
  return typeof code === "string" ? code : null;
}

export interface HealthReporter {
  /** A batch of `partition` failed on its `attempt`-th try. */
  failed(partition: string, err: unknown, attempt: number): void;
  /** A batch of `partition` committed. */
  succeeded(partition: string): void;
  /** `partition` moved to another consumer: its failures are no longer this process's to report. */
  forget(partition: string): void;
  current(): ProcessorHealthReport;
  /** Removes this process's row (graceful stop). */
  close(): Promise<void>;
}

export function createHealthReporter(deps: { pool: pg.Pool; groupId: string; logger: Logger; clock?: () => number }): HealthReporter {
  const clock = deps.clock ?? Date.now;
  const processName = `${hostname()}:${process.pid}`;
  const key = `${HEALTH_KEY_PREFIX}${deps.groupId}:${processName}`;
  const failing = new Set<string>();
  let report: ProcessorHealthReport = { state: "ok", process: processName, since: clock(), error: null, reportedAt: clock() };
  let lastWritten = 0;
  let writing: Promise<void> = Promise.resolve();

  // Writes are serialised and best effort: the database may be the thing that is failing.
  function write(force: boolean) {
    const now = clock();
    if (!force && now - lastWritten < REPORT_EVERY_MS) return;
    lastWritten = now;
    report = { ...report, reportedAt: now };
    const value = JSON.stringify(report);
    writing = writing.then(() =>
      deps.pool
        .query(
          `INSERT INTO system_state (key, value, updated_at) VALUES ($1, $2::jsonb, now())
           ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
          [key, value],
        )
        .then(() => undefined)
        .catch((err: unknown) => deps.logger.warn({ err: (err as Error).message }, "could not record the processor's health")),
    );
  }

  return {
    failed(partition, err, attempt) {
      const wasOk = failing.size === 0;
      failing.add(partition);
      const message = err instanceof Error ? err.message : String(err);
      report = {
        ...report,
        state: "failing",
        since: wasOk ? clock() : report.since,
        error: { message, code: errorCode(err), partition, attempt },
      };
      write(wasOk);
    },
    succeeded(partition) {
      if (!failing.delete(partition) || failing.size > 0) return;
      report = { ...report, state: "ok", since: clock(), error: null };
      write(true);
    },
    forget(partition) {
      this.succeeded(partition);
    },
    current: () => report,
    async close() {
      await writing;
      await deps.pool.query("DELETE FROM system_state WHERE key = $1", [key]).catch(() => undefined);
    },
  };
}

/** The reports of every processor of `groupId`, newest first. */
export async function readHealthReports(db: Db, groupId: string): Promise<ProcessorHealthReport[]> {
  const rows = await db.systemState.findMany({
    where: { key: { startsWith: `${HEALTH_KEY_PREFIX}${groupId}:` } },
    orderBy: { updatedAt: "desc" },
  });
  return rows.map((r) => r.value as unknown as ProcessorHealthReport);
}
