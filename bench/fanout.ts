/**
 * Live fan-out: the socket.io gateway in this process, its LiveState fed at 20,000 events/s, against
 * 500 then 2,000 wall-screen clients (WebSockets, subscribed to `overview`) in a separate process.
 * Freshness is measured on receipt against timestamps carried in the data, on one machine's clock:
 *
 * - event → screen: receipt − the snapshot's `newestEventTime`; the producer stamps each event with
 *   the time it produced it, so this is how old the newest event on screen is when the snapshot
 *   lands (with a steady feed every tick carries events from just before it);
 * - fan-out: receipt − the moment the computed snapshot was handed to the gateway (the bench
 *   re-stamps `at`), i.e. emit, wire and decode, without computing the snapshot.
 *
 * The feed is "direct" by default (parsed events handed to LiveState, as the aggregator's commits
 * are) or "log" (wire JSON through the in-process log and the live feed, as in a web process without
 * the aggregator; it parses in this process too). Gateway CPU (% of one core) and peak RSS are this
 * process's, feed included; the 0-client row is the feed alone.
 *
 * `npx tsx bench/fanout.ts` runs it alone (about 90 s); `benchFanout()` returns rows for bench/run.ts.
 * BENCH_FANOUT_CLIENTS=500,2000  BENCH_FANOUT_RATE=20000  BENCH_FANOUT_SECONDS=15  BENCH_FANOUT_FEED=direct|log
 */
