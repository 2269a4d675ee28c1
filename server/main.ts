import { createServer } from "node:http";
import next from "next";
import { CONSUMER_GROUPS, LOCAL_PARTITIONS, TOPICS, VIEW_EVENT_TOPICS, type TopicName } from "../lib/config/topics";
import { generateCatalog } from "../lib/sim/catalog";
import { createSimulator } from "../lib/sim/simulator";
import { createDb, type Db } from "./db/client";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "./db/embedded";
import { applyMigrations } from "./db/migrate";
import { createPool } from "./db/pool";
import { parseEnv, type Env } from "./env";
import { createLiveGateway } from "./live/create-live-gateway";
import { LiveState, type TitleInfo } from "./live/live-state";
import { createMemoryLog } from "./log/memory-log";
import type { EventLog } from "./log/types";
import { logger } from "./logger";
import { setServices, type Services } from "./services";
import { backfill, runLiveSimulator } from "./sim/run-simulator";
import { createAggregator, type Aggregator } from "./stream/create-aggregator";

const DAY_MS = 86_400_000;
const VERSION = process.env.npm_package_version ?? "0.1.0";

async function openDatabase(env: Env): Promise<{ url: string; embedded: EmbeddedDatabase | null }> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, embedded: null };
  const started = Date.now();
  const embedded = await startEmbeddedPostgres({ dataDir: env.DATA_DIR, port: env.EMBEDDED_PG_PORT, log: logger });
  logger.info({ ms: Date.now() - started, dataDir: env.DATA_DIR }, "embedded Postgres ready");
  return { url: embedded.url, embedded };
}

async function openLog(env: Env, db: Db): Promise<EventLog> {
  if (env.KAFKA_BROKERS) {
    const { createKafkaLog } = await import("./log/kafka-log");
    return createKafkaLog({ brokers: env.KAFKA_BROKERS });
  }
  // The in-memory log starts where the stored offsets left off, as if retention had emptied it.
  const stored = await db.consumerOffset.findMany({ where: { groupId: CONSUMER_GROUPS.aggregator } });
  return createMemoryLog({
    initialOffsets: stored.map((o) => ({ topic: o.topic, partition: o.partition, offset: Number(o.nextOffset) })),
  });
}

async function loadTitles(db: Db, env: Env): Promise<Map<string, TitleInfo>> {
  if ((await db.title.count()) === 0) {
    const catalog = generateCatalog(env.SIM_SEED);
    await db.title.createMany({
      data: catalog.map((t) => ({ id: t.title_id, name: t.title_name, genre: t.genre, releaseYear: t.release_year })),
      skipDuplicates: true,
    });
    logger.info({ titles: catalog.length }, "seeded the title catalog");
  }
  const titles = await db.title.findMany();
  return new Map(titles.map((t) => [t.id, { name: t.name, genre: t.genre }]));
}

/** Resolves once the aggregator has committed everything appended to its topics so far. */
async function caughtUp(log: EventLog, aggregator: Aggregator): Promise<void> {
  const ends = (await Promise.all(VIEW_EVENT_TOPICS.map((t) => log.endOffsets(t)))).flat();
  for (;;) {
    const committed = aggregator.stats().committed;
    if (ends.every((o) => o.offset === 0 || (committed[`${o.topic}/${o.partition}`] ?? -1) >= o.offset)) return;
    await Promise.race([new Promise((r) => setTimeout(r, 20)), aggregator.crashed]);
  }
}

interface WorldState {
  worldStartMs: number;
  backfilledTo: number;
}

