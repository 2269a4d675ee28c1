/**
 * Soak: the product's stream processor and live gateway as production runs them (a real child
 * process, `server/main.ts --role stream,live`, with server/testing/memory-probe.ts preloaded for its heap and RSS),
 * fed simulated view events through a real Kafka broker at a steady rate, watched by 200 wall-screen
 * clients (socket.io, wall token, `overview` channel) in a process of their own, for N minutes.
 *
 *   npm run soak -- --minutes 30 --check         the hardening criterion (≈ 31 min in all)
 *   npm run soak -- --minutes 2 --check          CI's short variant: memory flatness reported, not judged
 *   npm run soak -- --minutes 90 --warmup 60     flatness once the live view's 60-minute history is full
 *
 * Options: --minutes N (5)  --rate R events/s (2,000)  --clients C (200)  --warmup M minutes (min(2, N/5))
 *   --kafka host:port[,…] (KAFKA_BROKERS, else KAFKA_TEST_BROKERS, else 127.0.0.1:9092)
 *   --database-url URL (DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/postgres): the server
 *     it creates its own database on   --check   --report-seconds S (30)   --probe-seconds S (5)
 *   --flat-judged-after M: post-warm-up minutes from which flatness is judged (20)
 *   --users U: simulated population (20,000)   --out FILE   --keep (leave database and topics)
 *
 * Judged (--check exits 1 when one fails): events in = counted, exactly, after the processor drains;
 * no dead letters; the feed held its rate; the processor kept up; every client connected at the end,
 * served ≥ 90% of its snapshots, none > 5 s without one, staleness p99 ≤ 1 s; heap and RSS flat
 * within 10% after warm-up (last fifth vs first fifth of the samples), judged only when at least
 * --flat-judged-after minutes follow the warm-up. The live view keeps an hour of per-user buckets,
 * so under a steady feed its heap fills for 60 minutes: a warm-up shorter than that sees the fill.
 *
 * Every run gets its own database (soak_<id>) and topic prefix (soak_<id>.), removed at the end,
 * Ctrl-C included. A row every --report-seconds; at the end the verdicts (printed, and as JSON in
 * bench/out/soak-<time>.json). CHILD_LOG=1 echoes the product process's log.
 */
import { fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { availableParallelism, loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { CONSUMER_GROUPS, LOCAL_PARTITIONS, TOPICS, VIEW_EVENT_TOPICS } from "../lib/config/topics";
import { CHANNEL_INTERVAL_MS } from "../lib/live/contract";
import { createAccessToken } from "../server/auth/tokens";
import { createDb } from "../server/db/client";
import { createPool } from "../server/db/pool";
import { deleteConsumerGroups } from "../server/log/kafka-admin";
import { createKafkaLog, deleteKafkaTopics, describeKafkaCluster, type KafkaConnectionOptions } from "../server/log/kafka-log";
import type { EventLog } from "../server/log/types";
import { withTopicPrefix } from "../server/log/with-topic-prefix";
import { logger } from "../server/logger";
import { MEMORY_PROBE_OPTIONS, parseMemorySample, runTs, type MemorySample, type RunningProcess } from "../server/testing/child-process";
import type { FromClients, ToClients } from "./soak/clients";
import { createSoakDatabase, type SoakDatabase } from "./soak/database";
import { flatness, type Flatness } from "./soak/figures";
import { simulatedTemplate, startSteadyProducer, type SteadyProducer } from "./soak/steady-producer";

logger.level = "warn";
const MB = 2 ** 20;
const SIM_SEED = 42; // the product's SIM_SEED default: the child seeds the same catalog, so titles have names

// ── Criteria ─────────────────────────────────────────────────────────────────────────────────────
/** Memory may grow this much from the first to the last fifth of the post-warm-up samples. */
const FLAT_WITHIN = 0.1;
/**
 * The live view keeps per-user minute buckets for its chart history and the user page's windows
 * (lib/windows/live-windows.ts, historyMinutes: 60): under a steady feed its heap fills for this
 * long, then levels off. Growth seen with a shorter warm-up may be that fill, not a leak.
 */
const LIVE_HISTORY_MINUTES = 60;
/**
 * A screen without a snapshot this long shows the feed as stalled: components/hooks/
 * use-socket-channel.ts stallMs(), max(5 s, 2.5 × the channel's interval). No client may get there,
 * and no snapshot may be that old on arrival.
 */
const STALL_MS = Math.max(5_000, 2.5 * CHANNEL_INTERVAL_MS.overview);
/** p99 of (receipt − snapshot.at) after warm-up: a 1 Hz screen should be at most one tick behind. */
const STALENESS_P99_MS = 1_000;
/** Share of the scheduled events the producer must have delivered: the feed was steady. */
const RATE_ACHIEVED = 0.98;
/** The processor keeps up: after warm-up, lag never exceeds this many seconds of input. */
const LAG_SECONDS = 30;
/** Snapshots received after warm-up ≥ this share of clients × seconds (ticks are volatile: a busy socket may skip one). */
const DELIVERED = 0.9;
/** After the feed stops, the processor must have counted everything within this long. */
const DRAIN_TIMEOUT_MS = 120_000;

// ── Arguments ────────────────────────────────────────────────────────────────────────────────────
const { values: argv } = parseArgs({
  options: {
    minutes: { type: "string", default: "5" },
    rate: { type: "string", default: "2000" },
    clients: { type: "string", default: "200" },
    warmup: { type: "string" },
    kafka: { type: "string" },
    "database-url": { type: "string" },
    check: { type: "boolean", default: false },
    "report-seconds": { type: "string", default: "30" },
    "probe-seconds": { type: "string", default: "5" },
    "flat-judged-after": { type: "string", default: "20" },
    users: { type: "string", default: "20000" },
    out: { type: "string" },
    keep: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
  strict: true,
});
if (argv.help) {
  // The header comment above is the manual.
  const source = readFileSync(fileURLToPath(import.meta.url), "utf8");
  console.log(/\/\*\*([\s\S]*?)\*\//.exec(source)![1]!.replace(/^ \* ?/gm, "").trim());
  process.exit(0);
}
const num = (name: keyof typeof argv, min: number): number => {
  const v = Number(argv[name]);
  if (!Number.isFinite(v) || v < min) throw new Error(`--${name} must be a number ≥ ${min} (got ${String(argv[name])})`);
  return v;
};
const config = {
  minutes: num("minutes", 0.5),
  rate: num("rate", 1),
  clients: Math.floor(num("clients", 0)),
  warmupMinutes: argv.warmup === undefined ? Math.min(2, Number(argv.minutes) / 5) : num("warmup", 0),
  brokers: (argv.kafka ?? process.env.KAFKA_BROKERS ?? process.env.KAFKA_TEST_BROKERS ?? "127.0.0.1:9092").split(",").map((b) => b.trim()),
  adminUrl: argv["database-url"] ?? process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
  check: argv.check,
  reportSeconds: num("report-seconds", 1),
  probeSeconds: num("probe-seconds", 1),
  flatJudgedAfterMinutes: num("flat-judged-after", 0),
  users: Math.floor(num("users", 100)),
  keep: argv.keep,
};
if (config.warmupMinutes >= config.minutes) throw new Error("--warmup must be shorter than --minutes");

// ── Helpers ──────────────────────────────────────────────────────────────────────────────────────
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : "–");
const pct = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}%`;
const mmss = (ms: number) => `${Math.floor(ms / 60_000)}:${String(Math.floor((ms % 60_000) / 1000)).padStart(2, "0")}`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}


/** Reads the child's MEMORY_PROBE lines as they arrive (runTs keeps every line; this keeps a cursor). */
function probeReader(child: RunningProcess) {
  let cursor = 0;
  const samples: MemorySample[] = [];
  return {
    samples,
    poll(): void {
      for (; cursor < child.lines.length; cursor++) {
        const sample = parseMemorySample(child.lines[cursor]!);
        if (sample) samples.push(sample);
      }
    },
  };
}

interface PipelineFigures {
  /** Sum of the view topics' end offsets: what the log holds (fresh topics start at 0). */
  logEnd: number;
  /** Sum of the offsets stored with the aggregates. */
  committed: number;
  counted: number;
  deadLettered: number;
}

async function readPipeline(log: EventLog, pool: pg.Pool): Promise<PipelineFigures> {
  const [ends, { rows }] = await Promise.all([
    Promise.all(VIEW_EVENT_TOPICS.map((t) => log.endOffsets(t))),
    pool.query<{ committed: string; counted: string; dead: string }>(
      `SELECT (SELECT coalesce(sum(next_offset), 0) FROM consumer_offset WHERE group_id = $1 AND topic = ANY($2::text[]))::text AS committed,
              (SELECT coalesce(sum(value), 0) FROM pipeline_counter WHERE group_id = $1 AND name = 'counted')::text AS counted,
              (SELECT coalesce(sum(value), 0) FROM pipeline_counter WHERE group_id = $1 AND name = 'dead_lettered')::text AS dead`,
      [CONSUMER_GROUPS.aggregator, VIEW_EVENT_TOPICS],
    ),
  ]);
  const r = rows[0]!;
  return { logEnd: ends.flat().reduce((a, o) => a + o.offset, 0), committed: Number(r.committed), counted: Number(r.counted), deadLettered: Number(r.dead) };
}

type ClientReport = Extract<FromClients, { type: "report" }>;

interface ClientsProcess {
  child: ChildProcess;
  send(m: ToClients): void;
  /** Sends `m` and resolves with the first answer of type `answer`. */
  ask<T extends FromClients["type"]>(m: ToClients, answer: T, timeoutMs?: number): Promise<Extract<FromClients, { type: T }>>;
}

function clientsProcess(): ClientsProcess {
  const child = fork(path.join(path.dirname(fileURLToPath(import.meta.url)), "soak", "clients.ts"), [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const send = (m: ToClients) => {
    if (child.connected) child.send(m);
  };
  return {
    child,
    send,
    ask: <T extends FromClients["type"]>(m: ToClients, answer: T, timeoutMs = 30_000) =>
      new Promise<Extract<FromClients, { type: T }>>((resolve, reject) => {
        if (!child.connected) return reject(new Error("the clients' process is gone"));
        const on = (r: FromClients) => {
          if (r.type !== answer) return;
          clearTimeout(timer);
          child.off("message", on);
          resolve(r as Extract<FromClients, { type: T }>);
        };
        const timer = setTimeout(() => {
          child.off("message", on);
          reject(new Error(`the clients' process did not answer ${m.type} within ${timeoutMs} ms`));
        }, timeoutMs);
        child.on("message", on);
        child.send(m);
      }),
  };
}

