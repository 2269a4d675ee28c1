import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, inject, it } from "vitest";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../db/embedded";
import { applyMigrations } from "../db/migrate";
import { createPool } from "../db/pool";
import { logger } from "../logger";
import { produceEvents } from "../sim/run-simulator";
import { MEMORY_PROBE_OPTIONS, memorySamples, startStreamProcess, stopGracefully, type MemorySample, type RunningProcess } from "../testing/child-process";
import {
  createScope,
  endOffsets,
  expectTables,
  simulatedEvents,
  storedOffsets,
  sum,
  waitForDrain,
  waitForOffsets,
  type Scope,
} from "../testing/kafka-harness";
import { createTestDatabase } from "../testing/test-db";

/*
 * Faults under a running `--role stream` process, each ending in an exact ground-truth comparison
 * of every aggregation table with what the produced events must give (server/testing/aggregate-truth.ts):
 *  - the Kafka broker killed (SIGKILL) and restarted mid-stream: a broker of the test's own;
 *  - Postgres crashed (immediate shutdown) and restarted mid-stream: an embedded cluster of the test's own;
 *  - the processor SIGKILLed while its transaction is open in Postgres, twice (a successor takes
 *    over once the group drops the killed member: its 30 s session timeout);
 *  - Postgres slowed down: the processor falls behind (lag grows) without buffering (memory flat).
 * CHILD_LOG=1 shows the child processes' output.
 */

const available = inject("kafkaBrokers");
const brokers = available ?? ["127.0.0.1:9092"];
const runId = randomBytes(3).toString("hex");
const repoRoot = path.resolve(import.meta.dirname, "../..");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quietLogger = logger.child({});
quietLogger.level = "warn";

const processes: RunningProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  await Promise.allSettled(processes.map((p) => p.stop("SIGKILL", 5_000)));
  for (const c of cleanups.reverse()) await c().catch((err: unknown) => console.warn("cleanup failed", err));
});

