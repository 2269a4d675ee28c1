import { createServer, type RequestListener, type Server } from "node:http";
import next from "next";
import type pg from "pg";
import { CONSUMER_GROUPS, LOCAL_PARTITIONS, PRODUCTION_PARTITIONS, TOPICS, VIEW_EVENT_TOPICS } from "../lib/config/topics";
import { generateCatalog } from "../lib/sim/catalog";
import { simExperimentsStartMs } from "../lib/sim/experiments";
import { createSimulator } from "../lib/sim/simulator";
import { ensureFirstAdmin } from "./auth/accounts";
import { authenticate } from "./auth/authenticate";
import { createDb, type Db } from "./db/client";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "./db/embedded";
import { applyMigrations } from "./db/migrate";
import { createPool } from "./db/pool";
import { parseEnv, type Env } from "./env";
import { createAssignmentService } from "./experiments/assignment-service";
import { postAssignments } from "./experiments/assignments-route";
import { createExposurePublisher } from "./experiments/exposure-publisher";
import { serveFetchHandler } from "./http/node-adapter";
import { allowFramingBy, isWallPath } from "./http/wall-framing";
import { createChannelSources } from "./live/channel-sources";
import { createLiveGateway, type LiveGateway } from "./live/create-live-gateway";
import { LiveState, type TitleInfo } from "./live/live-state";
import { createRedisCluster } from "./live/redis-cluster";
import { runLiveFeed } from "./live/run-live-feed";
import { createMemoryLog } from "./log/memory-log";
import { withTopicPrefix } from "./log/with-topic-prefix";
import type { EventLog, LogConsumer } from "./log/types";
import { logger } from "./logger";
import { startResultsRefresher, type ResultsRefresher } from "./results/refresher";
import { parseRoles, type Role } from "./roles";
import { setServices, type Services } from "./services";
import { backfill, runLiveSimulator } from "./sim/run-simulator";
import { startSimExperiments } from "./sim/sim-experiments";
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

async function openLog(env: Env, pool: pg.Pool): Promise<EventLog> {
  const partitions = env.KAFKA_PARTITIONS === "production" ? PRODUCTION_PARTITIONS : LOCAL_PARTITIONS;
  let log: EventLog;
  if (env.KAFKA_BROKERS) {
    const { createKafkaLog } = await import("./log/kafka-log");
    log = createKafkaLog({
      brokers: env.KAFKA_BROKERS,
      clientId: "showrunner",
      ssl: env.KAFKA_SSL,
      sasl: env.KAFKA_SASL_MECHANISM
        ? { mechanism: env.KAFKA_SASL_MECHANISM, username: env.KAFKA_SASL_USERNAME ?? "", password: env.KAFKA_SASL_PASSWORD ?? "" }
        : undefined,
      log: (entry) => logger.warn({ kafka: entry }, "kafka"),
    });
  } else {
    // The in-memory log starts where the stored offsets left off, as if retention had emptied it.
    const { rows } = await pool.query<{ topic: string; partition: number; next_offset: number }>(
      "SELECT topic, partition, next_offset FROM consumer_offset WHERE group_id = $1",
      [CONSUMER_GROUPS.aggregator],
    );
    log = createMemoryLog({ initialOffsets: rows.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.next_offset })) });
  }
  log = withTopicPrefix(log, env.KAFKA_TOPIC_PREFIX);
  await log.ensureTopics(Object.values(TOPICS).map((topic) => ({ topic, partitions: partitions[topic] })));
  return log;
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

/**
 * Resolves once the aggregator group has committed everything appended so far. Reads the offsets
 * stored with the aggregates, so it works whichever process runs the aggregator.
 */