// ── The run ──────────────────────────────────────────────────────────────────────────────────────
interface Row {
  elapsedMs: number;
  phase: "warm-up" | "steady" | "drained";
  scheduled: number;
  acked: number;
  logEnd: number;
  counted: number;
  lag: number;
  heapMb: number | null;
  rssMb: number | null;
  cpuPct: number | null;
  loopP99Ms: number | null;
  connected: number | null;
  snapshotsPerSec: number | null;
  stalenessP99Ms: number | null;
  eventToScreenP99Ms: number | null;
  maxGapMs: number | null;
}

const COLUMNS: [string, number][] = [
  ["elapsed", 7], ["phase", 7], ["produced", 10], ["counted", 10], ["lag", 7], ["heap MB", 7], ["RSS MB", 7], ["CPU %", 5], ["loop p99", 8],
  ["clients", 7], ["snaps/s", 7], ["stale p99", 9], ["ev→screen p99", 13], ["max gap", 7],
];
const printRow = (cells: string[]) => console.log(cells.map((c, i) => c.padStart(COLUMNS[i]![1])).join("  "));
const rowCells = (r: Row) => [
  mmss(r.elapsedMs), r.phase, fmt(r.acked), fmt(r.counted), fmt(r.lag), r.heapMb === null ? "–" : fmt(r.heapMb, 1), r.rssMb === null ? "–" : fmt(r.rssMb, 1),
  r.cpuPct === null ? "–" : fmt(r.cpuPct), r.loopP99Ms === null ? "–" : `${fmt(r.loopP99Ms)} ms`, r.connected === null ? "–" : `${r.connected}/${config.clients}`,
  r.snapshotsPerSec === null ? "–" : fmt(r.snapshotsPerSec, 1), r.stalenessP99Ms === null ? "–" : `${fmt(r.stalenessP99Ms)} ms`,
  r.eventToScreenP99Ms === null ? "–" : `${fmt(r.eventToScreenP99Ms)} ms`, r.maxGapMs === null ? "–" : `${fmt(r.maxGapMs / 1000, 1)} s`,
];