async function main() {
  const bootStarted = Date.now();
  const env = parseEnv();
  const dev = process.argv.includes("--dev");
  const clock = Date.now;

  const database = await openDatabase(env);
  const migrations = await applyMigrations(database.url, (line) => logger.info(line));
  if (migrations.applied.length > 0) logger.info({ applied: migrations.applied }, "migrations applied");
  const db = createDb(database.url);
  const pool = createPool(database.url);

  const log = await openLog(env, db);
  await log.ensureTopics(Object.values(TOPICS).map((topic) => ({ topic, partitions: LOCAL_PARTITIONS[topic as TopicName] })));

  const live = new LiveState(clock, await loadTitles(db, env));
  const aggregator = createAggregator({
    log,
    pool,
    logger,
    clock,
    onCommitted: (events, summary) => live.record(events, `${summary.topic}/${summary.partition}`, summary.deadLettered),
  });
  await aggregator.start();
  aggregator.crashed.catch((err: unknown) => {
    logger.fatal({ err }, "the stream processor crashed; exiting so a supervisor can restart it");
    process.exit(1);
  });

  const services: Services = {
    db,
    log,
    live,
    startedAt: bootStarted,
    version: VERSION,
    backfill: { state: "idle", daysDone: 0, daysTotal: 0 },
  };
  setServices(services);

  const app = next({ dev, dir: process.cwd(), hostname: env.HOST, port: env.PORT });
  const handleRequest = app.getRequestHandler();
  await app.prepare();
  const server = createServer((req, res) => void handleRequest(req, res));
  const gateway = createLiveGateway({ server, logger, overview: () => live.snapshot() });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(env.PORT, env.HOST, resolve);
  });
  logger.info({ url: `http://localhost:${env.PORT}`, log: log.kind, ms: Date.now() - bootStarted }, "Showrunner is up");

  let stopSimulator: (() => Promise<void>) | null = null;
  if (env.SIMULATOR) {
    const saved = await db.systemState.findUnique({ where: { key: "simulator" } });
    const now = clock();
    const world: WorldState = (saved?.value as WorldState | undefined) ?? {
      worldStartMs: Math.floor(now / DAY_MS) * DAY_MS - Math.max(0, env.SIM_BACKFILL_DAYS - 1) * DAY_MS,
      backfilledTo: 0,
    };
    const catalog = generateCatalog(env.SIM_SEED);
    // Signups continue two weeks past the backfill, so live traffic keeps bringing new cohorts.
    const sim = createSimulator({
      seed: env.SIM_SEED,
      catalog,
      startMs: world.worldStartMs,
      users: env.SIM_USERS,
      signupDays: env.SIM_BACKFILL_DAYS + 14,
    });
    if (world.backfilledTo === 0 && env.SIM_BACKFILL_DAYS > 0) {
      services.backfill = { state: "running", daysDone: 0, daysTotal: Math.ceil((now - world.worldStartMs) / DAY_MS) };
      console.log(`Backfilling ${services.backfill.daysTotal} days of simulated history (${env.SIM_USERS} users)…`);
      const total = await backfill({
        sim,
        log,
        fromMs: world.worldStartMs,
        toMs: now,
        caughtUp: () => caughtUp(log, aggregator),
        onProgress: (p) => {
          services.backfill = { state: "running", daysDone: p.day, daysTotal: p.days };
          console.log(`  backfill day ${p.day}/${p.days}: ${p.events.toLocaleString("en")} events counted, ${(p.elapsedMs / 1000).toFixed(1)} s`);
        },
      });
      console.log(`Backfill done: ${total.toLocaleString("en")} events.`);
    } else {
      sim.eventsBetween(now, now); // fast-forward the world to now; the downtime produced nothing
    }
    services.backfill = { ...services.backfill, state: "done" };
    const state: WorldState = { worldStartMs: world.worldStartMs, backfilledTo: sim.cursorMs };
    await db.systemState.upsert({ where: { key: "simulator" }, create: { key: "simulator", value: { ...state } }, update: { value: { ...state } } });
    sim.setRateMultiplier(env.SIM_RATE);
    stopSimulator = runLiveSimulator({ sim, log, logger, clock });
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await stopSimulator?.();
    await gateway.close(); // tells browsers to reconnect; closes the HTTP server too
    await aggregator.stop(); // finishes the batch in flight
    await log.close();
    await db.$disconnect();
    await pool.end();
    await database.embedded?.stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((err: unknown) => {
  logger.fatal({ err }, "start-up failed");
  process.exit(1);
});