async function caughtUp(log: EventLog, pool: pg.Pool, onWait: () => void): Promise<void> {
  const ends = (await Promise.all(VIEW_EVENT_TOPICS.map((t) => log.endOffsets(t)))).flat();
  for (let polls = 0; ; polls++) {
    const { rows } = await pool.query<{ topic: string; partition: number; next_offset: number }>(
      "SELECT topic, partition, next_offset FROM consumer_offset WHERE group_id = $1",
      [CONSUMER_GROUPS.aggregator],
    );
    const stored = new Map(rows.map((r) => [`${r.topic}/${r.partition}`, r.next_offset]));
    if (ends.every((o) => (stored.get(`${o.topic}/${o.partition}`) ?? 0) >= o.offset)) return;
    if (polls > 0 && polls % 100 === 0) onWait();
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface WorldState {
  worldStartMs: number;
  backfilledTo: number;
}

/** The simulated world: history on first start, then live traffic. Returns its stop function. */
async function startSimulator(env: Env, db: Db, log: EventLog, pool: pg.Pool, services: Services | null) {
  const saved = await db.systemState.findUnique({ where: { key: "simulator" } });
  const now = Date.now();
  const world: WorldState = (saved?.value as WorldState | undefined) ?? {
    worldStartMs: Math.floor(now / DAY_MS) * DAY_MS - Math.max(0, env.SIM_BACKFILL_DAYS - 1) * DAY_MS,
    backfilledTo: 0,
  };
  // On a first start the experiments begin inside the backfill (simExperimentsStartMs); a world
  // simulated before they existed has no history with their effects, so they begin now.
  const experiments = await startSimExperiments({
    db,
    pool,
    log,
    logger,
    startMs: world.backfilledTo === 0 ? simExperimentsStartMs(world.worldStartMs, env.SIM_BACKFILL_DAYS) : now,
    clock: Date.now,
  });
  // Signups continue two weeks past the backfill, so live traffic keeps bringing new cohorts.
  const sim = createSimulator({
    seed: env.SIM_SEED,
    catalog: generateCatalog(env.SIM_SEED),
    startMs: world.worldStartMs,
    users: env.SIM_USERS,
    signupDays: env.SIM_BACKFILL_DAYS + 14,
    experimentsHook: experiments.hook,
  });
  const progress = (state: Services["backfill"]) => {
    if (services) services.backfill = state;
  };
  if (world.backfilledTo === 0 && env.SIM_BACKFILL_DAYS > 0) {
    const days = Math.ceil((now - world.worldStartMs) / DAY_MS);
    progress({ state: "running", daysDone: 0, daysTotal: days });
    console.log(`Backfilling ${days} days of simulated history (${env.SIM_USERS.toLocaleString("en")} users)…`);
    const total = await backfill({
      sim,
      log,
      fromMs: world.worldStartMs,
      toMs: now,
      caughtUp: () => caughtUp(log, pool, () => console.log("  waiting for the stream processor to catch up…")),
      afterDay: () => experiments.writer.flush(),
      onProgress: (p) => {
        progress({ state: "running", daysDone: p.day, daysTotal: p.days });
        console.log(`  backfill day ${p.day}/${p.days}: ${p.events.toLocaleString("en")} events counted, ${(p.elapsedMs / 1000).toFixed(1)} s`);
      },
    });
    console.log(`Backfill done: ${total.toLocaleString("en")} events.`);
  } else {
    sim.eventsBetween(now, now); // fast-forward the world to now; the downtime produced nothing
    await experiments.writer.flush(); // the replay reports every exposure again: stored ones are skipped
  }
  progress({ state: "done", daysDone: 0, daysTotal: 0 });
  const state: WorldState = { worldStartMs: world.worldStartMs, backfilledTo: sim.cursorMs };
  await db.systemState.upsert({ where: { key: "simulator" }, create: { key: "simulator", value: { ...state } }, update: { value: { ...state } } });
  sim.setRateMultiplier(env.SIM_RATE);
  experiments.startLive();
  const stopLive = runLiveSimulator({ sim, log, logger, clock: Date.now });
  return async () => {
    await stopLive();
    await experiments.close();
  };
}

/**
 * A brand-new installation has no account to sign in with: create an admin and print its password
 * once (it is stored only as a hash). With a shared database (DATABASE_URL) the operator creates
 * accounts with `npm run admin` instead, so nothing secret lands in a production log.
 */
async function announceFirstAdmin(db: Db, embedded: boolean): Promise<void> {
  if (!embedded) {
    if ((await db.account.count()) === 0) logger.warn("no accounts yet: create one with `npm run admin -- create-user --email you@example.com --role admin`");
    return;
  }
  const admin = await ensureFirstAdmin(db);
  if (!admin) return;
  console.log(
    [
      "",
      "  ┌─ First start: an admin account was created. This is the only time its password is shown. ─",
      `  │  email:    ${admin.email}`,
      `  │  password: ${admin.password}`,
      "  │  More accounts and tokens: npm run admin -- --help",
      "  └──────────────────────────────────────────────────────────────────────────────────────────",
      "",
    ].join("\n"),
  );
}

async function listen(server: Server, env: Env): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(env.PORT, env.HOST, resolve);
  });
}