interface Criterion {
  name: string;
  ok: boolean;
  /** Judged criteria decide --check's exit code; the others are reported only. */
  judged: boolean;
  detail: string;
}

const runId = randomBytes(3).toString("hex");
const prefix = `soak_${runId}.`;
const connection: KafkaConnectionOptions = { brokers: config.brokers, clientId: `showrunner-soak-${runId}`, log: (e) => logger.warn({ kafka: e }, "kafka") };
let aborted: string | null = null;
let database: SoakDatabase | null = null;
let log: EventLog | null = null;
let pool: pg.Pool | null = null;
let product: RunningProcess | null = null;
let clients: ClientsProcess | null = null;
let producer: SteadyProducer | null = null;
let exitCode = 0;

const onSignal = (signal: NodeJS.Signals) => {
  if (aborted) {
    console.error(`\n${signal} again: exiting without cleaning up (database soak_${runId}, topics ${prefix}*)`);
    process.exit(130);
  }
  aborted = signal;
  console.error(`\n${signal}: stopping the soak and cleaning up (again to exit at once)…`);
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

async function cleanUp(): Promise<void> {
  const step = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      console.error(`cleanup: ${what} failed: ${(err as Error).message}`);
    }
  };
  await step("stopping the producer", async () => producer?.stop());
  if (clients) {
    clients.send({ type: "exit" });
    const c = clients.child;
    await step("stopping the clients", () => Promise.race([new Promise((r) => c.once("exit", r)), sleep(5_000).then(() => c.kill("SIGKILL"))]));
  }
  if (product) {
    const p = product;
    await step("stopping the product process", async () => {
      const { code, signal } = await p.stop("SIGTERM", 20_000);
      if (code !== 0 && !aborted) {
        console.error(`the product process exited with code ${code} (signal ${signal}) on SIGTERM; last lines:\n${p.lines.filter((l) => !l.startsWith("MEMORY_PROBE")).slice(-10).join("\n")}`);
        exitCode ||= config.check ? 1 : 0;
      }
    });
  }
  await step("closing the log", async () => log?.close());
  await step("closing the pool", async () => pool?.end());
  if (config.keep) {
    console.log(`--keep: left database ${database?.name ?? "(none)"} and topics ${prefix}* in place`);
    return;
  }
  await step("deleting the topics", () => deleteKafkaTopics(connection, Object.values(TOPICS).map((t) => `${prefix}${t}`)));
  await step("deleting the consumer group", () => deleteConsumerGroups(connection, [`${prefix}${CONSUMER_GROUPS.aggregator}`]));
  await step("dropping the database", async () => database?.drop());
}

