import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONSUMER_GROUPS, LOCAL_PARTITIONS, VIEW_EVENT_TOPICS } from "../../lib/config/topics";
import { topicForEventType, type ViewEventInput } from "../../lib/events/view-event";
import { STALL_AFTER_MS, type PipelinePartition } from "../../lib/api/pipeline";
import { createMemoryLog } from "../log/memory-log";
import type { EventLog } from "../log/types";
import { logger } from "../logger";
import { getPipeline, OffsetRateSampler, pipelineAlerts } from "../queries/get-pipeline";
import { diffTables, expectedTables, readTables } from "../testing/aggregate-truth";
import { drained } from "../testing/drained";
import { createTestDatabase, type TestDatabase } from "../testing/test-db";
import { createAggregator, type Aggregator } from "./create-aggregator";
import { isTransientStorageError, readHealthReports } from "./processor-health";

/*
 * Write failures of the kind a full disk causes, injected with a trigger that raises the error
 * Postgres raises then (SQLSTATE 53100 disk_full) on one aggregation table. The processor must keep
 * its batch, keep retrying past its attempt limit, say why on the pipeline page, and count every
 * event exactly once when writes succeed again.
 */

const NOW = Date.parse("2026-09-10T12:00:00Z");
const quiet = logger.child({});
quiet.level = "silent";

function events(n: number, prefix: string): ViewEventInput[] {
  const types = ["watch", "watch", "like", "search", "rating"] as const;
  return Array.from({ length: n }, (_, i) => {
    const type = types[i % types.length]!;
    return {
      event_id: `${prefix}${i}`,
      user_id: `u${(i * 7) % 150}`,
      title_id: `t${i % 17}`,
      event_type: type,
      event_time: new Date(NOW - 6 * 3_600_000 + i * 4_000).toISOString(),
      watch_duration: type === "watch" ? 30 + (i % 600) : 0,
      ...(type === "search" ? { query: "space" } : {}),
      ...(type === "rating" ? { rating: 1 + (i % 5) } : {}),
    };
  });
}