async function main() {
  const bootStarted = Date.now();
  const env = parseEnv();
  const roles = parseRoles(process.argv.slice(2), env);
  const has = (r: Role) => roles.has(r);
  const dev = process.argv.includes("--dev");
  const clock = Date.now;
  logger.info({ roles: [...roles] }, "starting");

  const database = await openDatabase(env);
  const migrations = await applyMigrations(database.url, (line) => logger.info(line));
  if (migrations.applied.length > 0) logger.info({ applied: migrations.applied }, "migrations applied");
  const db = createDb(database.url);
  const pool = createPool(database.url);
  const log = await openLog(env, pool);
  const titles = await loadTitles(db, env);

  // Live state for processes that show live views; fed by the aggregator when it runs here.
  const live = has("web") || has("live") ? new LiveState(clock, titles) : null;
  let aggregator: Aggregator | null = null;
  if (has("stream")) {
    aggregator = createAggregator({
      log,
      pool,
      logger,
      clock,
      onCommitted: (events, summary) => live?.record(events, `${summary.topic}/${summary.partition}`),
    });
    await aggregator.start();
    aggregator.crashed.catch((err: unknown) => {
      logger.fatal({ err }, "the stream processor crashed; exiting so a supervisor can restart it");
      process.exit(1);
    });
  }
  let liveFeed: LogConsumer | null = null;
  let deadLetterTimer: NodeJS.Timeout | null = null;
  if (live) {
    if (!aggregator) liveFeed = await runLiveFeed({ log, live, logger, clock });
    const refresh = () =>
      pool
        .query<{ n: number }>("SELECT coalesce(sum(value), 0)::bigint AS n FROM pipeline_counter WHERE name = 'dead_lettered'")
        .then((r) => live.setDeadLetters(r.rows[0]?.n ?? 0))
        .catch(() => undefined);
    void refresh();
    deadLetterTimer = setInterval(refresh, 5_000);
    deadLetterTimer.unref();
  }

  const exposures = createExposurePublisher({ log, logger });
  const services: Services = {
    db,
    pool,
    log,
    live,
    assignments: createAssignmentService({ db, pool, exposures }),
    exposures,
    secureCookies: env.COOKIE_SECURE,
    trustProxy: env.TRUST_PROXY,
    startedAt: bootStarted,
    version: VERSION,
    backfill: { state: "idle", daysDone: 0, daysTotal: 0 },
  };
  setServices(services);
  if (has("web")) await announceFirstAdmin(db, database.embedded !== null);
  // Experiment results are read from snapshots this loop keeps fresh (server/results/refresher.ts).
  const resultsRefresher: ResultsRefresher | null = has("web") ? startResultsRefresher({ pool, logger }) : null;

  let server: Server | null = null;
  let gateway: LiveGateway | null = null;
  if (has("web") || has("live")) {
    let handleRequest: RequestListener | null = null;
    if (has("web")) {
      const app = next({ dev, dir: process.cwd(), hostname: env.HOST, port: env.PORT });
      const handler = app.getRequestHandler();
      await app.prepare();
      handleRequest = (req, res) => void handler(req, res);
    }
    server = createServer((req, res) => {
      // The assignment API's fast path: the same handler as the Next route, without Next's routing.
      if (has("web") && req.method === "POST" && req.url === "/api/assignments") {
        serveFetchHandler(req, res, postAssignments).catch((err: unknown) => {
          logger.error({ err }, "assignment request failed");
          if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" }).end('{"error":"internal error"}');
        });
        return;
      }
      if (env.WALL_FRAME_ANCESTORS.length > 0 && isWallPath(req.url)) allowFramingBy(res, env.WALL_FRAME_ANCESTORS);
      if (handleRequest) return handleRequest(req, res);
      // A live-only process: socket.io answers its own path; this is everything else.
      res.writeHead(req.url === "/healthz" ? 200 : 404, { "content-type": "text/plain" }).end(req.url === "/healthz" ? "ok" : "not found");
    });
    if (live) {
      gateway = createLiveGateway({
        server,
        logger,
        sources: createChannelSources({ live, db, pool, log }),
        authenticate: (credentials) => authenticate(db, credentials),
        trustProxy: env.TRUST_PROXY,
        cluster: env.REDIS_URL ? await createRedisCluster({ url: env.REDIS_URL, logger }) : undefined,
      });
    }
    await listen(server, env);
  }
  logger.info({ url: server ? `http://localhost:${env.PORT}` : null, log: log.kind, roles: [...roles], ms: Date.now() - bootStarted }, "Showrunner is up");

  const stopSimulator = has("sim") && env.SIMULATOR ? await startSimulator(env, db, log, pool, services) : null;

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await stopSimulator?.();
    if (deadLetterTimer) clearInterval(deadLetterTimer);
    if (gateway) await gateway.close(); // tells browsers to reconnect; closes the HTTP server too
    else if (server) await new Promise((r) => server.close(r));
    await liveFeed?.stop();
    await exposures.close();
    await resultsRefresher?.stop();
    await aggregator?.stop(); // finishes the batch in flight, leaves the group
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