function stream(scope: Scope, name: string): RunningProcess {
  const p = startStreamProcess(name, scope.env);
  processes.push(p);
  return p;
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined>, timeoutMs = 30_000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== null && v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** A database of the test's own on the shared Postgres. */
async function scopeOnTestDatabase(name: string): Promise<Scope> {
  const db = await createTestDatabase();
  const scope = await createScope({ brokers, prefix: `f_${runId}_${name}.`, clientId: `fault-${name}`, database: db });
  cleanups.push(async () => {
    await scope.cleanup();
    await db.drop();
  });
  return scope;
}

const retryLines = (p: RunningProcess) => p.lines.filter((l) => l.includes("batch failed; retrying")).length;

describe.skipIf(!available)("faults under a running stream processor", () => {
  it("[STREAM] the Kafka broker killed and restarted mid-stream: the processor rides it out and counts every event once", async () => {
    // A broker of this test's own, on its own ports and data dir, so killing it disturbs nobody.
    const port = Number(process.env.FAULT_KAFKA_PORT ?? 19_492);
    const dataDir = mkdtempSync(path.join(tmpdir(), "sr-fault-kafka-"));
    const env = { ...process.env, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(port + 1), KAFKA_DATA_DIR: dataDir, KAFKA_HEAP_OPTS: "-Xms256m -Xmx256m" };
    const kafka = (cmd: "start" | "stop") => promisify(execFile)("bash", ["scripts/kafka.sh", cmd], { cwd: repoRoot, env });
    await kafka("start");
    cleanups.push(async () => {
      await kafka("stop").catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    });
    const own = [`127.0.0.1:${port}`];
    const db = await createTestDatabase();
    const scope = await createScope({ brokers: own, prefix: `b_${runId}.`, clientId: "fault-broker", database: db });
    cleanups.push(async () => {
      await scope.cleanup();
      await db.drop();
    });

    const events = simulatedEvents(41, 4_000, 120_000, 2);
    const first = events.slice(0, 90_000);
    await produceEvents(scope.log, first);
    const p = stream(scope, "broker-fault");
    await waitForOffsets(scope.pool, (s) => sum(s) >= 15_000, "15,000 stored offsets", [p]);

    // SIGKILL: no controlled shutdown, no goodbye to the group.
    const pid = Number(readFileSync(path.join(dataDir, "kafka.pid"), "utf8"));
    process.kill(pid, "SIGKILL");
    const storedAtKill = sum(await storedOffsets(scope.pool));
    expect(storedAtKill, "killed while the processor still had work").toBeLessThan(first.length);
    await sleep(8_000); // down long enough for fetches, heartbeats and metadata requests to fail
    expect(sum(await storedOffsets(scope.pool)), "nothing commits without the broker").toBeLessThan(first.length);
    await kafka("start");

    // The rest arrives after the restart, through the same producer.
    await produceEvents(scope.log, events.slice(first.length));
    await waitForDrain(scope, [p], 180_000);
    await expectTables(scope.pool, events);
    expect(p.child.exitCode, "the processor survived the outage").toBeNull();
    await stopGracefully(p);
    console.log(`[broker fault] ${events.length} events; killed the broker with ${storedAtKill} stored; down 8 s; drained and exact`);
  }, 300_000);

  it("[STREAM] Postgres crashed (immediate shutdown) and restarted mid-stream: batches retry until it is back; exact", async () => {
    const port = Number(process.env.FAULT_PG_PORT ?? 55_493);
    const dataDir = mkdtempSync(path.join(tmpdir(), "sr-fault-pg-"));
    chmodSync(dataDir, 0o755); // run as root, Postgres runs as its own user (embedded.ts) and must reach it
    let server: EmbeddedDatabase = await startEmbeddedPostgres({ dataDir, port, log: quietLogger });
    cleanups.push(async () => {
      await server.stop().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    });
    await applyMigrations(server.url);
    const pool = createPool(server.url, 2);
    cleanups.push(() => pool.end());
    const scope = await createScope({ brokers, prefix: `p_${runId}.`, clientId: "fault-pg", database: { url: server.url, pool } });
    cleanups.push(() => scope.cleanup());

    const events = simulatedEvents(43, 4_000, 100_000, 2);
    await produceEvents(scope.log, events.slice(0, 80_000));
    const p = stream(scope, "pg-fault");
    await waitForOffsets(pool, (s) => sum(s) >= 12_000, "12,000 stored offsets", [p]);

    // SIGQUIT to the postmaster is `pg_ctl stop -m immediate`: every backend dies mid-transaction, no
    // checkpoint; the restart runs crash recovery from the WAL.
    const pidFile = path.join(dataDir, "postgres", "postmaster.pid");
    process.kill(Number(readFileSync(pidFile, "utf8").split("\n")[0]), "SIGQUIT");
    await until("the postmaster to exit", async () => (existsSync(pidFile) ? null : true), 30_000, 100);
    await sleep(5_000);
    server = await startEmbeddedPostgres({ dataDir, port, log: quietLogger });
    const storedAfterRestart = sum(await storedOffsets(pool));

    await produceEvents(scope.log, events.slice(80_000));
    await waitForDrain(scope, [p], 180_000);
    await expectTables(pool, events);
    expect(p.child.exitCode, "the processor survived the outage").toBeNull();
    expect(retryLines(p), "the outage hit batches in flight").toBeGreaterThan(0);
    await stopGracefully(p);
    console.log(`[postgres fault] ${events.length} events; crashed with ${storedAfterRestart} stored (after recovery); ${retryLines(p)} batch retries; exact`);
  }, 300_000);

  it("[STREAM] the processor SIGKILLed with its transaction open, twice: the open transactions roll back; exact", async () => {
    const scope = await scopeOnTestDatabase("xact");
    const events = simulatedEvents(47, 4_000, 90_000, 2);
    await produceEvents(scope.log, events);
    const total = sum(await endOffsets(scope.log));
    let p = stream(scope, "xact-1");
    const kills: { storedAtKill: number; backend: number }[] = [];
    for (const [i, fraction] of [0.2, 0.55].entries()) {
      await waitForOffsets(scope.pool, (s) => sum(s) >= total * fraction, `${fraction * 100}% stored`, [p]);
      // A backend of the processor inside a transaction: between its BEGIN and its COMMIT.
      const backend = await until("an open transaction of the processor", async () => {
        const { rows } = await scope.pool.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL AND state <> 'idle'`,
        );
        return rows[0]?.pid ?? null;
      });
      p.child.kill("SIGKILL");
      await p.exited;
      const storedAtKill = sum(await storedOffsets(scope.pool));
      expect(storedAtKill).toBeLessThan(total);
      // Postgres notices the closed socket and rolls the transaction back: the backend goes away.
      await until("the killed processor's backend to end", async () => {
        const { rows } = await scope.pool.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [backend]);
        return rows.length === 0 ? true : null;
      });
      kills.push({ storedAtKill, backend });
      p = stream(scope, `xact-${i + 2}`);
    }
    await waitForDrain(scope, [p], 180_000);
    await expectTables(scope.pool, events);
    await stopGracefully(p);
    console.log(`[xact kill] ${events.length} events; killed inside transactions of backends ${kills.map((k) => `${k.backend} at ${k.storedAtKill} stored`).join(", ")}; exact`);
  }, 300_000);

  it("[STREAM] slow Postgres: the processor falls behind (lag grows) while its memory stays flat, then catches up exactly", async () => {
    const scope = await scopeOnTestDatabase("slow");
    // Every batch's offset write waits 2 s: the database, not Node, sets the pace (at most 2 batches
    // in flight, so ≤ 5,000 events/s however fast they arrive).
    await scope.pool.query(`
      CREATE FUNCTION test_slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(2); RETURN NULL; END $$;
      CREATE TRIGGER test_slow AFTER INSERT OR UPDATE ON consumer_offset FOR EACH STATEMENT EXECUTE FUNCTION test_slow();`);
    // The child prints its live memory (after a full GC) every second: server/testing/memory-probe.ts.
    const p = startStreamProcess("slow", { ...scope.env, NODE_OPTIONS: MEMORY_PROBE_OPTIONS, MEMORY_PROBE_GC: "1" });
    processes.push(p);
    await p.waitForLine(/Showrunner is up/);

    // A steady 8,000 events/s for 36 s: faster than the slowed processor drains.
    const events = simulatedEvents(53, 8_000, 288_000, 2);
    const perSecond = 8_000;
    const producedBytes = events.reduce((a, e) => a + JSON.stringify(e).length, 0);
    const lags: { at: number; lag: number }[] = [];
    const started = Date.now();
    for (let i = 0; i < events.length; i += perSecond) {
      const tick = Date.now();
      await produceEvents(scope.log, events.slice(i, i + perSecond));
      lags.push({ at: Date.now(), lag: sum(await endOffsets(scope.log)) - sum(await storedOffsets(scope.pool)) });
      await sleep(Math.max(0, 1_000 - (Date.now() - tick)));
    }
    const MB = 1024 * 1024;
    const live = (m: MemorySample) => (m.heapUsed + m.external) / MB;
    const memory = memorySamples(p).filter((m) => m.at >= started);
    // After warm-up (the first quarter fills the fetch buffers), compare the last third with the first.
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const thirds = <T,>(xs: T[]) => {
      const warm = xs.slice(Math.floor(xs.length / 4));
      const n = Math.max(1, Math.floor(warm.length / 3));
      return { early: warm.slice(0, n), late: warm.slice(-n) };
    };
    const lag = thirds(lags);
    const mem = thirds(memory);
    const lagGrowth = mean(lag.late.map((s) => s.lag)) - mean(lag.early.map((s) => s.lag));
    const liveGrowth = mean(mem.late.map(live)) - mean(mem.early.map(live));
    const rssGrowth = mean(mem.late.map((m) => m.rss / MB)) - mean(mem.early.map((m) => m.rss / MB));
    const backlogMb = (lagGrowth * (producedBytes / events.length)) / MB;
    console.log(
      `[backpressure] ${events.length} events at ${perSecond}/s (${(producedBytes / MB).toFixed(1)} MB JSON) into a processor slowed to 2 s per batch:\n` +
        lags
          .map((s) => {
            const m = memory.reduce((best, x) => (Math.abs(x.at - s.at) < Math.abs(best.at - s.at) ? x : best), memory[0]!);
            return `  ${((s.at - started) / 1000).toFixed(0).padStart(3)} s  lag ${String(s.lag).padStart(7)}  live ${live(m).toFixed(1)} MB  RSS ${(m.rss / MB).toFixed(0)} MB`;
          })
          .join("\n") +
        `\n  after warm-up, last third vs first: lag +${lagGrowth.toFixed(0)} messages (${backlogMb.toFixed(1)} MB of JSON), ` +
        `live memory ${liveGrowth >= 0 ? "+" : ""}${liveGrowth.toFixed(1)} MB, RSS ${rssGrowth >= 0 ? "+" : ""}${rssGrowth.toFixed(1)} MB`,
    );
    // Lag grew: the backlog waits in Kafka.
    expect(lagGrowth).toBeGreaterThan(60_000);
    // The live memory did not follow it: had the processor taken the backlog in, it would have grown
    // by at least the backlog's JSON (several times that as JS objects).
    expect(memory.length).toBeGreaterThan(20);
    expect(liveGrowth).toBeLessThan(backlogMb / 2);

    await scope.pool.query("DROP TRIGGER test_slow ON consumer_offset; DROP FUNCTION test_slow()");
    await waitForDrain(scope, [p], 180_000);
    await expectTables(scope.pool, events);
    await stopGracefully(p);
  }, 300_000);
});