import { fork, type ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { availableParallelism, loadavg } from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { LOCAL_PARTITIONS, TOPICS, VIEW_EVENT_TOPICS } from "../lib/config/topics";
import { SOCKET_PATH, type ClientToServerEvents, type OverviewSnapshot, type ServerToClientEvents } from "../lib/live/contract";
import { generateCatalog } from "../lib/sim/catalog";
import { createLiveGateway } from "../server/live/create-live-gateway";
import { LiveState } from "../server/live/live-state";
import { runLiveFeed } from "../server/live/run-live-feed";
import { createMemoryLog } from "../server/log/memory-log";
import type { ProducerRecord } from "../server/log/types";
import type { ParsedEvent } from "../lib/events/view-event";
import { logger } from "../server/logger";
import { printTable, type BenchResult } from "./report";

const TOKEN = "bench-wall-token";
const FRESHNESS_TARGET_MS = 250;

interface LatencyStats {
  samples: number;
  p50: number;
  p99: number;
  max: number;
}

type ToClients = { type: "connect"; total: number } | { type: "reset" } | { type: "report" } | { type: "exit" };
type FromClients =
  | { type: "connected"; total: number; failed: number; ms: number }
  | { type: "report"; fanout: LatencyStats; endToEnd: LatencyStats; messages: number; cpuPct: number; bytesPerMessage: number };

function stats(values: number[]): LatencyStats {
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
  return { samples: sorted.length, p50: at(0.5), p99: at(0.99), max: at(1) };
}

// ── The clients' process ─────────────────────────────────────────────────────────────────────────

async function runClients(url: string): Promise<void> {
  const { io } = await import("socket.io-client");
  const sockets: ReturnType<typeof io>[] = [];
  let fanout: number[] = [];
  let endToEnd: number[] = [];
  let messages = 0;
  let bytes = 0;
  let cpu = process.cpuUsage();
  let since = performance.now();
  const send = (message: FromClients) => process.send!(message);

  const onSnapshot = (s: OverviewSnapshot) => {
    const now = Date.now();
    messages++;
    fanout.push(now - s.at);
    if (s.newestEventTime !== null) endToEnd.push(now - s.newestEventTime);
    if (messages % 500 === 1) bytes = JSON.stringify(s).length;
  };

  const connectOne = () =>
    new Promise<boolean>((resolve) => {
      const socket = io(url, { path: SOCKET_PATH, transports: ["websocket"], forceNew: true, auth: { token: TOKEN }, reconnection: false });
      const typed = socket as unknown as import("socket.io-client").Socket<ServerToClientEvents, ClientToServerEvents>;
      typed.on("overview:snapshot", onSnapshot);
      socket.once("connect", () => {
        typed.emit("subscribe", { channel: "overview" });
        resolve(true);
      });
      socket.once("connect_error", () => resolve(false));
      sockets.push(socket);
    });

  process.on("message", async (message: ToClients) => {
    if (message.type === "connect") {
      const started = performance.now();
      let failed = 0;
      // In waves, as screens coming up after a deploy would: not all in one tick.
      while (sockets.length < message.total) {
        const wave = Math.min(100, message.total - sockets.length);
        const results = await Promise.all(Array.from({ length: wave }, connectOne));
        failed += results.filter((ok) => !ok).length;
      }
      send({ type: "connected", total: sockets.length, failed, ms: performance.now() - started });
    } else if (message.type === "reset") {
      fanout = [];
      endToEnd = [];
      messages = 0;
      cpu = process.cpuUsage();
      since = performance.now();
    } else if (message.type === "report") {
      const used = process.cpuUsage(cpu);
      const cpuPct = ((used.user + used.system) / 1000 / (performance.now() - since)) * 100;
      send({ type: "report", fanout: stats(fanout), endToEnd: stats(endToEnd), messages, cpuPct, bytesPerMessage: bytes });
    } else if (message.type === "exit") {
      for (const s of sockets) s.disconnect();
      process.exit(0);
    }
  });
}

// ── The gateway's process ────────────────────────────────────────────────────────────────────────

const USERS = 100_000;
const SOURCES = 8;

/**
 * Watch-heavy synthetic traffic over the catalog (Zipf-like titles), each event stamped with the
 * time it was produced, at `ratePerSec` (open loop: a slow consumer does not slow the producer).
 * "direct" hands parsed events to LiveState as a committed batch would; "log" appends wire-format
 * JSON to the in-process log, which the live feed parses (a web process without the aggregator).
 */
function startProducer(feed: "direct" | "log", target: { live: LiveState; log: ReturnType<typeof createMemoryLog> }, ratePerSec: number, titleIds: string[]): () => void {
  let produced = 0;
  let seq = 0;
  const started = performance.now();
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) / 1000) * ratePerSec) - produced;
    if (due <= 0) return;
    produced += due;
    const now = Date.now();
    const events: ParsedEvent[] = [];
    for (let i = 0; i < due; i++) {
      const r = Math.random();
      const type = r < 0.8 ? "watch" : r < 0.9 ? "like" : "search";
      events.push({
        eventId: `f${seq++}`,
        userId: `u_${Math.floor(Math.random() * USERS)}`,
        titleId: titleIds[Math.floor(titleIds.length * Math.random() ** 3)]!,
        type,
        time: now,
        watchSeconds: type === "watch" ? 60 + Math.floor(Math.random() * 1_800) : 0,
        device: "tv",
        country: "GB",
      });
    }
    if (feed === "direct") {
      // As the aggregator's commits arrive: a batch per partition.
      for (let s = 0; s < SOURCES; s++) target.live.record(events.filter((_, i) => i % SOURCES === s), `watch_events/${s}`);
      return;
    }
    const byTopic = new Map<string, ProducerRecord[]>();
    for (const e of events) {
      const topic = e.type === "watch" ? TOPICS.watch : e.type === "search" ? TOPICS.search : TOPICS.like;
      let records = byTopic.get(topic);
      if (!records) byTopic.set(topic, (records = []));
      const wire = {
        event_id: e.eventId,
        user_id: e.userId,
        title_id: e.titleId,
        event_type: e.type,
        event_time: new Date(e.time).toISOString(),
        ...(e.type === "watch" ? { watch_duration: e.watchSeconds } : {}),
        ...(e.type === "search" ? { query: "space" } : {}),
        device: e.device,
        country: e.country,
      };
      records.push({ key: e.userId, value: JSON.stringify(wire), timestamp: now });
    }
    for (const [topic, records] of byTopic) void target.log.produce(topic, records);
  }, 10);
  return () => clearInterval(timer);
}

interface Measured {
  clients: number;
  /** Time to compute one overview snapshot (live windows → payload), ms. */
  snapshot: LatencyStats;
  /** Events per second LiveState saw at the end of the window: the feed kept up if ≈ the rate. */
  processedPerSec: number;
  gatewayCpuPct: number;
  peakRssMb: number;
  loopDelayP99Ms: number;
  fanout: LatencyStats | null;
  endToEnd: LatencyStats | null;
  delivered: number | null;
  clientCpuPct: number | null;
  bytesPerMessage: number | null;
  connectMs: number | null;
}

