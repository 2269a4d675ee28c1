import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_PARTITIONS, TOPICS } from "../../lib/config/topics";
import { exposureEventSchema, type ExposureEvent } from "../../lib/events/exposure-event";
import { generateCatalog } from "../../lib/sim/catalog";
import { SIM_ACTOR, simExperiments, simExperimentsStartMs } from "../../lib/sim/experiments";
import { createSimulator } from "../../lib/sim/simulator";
import { transitionExperiment } from "../experiments/repository";
import { createMemoryLog } from "../log/memory-log";
import type { EventLog, LogMessage } from "../log/types";
import { logger } from "../logger";
import { createTestDatabase, type TestDatabase } from "../testing/test-db";
import { backfill } from "./run-simulator";
import { createSimExposureWriter, ensureSimExperiments, startSimExperiments, watchSimExperimentStatus } from "./sim-experiments";

const quiet = logger.child({});
quiet.level = "silent";

const DAY = 86_400_000;
const WORLD_START = Date.UTC(2026, 5, 1);
const BACKFILL_DAYS = 3;
const START = simExperimentsStartMs(WORLD_START, BACKFILL_DAYS);
const END = WORLD_START + BACKFILL_DAYS * DAY;
const KEYS = simExperiments("2026-06-02").map((e) => e.definition.key);

async function newLog(): Promise<EventLog> {
  const log = createMemoryLog();
  await log.ensureTopics([{ topic: TOPICS.exposure, partitions: LOCAL_PARTITIONS.exposure_events }, ...["watch_events", "like_events", "search_events"].map((topic) => ({ topic, partitions: 2 }))]);
  return log;
}

/** Every message of a topic, read by a consumer group of its own. */
async function readAll(log: EventLog, topic: string): Promise<LogMessage[]> {
  const total = (await log.endOffsets(topic)).reduce((s, p) => s + p.offset, 0);
  const out: LogMessage[] = [];
  const consumer = log.createConsumer({ groupId: `read-${Math.random()}`, topics: [topic] });
  await consumer.run({ eachBatch: async (batch) => void out.push(...batch.messages) });
  for (let i = 0; i < 500 && out.length < total; i++) await new Promise((r) => setTimeout(r, 10));
  await consumer.stop();
  return out;
}

function simulator(hook: Parameters<typeof createSimulator>[0]["experimentsHook"]) {
  return createSimulator({ seed: 3, catalog: generateCatalog(3), startMs: WORLD_START, users: 1_500, signupDays: BACKFILL_DAYS + 14, experimentsHook: hook });
}