async function produceAll(log: EventLog, list: ViewEventInput[]) {
  for (const e of list) await log.produce(topicForEventType(e.event_type), [{ key: e.user_id, value: JSON.stringify(e) }]);
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Rejects with the aggregator's crash, or resolves "running" if it has not crashed. */
const crashState = (a: Aggregator) => Promise.race([a.crashed.then(() => "crashed", (err: Error) => `crashed: ${err.message}`), Promise.resolve("running")]);

describe("storage faults on real Postgres", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("[STREAM] a full disk stops commits, shows as an alert on the pipeline, and loses nothing once space returns", async () => {
    const log = createMemoryLog();
    await log.ensureTopics(VIEW_EVENT_TOPICS.map((topic) => ({ topic, partitions: LOCAL_PARTITIONS[topic] })));
    const before = events(1_500, "a");
    const during = events(1_500, "b").map((e) => ({ ...e, event_time: new Date(Date.parse(e.event_time) + 3_600_000).toISOString() }));

    // Phase 1: healthy. No alert, no health row but an ok one.
    const agg = createAggregator({ log, pool: t.pool, logger: quiet, clock: () => NOW, maxBatchSize: 200, maxAttempts: 3 });
    await agg.start();
    await produceAll(log, before);
    await drained(log, agg);
    const services = { db: t.db, log, live: null };
    expect((await getPipeline(services, { sampler: new OffsetRateSampler() })).alerts).toEqual([]);
    const committedBefore = agg.stats().committed;

    // Phase 2: the disk fills. Every batch touching user_daily_stat fails as Postgres would fail it.
    await t.pool.query(`
      CREATE FUNCTION test_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'could not extend file "base/16384/24576": No space left on device'
          USING ERRCODE = 'disk_full', HINT = 'Check free disk space.';
      END $$;
      CREATE TRIGGER test_disk_full BEFORE INSERT OR UPDATE ON user_daily_stat
        FOR EACH STATEMENT EXECUTE FUNCTION test_disk_full();`);
    await produceAll(log, during);

    // It retries past maxAttempts (3): a full disk is transient, not a reason to die.
    await until("five failed attempts", () => agg.stats().retries >= 5 || undefined);
    expect(await crashState(agg)).toBe("running");
    expect(agg.health()).toMatchObject({ state: "failing", error: { code: "53100", message: expect.stringMatching(/No space left on device/) } });
    // Nothing of the failing batches was written: offsets and tables are as before.
    expect(agg.stats().committed).toEqual(committedBefore);

    // The pipeline page's API says so, with the database's own message and code.
    const failing = await getPipeline(services, { sampler: new OffsetRateSampler() });
    expect(failing.alerts).toHaveLength(1);
    expect(failing.alerts[0]).toMatchObject({ kind: "processor-failing", severity: "critical" });
    expect(failing.alerts[0]!.detail).toMatch(/No space left on device \(53100\)/);
    expect(failing.totals.lag).toBeGreaterThan(0);
    const [report] = await readHealthReports(t.db, CONSUMER_GROUPS.aggregator);
    expect(report).toMatchObject({ state: "failing", process: expect.stringMatching(/:\d+$/) });

    // Phase 3: space is freed. The held batches commit; the alert clears; every event counted once.
    await t.pool.query("DROP TRIGGER test_disk_full ON user_daily_stat; DROP FUNCTION test_disk_full()");
    await drained(log, agg);
    expect(agg.health().state).toBe("ok");
    await until("the ok report", async () => ((await readHealthReports(t.db, CONSUMER_GROUPS.aggregator))[0]?.state === "ok" ? true : undefined));
    expect((await getPipeline(services, { sampler: new OffsetRateSampler() })).alerts).toEqual([]);
    expect(diffTables(expectedTables([...before, ...during]), await readTables(t.pool))).toEqual([]);

    // A graceful stop removes the process's row.
    await agg.stop();
    expect(await readHealthReports(t.db, CONSUMER_GROUPS.aggregator)).toEqual([]);
  });

  it("[STREAM] an error that is not the database's condition (a bug) still gives up after maxAttempts and crashes", async () => {
    const log = createMemoryLog();
    await log.ensureTopics(VIEW_EVENT_TOPICS.map((topic) => ({ topic, partitions: LOCAL_PARTITIONS[topic] })));
    await t.pool.query(`
      CREATE FUNCTION test_bug() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'violates check constraint' USING ERRCODE = 'check_violation'; END $$;
      CREATE TRIGGER test_bug BEFORE INSERT OR UPDATE ON title_daily_stat FOR EACH STATEMENT EXECUTE FUNCTION test_bug();`);
    try {
      const agg = createAggregator({ log, pool: t.pool, logger: quiet, clock: () => NOW, groupId: "bug-group", maxAttempts: 2 });
      await agg.start();
      await produceAll(log, events(50, "c"));
      await expect(agg.crashed).rejects.toMatchObject({ code: "23514" });
      await agg.stop().catch(() => undefined);
    } finally {
      await t.pool.query("DROP TRIGGER test_bug ON title_daily_stat; DROP FUNCTION test_bug()");
    }
  });

  it("classifies connection loss, shutdown, disk full and deadlocks as transient; constraint and syntax errors not", () => {
    for (const code of ["08006", "08001", "53100", "53200", "57P01", "57P03", "58030", "40P01", "40001", "ECONNREFUSED", "ECONNRESET"]) {
      expect(isTransientStorageError(Object.assign(new Error("x"), { code })), code).toBe(true);
    }
    expect(isTransientStorageError(new Error("Connection terminated unexpectedly"))).toBe(true);
    for (const code of ["23505", "23514", "42601", "22P02", undefined]) {
      expect(isTransientStorageError(Object.assign(new Error("x"), { code })), String(code)).toBe(false);
    }
  });

  it("a partition with waiting messages and no commit for STALL_AFTER_MS is reported stalled; a fresh or caught-up one is not", () => {
    const at = NOW;
    const partition = (p: number, lag: number, agoMs: number | null): PipelinePartition => ({
      topic: "watch_events",
      partition: p,
      startOffset: 0,
      endOffset: 1_000,
      committedOffset: 1_000 - lag,
      lag,
      committedAt: agoMs === null ? null : new Date(at - agoMs).toISOString(),
    });
    const log = { ok: true as const, starts: [], ends: [] };
    const alerts = pipelineAlerts({
      at,
      log,
      partitions: [partition(0, 40, STALL_AFTER_MS + 1_000), partition(1, 0, 10 * STALL_AFTER_MS), partition(2, 5, 1_000), partition(3, 7, null)],
      reports: [],
    });
    expect(alerts).toEqual([expect.objectContaining({ kind: "processor-stalled", severity: "warning", title: "1 partition not progressing" })]);
    expect(alerts[0]!.detail).toMatch(/^40 messages are waiting .* \(watch_events\/0\)/);
    // A failing report explains the stall: one alert, the failure. A stale report (process gone) does not count.
    const failing = { state: "failing" as const, process: "h:1", since: at - 90_000, error: { message: "disk full", code: "53100", partition: "watch_events/0", attempt: 9 } };
    const withReport = pipelineAlerts({ at, log, partitions: [partition(0, 40, 90_000)], reports: [{ ...failing, reportedAt: at - 2_000 }] });
    expect(withReport.map((a) => a.kind)).toEqual(["processor-failing"]);
    const stale = pipelineAlerts({ at, log, partitions: [partition(0, 40, 90_000)], reports: [{ ...failing, reportedAt: at - 10 * 60_000 }] });
    expect(stale.map((a) => a.kind)).toEqual(["processor-stalled"]);
    // The log being down is its own alert.
    expect(pipelineAlerts({ at, log: { ok: false, error: "no broker" }, partitions: [], reports: [] }).map((a) => a.kind)).toEqual(["log-unreachable"]);
  });
});