export async function benchFanout(
  options: { clients?: number[]; ratePerSec?: number; measureSec?: number; feed?: "direct" | "log" } = {},
): Promise<BenchResult[]> {
  const steps = options.clients ?? (process.env.BENCH_FANOUT_CLIENTS ?? "500,2000").split(",").map(Number);
  const rate = options.ratePerSec ?? Number(process.env.BENCH_FANOUT_RATE ?? 20_000);
  const feedKind = (options.feed ?? process.env.BENCH_FANOUT_FEED ?? "direct") === "log" ? "log" : "direct";
  const measureSec = options.measureSec ?? Number(process.env.BENCH_FANOUT_SECONDS ?? 15);
  const tickMs = 1_000;
  const loadAtStart = loadavg()[0]!;

  const catalog = generateCatalog(7);
  const live = new LiveState(Date.now, new Map(catalog.map((t) => [t.title_id, { name: t.title_name, genre: t.genre }])));
  const log = createMemoryLog({ retentionPerPartition: 100_000 });
  await log.ensureTopics(VIEW_EVENT_TOPICS.map((topic) => ({ topic, partitions: LOCAL_PARTITIONS[topic] })));
  const feed = feedKind === "log" ? await runLiveFeed({ log, live, logger, clock: Date.now }) : null;
  const stopProducer = startProducer(
    feedKind,
    { live, log },
    rate,
    catalog.map((t) => t.title_id),
  );

  let snapshotMs: number[] = [];
  const http = createServer((_req, res) => res.writeHead(404).end());
  const gateway = createLiveGateway({
    server: http,
    logger,
    sources: {
      overview: () => {
        const t0 = performance.now();
        const snapshot = live.snapshot();
        snapshotMs.push(performance.now() - t0);
        // Re-stamped once computed, so receipt − `at` is the fan-out alone (emit, wire, decode).
        return { ...snapshot, at: Date.now() };
      },
      genres: () => live.genres(),
    },
    authenticate: async ({ token }) =>
      token === TOKEN ? { principal: { kind: "token", tokenId: 0, name: "bench", tokenKind: "wall" }, csrfToken: null } : null,
    intervalMs: { overview: tickMs, genres: tickMs },
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ["--clients", url], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ask = <T extends FromClients["type"]>(message: ToClients, answer: T) =>
    new Promise<Extract<FromClients, { type: T }>>((resolve) => {
      const on = (m: FromClients) => {
        if (m.type !== answer) return;
        child.off("message", on);
        resolve(m as Extract<FromClients, { type: T }>);
      };
      child.on("message", on);
      child.send(message);
    });

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const measureGateway = async () => {
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    let peakRss = process.memoryUsage().rss;
    const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    snapshotMs = [];
    await sleep(measureSec * 1_000);
    const used = process.cpuUsage(cpu);
    clearInterval(rssTimer);
    loop.disable();
    return {
      gatewayCpuPct: ((used.user + used.system) / 1000 / (performance.now() - t0)) * 100,
      peakRssMb: peakRss / 2 ** 20,
      loopDelayP99Ms: loop.percentile(99) / 1e6,
      snapshot: stats(snapshotMs),
      processedPerSec: live.snapshot().eventsPerSec,
    };
  };

  const rows: Measured[] = [];
  try {
    console.log(`fan-out: gateway at ${url}, feed ${rate.toLocaleString("en")} events/s; warming up the windows…`);
    await sleep(5_000);
    const baseline = await measureGateway();
    rows.push({ clients: 0, ...baseline, fanout: null, endToEnd: null, delivered: null, clientCpuPct: null, bytesPerMessage: null, connectMs: null });
    for (const clients of steps) {
      const connected = await ask({ type: "connect", total: clients }, "connected");
      if (connected.failed > 0) console.warn(`fan-out: ${connected.failed} of ${clients} clients failed to connect`);
      await sleep(3_000);
      child.send({ type: "reset" } satisfies ToClients);
      const gatewayFigures = await measureGateway();
      const report = await ask({ type: "report" }, "report");
      rows.push({
        clients,
        ...gatewayFigures,
        fanout: report.fanout,
        endToEnd: report.endToEnd,
        delivered: report.messages / (clients * (measureSec * 1_000) / tickMs),
        clientCpuPct: report.cpuPct,
        bytesPerMessage: report.bytesPerMessage,
        connectMs: connected.ms,
      });
    }
  } finally {
    child.send({ type: "exit" } satisfies ToClients);
    stopProducer();
    await gateway.close();
    await feed?.stop();
    await log.close();
  }

  printFanoutTable(rows, rate, feedKind, loadAtStart);
  return rows
    .filter((r) => r.fanout)
    .flatMap((r): BenchResult[] => [
      {
        name: `live fan-out at ${(rate / 1000).toFixed(0)}k events/s, ${r.clients.toLocaleString("en")} clients: event → screen p99`,
        value: r.endToEnd!.p99,
        unit: "ms",
        target: r.clients === 500 ? `≤ ${FRESHNESS_TARGET_MS} ms` : undefined,
        ok: r.clients === 500 ? r.endToEnd!.p99 <= FRESHNESS_TARGET_MS : undefined,
        notes: `p50 ${r.endToEnd!.p50.toFixed(0)} ms; fan-out alone p50/p99 ${r.fanout!.p50.toFixed(0)}/${r.fanout!.p99.toFixed(0)} ms; snapshot compute p50/max ${r.snapshot.p50.toFixed(0)}/${r.snapshot.max.toFixed(0)} ms; gateway ${r.gatewayCpuPct.toFixed(0)}% CPU, ${r.peakRssMb.toFixed(0)} MB RSS`,
      },
    ]);
}

function printFanoutTable(rows: Measured[], rate: number, feedKind: string, loadAtStart: number): void {
  const ms = (s: LatencyStats | null, k: "p50" | "p99") => (s ? s[k].toFixed(0) : "–");
  const header = ["clients", "event→screen p50 / p99 ms", "fan-out p50 / p99 ms", "delivered", "gateway CPU", "gateway RSS", "loop delay p99", "snapshot compute p50 / max", "fed events/s", "clients' CPU", "msg size"];
  const cells = rows.map((r) => [
    r.clients.toLocaleString("en"),
    r.endToEnd ? `${ms(r.endToEnd, "p50")} / ${ms(r.endToEnd, "p99")}` : "–",
    r.fanout ? `${ms(r.fanout, "p50")} / ${ms(r.fanout, "p99")}` : "–",
    r.delivered === null ? "–" : `${(r.delivered * 100).toFixed(1)}%`,
    `${r.gatewayCpuPct.toFixed(0)}%`,
    `${r.peakRssMb.toFixed(0)} MB`,
    `${r.loopDelayP99Ms.toFixed(0)} ms`,
    r.snapshot.samples > 0 ? `${r.snapshot.p50.toFixed(0)} / ${r.snapshot.max.toFixed(0)} ms` : "–",
    Math.round(r.processedPerSec).toLocaleString("en"),
    r.clientCpuPct === null ? "–" : `${r.clientCpuPct.toFixed(0)}%`,
    r.bytesPerMessage === null ? "–" : `${(r.bytesPerMessage / 1024).toFixed(1)} KB`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i]!)).join(" | ")} |`;
  console.log(`\nLive fan-out: ${feedKind} feed of ${rate.toLocaleString("en")} events/s, overview snapshot every 1 s (volatile), websocket clients in a separate process`);
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const c of cells) console.log(line(c));
  console.log(`CPU: % of one core over the measured window (the gateway's includes the feed; row 0 is the feed alone). Load average at start: ${loadAtStart.toFixed(1)} on ${availableParallelism()} cores.\n`);
}

// ── Entry points ─────────────────────────────────────────────────────────────────────────────────

const clientsAt = process.argv.indexOf("--clients");
if (clientsAt >= 0) {
  await runClients(process.argv[clientsAt + 1]!);
} else if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  logger.level = "warn";
  const results = await benchFanout();
  printTable(results);
  process.exit(0);
}