async function run(): Promise<void> {
  const durationMs = config.minutes * 60_000;
  const warmupMs = config.warmupMinutes * 60_000;
  console.log(
    `Soak ${runId}: ${fmt(config.minutes, 1)} min at ${fmt(config.rate)} events/s, ${config.clients} clients, warm-up ${fmt(config.warmupMinutes, 1)} min; ` +
      `Kafka ${config.brokers.join(",")}, topics ${prefix}*; ${availableParallelism()} cores, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`,
  );
  try {
    await describeKafkaCluster({ ...connection, timeoutMs: 5_000 });
  } catch (err) {
    throw new Error(`Kafka broker unreachable at ${config.brokers.join(",")} (${(err as Error).message}): start one with \`npm run kafka:start\` or pass --kafka`);
  }

  database = await createSoakDatabase(config.adminUrl, `soak_${runId}`);
  pool = createPool(database.url, 2);
  const db = createDb(database.url, { poolSize: 1 });
  const wall = await createAccessToken(db, { kind: "wall", name: "soak wall screens", createdBy: "bench/soak.ts" });
  await db.$disconnect();
  log = withTopicPrefix(createKafkaLog(connection), prefix);
  await log.ensureTopics(Object.values(TOPICS).map((topic) => ({ topic, partitions: LOCAL_PARTITIONS[topic] })));

  let t0 = performance.now();
  const template = simulatedTemplate({ seed: SIM_SEED, users: config.users, events: Math.min(500_000, Math.max(50_000, Math.round(config.rate * 60))) });
  const templateUsers = new Set(template.map((e) => e.user_id)).size;
  console.log(`input: a loop of ${fmt(template.length)} simulated events (${fmt(templateUsers)} users) made in ${fmt(performance.now() - t0)} ms, restamped to now`);

  const port = await freePort();
  t0 = performance.now();
  product = runTs("product", "server/main.ts", ["--role", "stream,live"], {
    SIMULATOR: "false",
    SIM_SEED: String(SIM_SEED),
    KAFKA_BROKERS: config.brokers.join(","),
    KAFKA_TOPIC_PREFIX: prefix,
    DATABASE_URL: database.url,
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
    NODE_ENV: "production",
    REDIS_URL: undefined,
    NODE_OPTIONS: MEMORY_PROBE_OPTIONS,
    MEMORY_PROBE_MS: String(config.probeSeconds * 1000),
  });
  await product.waitForLine(/Showrunner is up/, 120_000);
  console.log(`product: server/main.ts --role stream,live (pid ${product.child.pid}) up in ${fmt(performance.now() - t0)} ms on port ${port}`);
  const probe = probeReader(product);

  if (config.clients > 0) {
    clients = clientsProcess();
    const c = await clients.ask({ type: "connect", url: `http://127.0.0.1:${port}`, token: wall.token, total: config.clients }, "connected", 120_000);
    console.log(`clients: ${c.connected}/${config.clients} connected in ${fmt(c.ms)} ms${c.failed.length ? `; failures: ${[...new Set(c.failed)].join("; ")}` : ""}`);
  }

  producer = startSteadyProducer({ log, ratePerSec: config.rate, template });
  const started = performance.now();
  const harnessCpu = process.cpuUsage();
  const clientsCpu: number[] = [];
  const rows: Row[] = [];
  let lastClients: ClientReport | null = null;
  let marked = warmupMs === 0;
  if (marked) clients?.send({ type: "mark" });
  let productExit: string | null = null;
  void product.exited.then(({ code, signal }) => (productExit = `exited with code ${code}, signal ${signal}`));

  const sampleRow = async (phase: Row["phase"]): Promise<Row> => {
    probe.poll();
    const p = await readPipeline(log!, pool!);
    const s = producer!.stats();
    const last = probe.samples.at(-1);
    let report: ClientReport | null = null;
    if (clients && !productExit) report = await clients.ask({ type: "report" }, "report").catch(() => null);
    if (report) {
      lastClients = report;
      if (phase !== "drained") clientsCpu.push(report.cpuPct);
    }
    const row: Row = {
      elapsedMs: performance.now() - started,
      phase,
      scheduled: s.scheduled,
      acked: s.acked,
      logEnd: p.logEnd,
      counted: p.counted,
      lag: p.logEnd - p.committed,
      heapMb: last ? last.heapUsed / MB : null,
      rssMb: last ? last.rss / MB : null,
      cpuPct: last?.cpuPct ?? null,
      loopP99Ms: last?.loopP99Ms ?? null,
      connected: report?.connected ?? null,
      // Over a few seconds (the drained row) the count is mostly rounding.
      snapshotsPerSec: report && report.interval.seconds >= 5 ? report.interval.snapshots / report.interval.seconds : null,
      stalenessP99Ms: report ? report.interval.staleness.p99 : null,
      eventToScreenP99Ms: report ? report.interval.eventToScreen.p99 : null,
      maxGapMs: report?.interval.maxGapMs ?? null,
    };
    rows.push(row);
    printRow(rowCells(row));
    return row;
  };

  console.log(`\nEvery ${config.reportSeconds} s: events produced (acked) and counted (pipeline_counter), lag (log end − stored offsets), the product's heap and RSS (latest probe), its CPU (% of one core) and event-loop delay,`);
  console.log(`clients connected, snapshots/s received, staleness p99 (receipt − snapshot.at), event → screen p99 (receipt − newest event time), longest wait for a snapshot by any client.\n`);
  printRow(COLUMNS.map(([h]) => h));
  let nextReport = config.reportSeconds * 1000;
  while (!aborted && !productExit) {
    const elapsed = performance.now() - started;
    if (elapsed >= durationMs) break;
    if (!marked && elapsed >= warmupMs) {
      marked = true;
      clients?.send({ type: "mark" });
    }
    if (elapsed >= nextReport) {
      await sampleRow(elapsed < warmupMs ? "warm-up" : "steady");
      nextReport += config.reportSeconds * 1000;
    }
    await sleep(Math.min(1_000, Math.max(10, nextReport - (performance.now() - started))));
  }
  const feedMs = performance.now() - started;
  const harnessUsed = process.cpuUsage(harnessCpu);
  const harnessCpuPct = ((harnessUsed.user + harnessUsed.system) / 1000 / feedMs) * 100;
  await producer.stop();
  const produced = producer.stats();
  if (rows.at(-1) === undefined || feedMs - rows.at(-1)!.elapsedMs > 2_000) await sampleRow(feedMs < warmupMs ? "warm-up" : "steady");
  const endClients = lastClients as ClientReport | null;

  // Drain: everything the log holds must end up counted, once.
  let drainMs = 0;
  let final = await readPipeline(log, pool);
  if (!aborted && !productExit) {
    const drainStart = performance.now();
    while (final.committed < final.logEnd && performance.now() - drainStart < DRAIN_TIMEOUT_MS && !aborted && !productExit) {
      await sleep(250);
      final = await readPipeline(log, pool);
    }
    drainMs = performance.now() - drainStart;
    await sampleRow("drained");
  }
  probe.poll();
  if (productExit) console.error(`\nthe product process ${productExit} during the soak; last lines:\n${product.lines.filter((l) => !l.startsWith("MEMORY_PROBE")).slice(-20).join("\n")}`);

  // ── Verdicts ──────────────────────────────────────────────────────────────────────────────────
  const startedAt = Date.now() - (performance.now() - started);
  const steadySamples = probe.samples.filter((s) => s.at >= startedAt + warmupMs && s.at <= startedAt + feedMs);
  const heap = flatness(steadySamples.map((s) => ({ at: s.at, value: s.heapUsed / MB })));
  const rss = flatness(steadySamples.map((s) => ({ at: s.at, value: s.rss / MB })));
  const steadyMinutes = Math.max(0, feedMs - warmupMs) / 60_000;
  const flatJudged = steadyMinutes >= config.flatJudgedAfterMinutes;
  const steadyRows = rows.filter((r) => r.phase === "steady");
  const since = endClients?.sinceMark ?? null;
  const criteria: Criterion[] = [];
  const add = (name: string, ok: boolean, detail: string, judged = true) => criteria.push({ name, ok, judged, detail });

  add("ran to the end", !aborted && !productExit, aborted ? `stopped by ${aborted}` : productExit ? `the product process ${productExit}` : `${mmss(feedMs)} of feed`);
  add(
    "events in = counted, exactly",
    produced.errors === 0 && produced.acked === final.logEnd && final.counted === final.logEnd && final.committed === final.logEnd,
    `produced (acked) ${fmt(produced.acked)}, in the log ${fmt(final.logEnd)}, counted ${fmt(final.counted)}, stored offsets ${fmt(final.committed)}; ` +
      `produce errors ${produced.errors}${produced.lastError ? ` (${produced.lastError})` : ""}; drained in ${fmt(drainMs / 1000, 1)} s after the feed stopped`,
  );
  add("no dead letters", final.deadLettered === 0, `${fmt(final.deadLettered)} dead-lettered`);
  const achieved = produced.acked / ((feedMs / 1000) * config.rate);
  add(`steady feed (≥ ${RATE_ACHIEVED * 100}% of the rate)`, achieved >= RATE_ACHIEVED, `${fmt(produced.acked / (feedMs / 1000))} events/s achieved of ${fmt(config.rate)} (${(achieved * 100).toFixed(1)}%)`);
  const maxLag = Math.max(0, ...steadyRows.map((r) => r.lag));
  add(`processor keeps up (lag ≤ ${LAG_SECONDS} s of input after warm-up)`, maxLag <= LAG_SECONDS * config.rate, `max lag ${fmt(maxLag)} events (${fmt(maxLag / config.rate, 1)} s of input)`);
  if (config.clients > 0) {
    add("all clients connected at the end", endClients?.connected === config.clients, `${endClients?.connected ?? 0}/${config.clients}; ${endClients?.disconnects ?? "?"} disconnects, ${endClients?.reconnects ?? "?"} reconnects${endClients?.clientErrors.length ? `; client:error ${endClients.clientErrors.join("; ")}` : ""}`);
    if (since) {
      const expected = config.clients * since.seconds * (1000 / CHANNEL_INTERVAL_MS.overview);
      add(
        `snapshots delivered (≥ ${DELIVERED * 100}% of clients × seconds)`,
        since.snapshots >= DELIVERED * expected,
        `${fmt(since.snapshots)} of ${fmt(expected)} (${((since.snapshots / expected) * 100).toFixed(1)}%); per client ${since.perClientMin}–${since.perClientMax} over ${fmt(since.seconds)} s`,
      );
      add(`no screen stalled (no client > ${STALL_MS / 1000} s without a snapshot)`, since.maxGapMs <= STALL_MS, `longest wait ${fmt(since.maxGapMs)} ms`);
      add(
        `staleness p99 ≤ ${fmt(STALENESS_P99_MS)} ms, max ≤ ${fmt(STALL_MS)} ms`,
        since.staleness.p99 <= STALENESS_P99_MS && since.staleness.max <= STALL_MS,
        `receipt − snapshot.at: p50 ${fmt(since.staleness.p50)} ms, p99 ${fmt(since.staleness.p99)} ms, max ${fmt(since.staleness.max)} ms over ${fmt(since.staleness.count)} snapshots; ` +
          `event → screen p50 ${fmt(since.eventToScreen.p50)} ms, p99 ${fmt(since.eventToScreen.p99)} ms, max ${fmt(since.eventToScreen.max)} ms`,
      );
    } else add("snapshots after warm-up", false, "no client report after the warm-up");
  }
  const flatDetail = (f: Flatness | null, unit: string) =>
    f
      ? `first fifth ${fmt(f.first, 1)} ${unit} → last fifth ${fmt(f.last, 1)} ${unit} (${pct(f.growth)}); min ${fmt(f.min, 1)}, max ${fmt(f.max, 1)}; trend ${f.slopePerHour >= 0 ? "+" : ""}${fmt(f.slopePerHour, 1)} ${unit}/h; ${f.samples} samples, ${f.windowSamples} per fifth`
      : "too few samples after warm-up";
  const flatNote = flatJudged
    ? config.warmupMinutes < LIVE_HISTORY_MINUTES
      ? ` [warm-up ${fmt(config.warmupMinutes, 1)} min < the live view's ${LIVE_HISTORY_MINUTES}-min history: growth may be its fill]`
      : ""
    : ` [reported, not judged: ${fmt(steadyMinutes, 1)} min after warm-up < --flat-judged-after ${config.flatJudgedAfterMinutes}]`;
  add(`heap flat within ${FLAT_WITHIN * 100}% after warm-up`, heap !== null && Math.abs(heap.growth) <= FLAT_WITHIN, flatDetail(heap, "MB") + flatNote, flatJudged);
  add(`RSS flat within ${FLAT_WITHIN * 100}% after warm-up`, rss !== null && Math.abs(rss.growth) <= FLAT_WITHIN, flatDetail(rss, "MB") + flatNote, flatJudged);

  console.log(`\nVerdicts (${config.check ? "--check: a failed judged criterion exits 1" : "report only; --check to fail on them"}):`);
  // A criterion not judged (too short a run) shows its figures under "–", pass or not.
  for (const c of criteria) console.log(`  ${!c.judged ? "– " : c.ok ? "✅" : "❌"} ${c.name}: ${c.detail}`);
  console.log(
    `  Flatness = mean of the last fifth of the post-warm-up probe samples / mean of the first fifth − 1 (heapUsed and RSS, one sample per ${config.probeSeconds} s);` +
      ` means, because heapUsed is a GC sawtooth. Judged only with ≥ ${config.flatJudgedAfterMinutes} min after warm-up.`,
  );
  const productCpu = steadySamples.length ? steadySamples.reduce((a, s) => a + s.cpuPct, 0) / steadySamples.length : NaN;
  const clientsCpuPct = clientsCpu.length ? clientsCpu.reduce((a, b) => a + b, 0) / clientsCpu.length : NaN;
  console.log(
    `  CPU, % of one core (${availableParallelism()} cores, shared): product ${fmt(productCpu)} after warm-up, this process (producer) ${fmt(harnessCpuPct)}, clients' process ${fmt(clientsCpuPct)}; load at end ${loadavg().map((l) => l.toFixed(2)).join(" ")}`,
  );
  const failed = criteria.filter((c) => c.judged && !c.ok);
  if (config.check && failed.length > 0) exitCode = 1;
  if (aborted) exitCode = 130;

  const out = argv.out ?? `bench/out/soak-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify(
      {
        at: new Date().toISOString(),
        runId,
        config: { ...config, adminUrl: undefined },
        machine: { cores: availableParallelism(), loadAtEnd: loadavg() },
        cpuPct: { product: productCpu, producer: harnessCpuPct, clients: clientsCpuPct },
        input: { templateEvents: template.length, templateUsers },
        feedSeconds: feedMs / 1000,
        events: { scheduled: produced.scheduled, acked: produced.acked, inLog: final.logEnd, counted: final.counted, storedOffsets: final.committed, deadLettered: final.deadLettered, produceErrors: produced.errors, drainSeconds: drainMs / 1000 },
        memory: { formula: "last fifth mean / first fifth mean − 1 over post-warm-up samples", heapMb: heap, rssMb: rss, judged: flatJudged },
        clients: endClients,
        criteria,
        passed: failed.length === 0,
        rows,
        probe: probe.samples,
      },
      null,
      2,
    ),
  );
  console.log(`\nSummary: ${failed.length === 0 ? "PASS" : `FAIL (${failed.map((c) => c.name).join("; ")})`}; written to ${out}`);
}

try {
  await run();
} catch (err) {
  console.error(`soak failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  exitCode = 1;
} finally {
  await cleanUp();
}
process.exit(exitCode);