describe("simulated experiments in the database", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase("sr_simexp");
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("are created and started once, at their simulated start, and left as a person left them", async () => {
    const first = await ensureSimExperiments(t.db, { startMs: START, logger: quiet });
    expect(first.experiments.map((e) => e.definition.key)).toEqual(KEYS);
    const rows = await t.db.experiment.findMany({ orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.key, r.status, r.startedAt?.getTime(), r.owner])).toEqual(KEYS.map((k) => [k, "running", START, SIM_ACTOR]));
    expect(first.startMsByKey).toEqual(Object.fromEntries(KEYS.map((k) => [k, START])));
    expect(first.endMsByKey.size).toBe(0);
    const audit = await t.db.experimentAudit.findMany();
    expect(audit.every((a) => a.actor === SIM_ACTOR)).toBe(true);
    expect(audit.map((a) => a.action).sort()).toEqual([...KEYS.map(() => "create"), ...KEYS.map(() => "start")].sort());
    const onboarding = first.experiments.find((e) => e.definition.key === "onboarding-row")!;
    expect(onboarding.definition.targeting).toEqual([{ attribute: "signupDate", op: "range", value: { min: "2026-06-02" } }]);

    // A restart, even with another planned start, finds them and changes nothing.
    const again = await ensureSimExperiments(t.db, { startMs: START + 5 * DAY, logger: quiet });
    expect(again.startMsByKey).toEqual(first.startMsByKey);
    expect(await t.db.experiment.findMany({ orderBy: { id: "asc" } })).toEqual(rows);
    expect(await t.db.experimentAudit.count()).toBe(audit.length);

    // Someone pauses one: a restart keeps it paused and ends its effect when it was paused.
    const row = rows.find((r) => r.key === "aa-homepage")!;
    await transitionExperiment(t.db, "aa-homepage", { action: "pause", version: row.version }, "ana@example.com");
    const paused = await ensureSimExperiments(t.db, { startMs: START, logger: quiet });
    expect((await t.db.experiment.findUnique({ where: { key: "aa-homepage" } }))?.status).toBe("paused");
    const pausedAt = (await t.db.experimentAudit.findFirst({ where: { action: "pause" } }))!.at.getTime();
    expect([...paused.endMsByKey]).toEqual([["aa-homepage", pausedAt]]);
    const resumed = await transitionExperiment(t.db, "aa-homepage", { action: "resume", version: row.version + 1 }, "ana@example.com");
    expect(resumed.status).toBe("running");
  });

  it("leaves alone an experiment of the same key that a person created", async () => {
    const other = await createTestDatabase("sr_simexp");
    try {
      const definition = simExperiments("2026-06-02")[0]!.definition;
      const { createExperiment } = await import("../experiments/repository");
      await createExperiment(other.db, { ...definition, owner: "ana" }, "ana@example.com");
      const loaded = await ensureSimExperiments(other.db, { startMs: START, logger: quiet });
      expect(loaded.experiments.map((e) => e.definition.key)).toEqual(KEYS.slice(1));
      expect((await other.db.experiment.findUnique({ where: { key: definition.key } }))?.status).toBe("draft");
    } finally {
      await other.drop();
    }
  });

  it("stores each user's first exposure exactly once and produces one exposure event for it, also across a restart", async () => {
    const log = await newLog();
    const runtime = await startSimExperiments({ db: t.db, pool: t.pool, log, logger: quiet, startMs: START, clock: () => END });
    const sim = simulator(runtime.hook);
    const appendStarted = Date.now();
    await backfill({
      sim,
      log,
      fromMs: WORLD_START,
      toMs: END,
      caughtUp: async () => undefined,
      afterDay: () => runtime.writer.flush(),
      // Reported done only with the day's exposures stored.
      onProgress: () => expect(runtime.writer.stats().pending).toBe(0),
    });
    const stats = runtime.writer.stats();
    expect(stats.pending).toBe(0);
    expect(stats.recorded).toBeGreaterThan(1_000);
    expect(stats.stored).toBe(stats.recorded);
    expect(stats.produced).toBe(stats.recorded);

    const { rows } = await (t.pool as pg.Pool).query<{ key: string; user_id: string; variant_key: string; assigned_at: Date; source: string }>(
      "SELECT e.key, a.user_id, a.variant_key, a.assigned_at, a.source FROM assignment a JOIN experiment e ON e.id = a.experiment_id",
    );
    expect(rows.length).toBe(stats.recorded);
    expect(new Set(rows.map((r) => `${r.key}/${r.user_id}`)).size).toBe(rows.length);
    expect(rows.every((r) => r.source === "simulator")).toBe(true);
    for (const r of rows) {
      expect(r.assigned_at.getTime()).toBeGreaterThanOrEqual(START);
      expect(r.assigned_at.getTime()).toBeLessThan(END);
    }
    const byKey = (key: string) => rows.filter((r) => r.key === key);
    for (const key of ["autoplay-next-episode", "aa-homepage"]) {
      const share = byKey(key).filter((r) => r.variant_key === "control" || r.variant_key === "a1").length / byKey(key).length;
      expect(Math.abs(share - 0.5)).toBeLessThan(0.06);
    }
    expect(byKey("onboarding-row").length).toBeGreaterThan(50);
    expect(byKey("hero-artwork").length / byKey("autoplay-next-episode").length).toBeCloseTo(0.6, 1);

    const messages = await readAll(log, TOPICS.exposure);
    const events = messages.map((m) => exposureEventSchema.parse(JSON.parse(m.value!.toString())) as ExposureEvent);
    expect(events.length).toBe(rows.length);
    const stored = new Map(rows.map((r) => [`${r.key}/${r.user_id}`, r]));
    for (const [i, e] of events.entries()) {
      const row = stored.get(`${e.experiment_key}/${e.user_id}`)!;
      expect(row.variant_key).toBe(e.variant_key);
      expect(Date.parse(e.exposed_at)).toBe(row.assigned_at.getTime());
      expect(e.first_exposure).toBe(true);
      expect(messages[i]!.key).toBe(e.user_id);
      expect(messages[i]!.timestamp).toBeGreaterThanOrEqual(appendStarted); // append time, not event time
    }
    await runtime.close();

    // A restart replays the same world to the same instant: every exposure is reported again and
    // none is stored or produced twice.
    const restarted = await startSimExperiments({ db: t.db, pool: t.pool, log, logger: quiet, startMs: START + DAY, clock: () => END });
    const replay = simulator(restarted.hook);
    replay.eventsBetween(END, END);
    await restarted.writer.flush();
    expect(restarted.writer.stats()).toEqual({ recorded: stats.recorded, stored: 0, produced: 0, pending: 0 });
    expect(Number((await t.pool.query<{ n: string }>("SELECT count(*) AS n FROM assignment")).rows[0]!.n)).toBe(rows.length);
    expect((await log.endOffsets(TOPICS.exposure)).reduce((s, p) => s + p.offset, 0)).toBe(events.length);
    await restarted.close();
  });

  it("keeps exposures through database and log failures, and delivers them once they recover", async () => {
    const log = await newLog();
    const experiments = await ensureSimExperiments(t.db, { startMs: START, logger: quiet });
    let dbFailures = 2;
    let logFailures = 2;
    const pool = {
      query: ((...args: Parameters<pg.Pool["query"]>) => {
        if (dbFailures-- > 0) return Promise.reject(new Error("connection reset"));
        // eslint-disable-next-line showrunner/no-string-built-sql -- forwards the code under test's statements unchanged
        return (t.pool.query as (...a: unknown[]) => unknown)(...args);
      }) as pg.Pool["query"],
    };
    const flaky: EventLog = {
      ...log,
      produce: async (topic, records) => {
        if (logFailures-- > 0) throw new Error("broker unavailable");
        return log.produce(topic, records);
      },
    };
    const writer = createSimExposureWriter({ pool, log: flaky, logger: quiet, idByKey: experiments.idByKey });
    const users = ["u_900001", "u_900002", "u_900003"];
    for (const userId of users) writer.record({ userId, experimentKey: "aa-homepage", variantKey: "a2", atMs: START + DAY });
    await writer.flush();
    expect(writer.stats()).toEqual({ recorded: 3, stored: 3, produced: 3, pending: 0 });
    const { rows } = await t.pool.query<{ user_id: string }>("SELECT user_id FROM assignment WHERE user_id = ANY($1) ORDER BY user_id", [users]);
    expect(rows.map((r) => r.user_id)).toEqual(users);
    expect((await log.endOffsets(TOPICS.exposure)).reduce((s, p) => s + p.offset, 0)).toBe(3);

    // A log that stays down: closing gives up after its timeout instead of hanging, and says so.
    const down: EventLog = { ...log, produce: async () => Promise.reject(new Error("broker unavailable")) };
    const stuck = createSimExposureWriter({ pool: t.pool, log: down, logger: quiet, idByKey: experiments.idByKey });
    stuck.record({ userId: "u_900004", experimentKey: "aa-homepage", variantKey: "a1", atMs: START + DAY });
    const closing = Date.now();
    await stuck.close(300);
    expect(Date.now() - closing).toBeLessThan(3_000);
    expect(stuck.stats()).toMatchObject({ stored: 1, produced: 0, pending: 1 });
  });

  it("stops planting an experiment's effect and storing its assignments once a person pauses it, and resumes with it", async () => {
    const experiments = await ensureSimExperiments(t.db, { startMs: START, logger: quiet });
    let now = END + DAY;
    const stop = watchSimExperimentStatus({ db: t.db, experiments, logger: quiet, clock: () => now, intervalMs: 20 });
    try {
      const row = (await t.db.experiment.findUnique({ where: { key: "autoplay-next-episode" } }))!;
      await transitionExperiment(t.db, row.key, { action: "pause", version: row.version }, "ana@example.com");
      for (let i = 0; i < 200 && !experiments.endMsByKey.has(row.key); i++) await new Promise((r) => setTimeout(r, 10));
      expect(experiments.endMsByKey.get(row.key)).toBe(now);
      now += DAY;
      await transitionExperiment(t.db, row.key, { action: "resume", version: row.version + 1 }, "ana@example.com");
      for (let i = 0; i < 200 && experiments.endMsByKey.has(row.key); i++) await new Promise((r) => setTimeout(r, 10));
      expect(experiments.endMsByKey.has(row.key)).toBe(false);
    } finally {
      stop();
    }
  });
});
