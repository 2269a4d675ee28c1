/**
 * The whole chain on the simulated experiments: a seeded world of 20,000 users over 28 days (the
 * `npm start` default) runs through the in-memory log and the real aggregator into Postgres, the
 * simulator's experiments store their assignments as the product does, and the results engine
 * reads them back. The planted effects (lib/sim/experiments.ts) must come out with the right sign
 * and the A/A must find nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_PARTITIONS, TOPICS, VIEW_EVENT_TOPICS } from "../../lib/config/topics";
import type { ExperimentResults, MetricResult } from "../../lib/api/results";
import { generateCatalog } from "../../lib/sim/catalog";
import { simExperimentsStartMs } from "../../lib/sim/experiments";
import { createSimulator } from "../../lib/sim/simulator";
import { createMemoryLog } from "../log/memory-log";
import { logger } from "../logger";
import { backfill } from "../sim/run-simulator";
import { startSimExperiments } from "../sim/sim-experiments";
import { createAggregator } from "../stream/create-aggregator";
import { drained } from "../testing/drained";
import { createTestDatabase, type TestDatabase } from "../testing/test-db";
import { getExperimentResults } from "./get-experiment-results";

const quiet = logger.child({});
quiet.level = "silent";

const DAY = 86_400_000;
const SEED = 42;
const USERS = 20_000;
const DAYS = 28;
const WORLD_START = Date.UTC(2026, 5, 1);
const START = simExperimentsStartMs(WORLD_START, DAYS);
const END = WORLD_START + DAYS * DAY;

let t: TestDatabase;
const results = new Map<string, ExperimentResults>();

const comparison = (key: string, metricId: string, variant: string) => {
  const m: MetricResult | undefined = results.get(key)?.metrics.find((x) => x.metricId === metricId);
  const c = m?.comparisons.find((x) => x.variantKey === variant);
  if (!c) throw new Error(`no ${metricId} comparison for ${key}/${variant}`);
  return c;
};

beforeAll(async () => {
  t = await createTestDatabase("sr_results_sim");
  const log = createMemoryLog();
  await log.ensureTopics([...VIEW_EVENT_TOPICS, TOPICS.exposure].map((topic) => ({ topic, partitions: LOCAL_PARTITIONS[topic] })));
  const runtime = await startSimExperiments({ db: t.db, pool: t.pool, log, logger: quiet, startMs: START, clock: () => END });
  const sim = createSimulator({ seed: SEED, catalog: generateCatalog(SEED), startMs: WORLD_START, users: USERS, signupDays: DAYS + 14, experimentsHook: runtime.hook });
  const aggregator = createAggregator({ log, pool: t.pool, logger: quiet, clock: () => END });
  await aggregator.start();
  await backfill({
    sim,
    log,
    fromMs: WORLD_START,
    toMs: END,
    caughtUp: async () => {
      await runtime.writer.flush();
      await drained(log, aggregator);
    },
    onProgress: () => undefined,
  });
  await aggregator.stop();
  await runtime.close();
  for (const key of ["autoplay-next-episode", "onboarding-row", "aa-homepage", "hero-artwork"]) {
    const r = await getExperimentResults(t.pool, key, { clock: () => END - 1 });
    if (!r) throw new Error(`no experiment ${key}`);
    results.set(key, r);
  }
}, 600_000);

afterAll(async () => {
  await t?.drop();
});

describe(`results of the simulated experiments (${USERS.toLocaleString("en")} users, ${DAYS} days)`, () => {
  it("[RESULTS] every experiment has users, a healthy split and a snapshot of the last day", () => {
    for (const [key, r] of results) {
      expect(r.asOfDay, key).toBe(new Date(END - 1).toISOString().slice(0, 10));
      expect(r.health.srm.mismatch, key).toBe(false);
      expect(r.health.tooFewUsers, key).toBe(false);
    }
  });

  it("[RESULTS] autoplay-next-episode: watch time up (planted +5% per watch ≈ +4% per user)", () => {
    const c = comparison("autoplay-next-episode", "watch_time", "autoplay");
    expect(c.relative.estimate).toBeGreaterThan(0);
    expect(c.verdict).not.toBe("worse");
    expect(comparison("autoplay-next-episode", "watch_time_per_session", "autoplay").relative.estimate).toBeGreaterThan(0);
  });

  it("[RESULTS] onboarding-row: D7 retention up and called better", () => {
    const c = comparison("onboarding-row", "d7_retention", "onboarding-row");
    expect(c.relative.estimate).toBeGreaterThan(0);
    expect(c.verdict).toBe("better");
    expect(comparison("onboarding-row", "d1_retention", "onboarding-row").relative.estimate).toBeGreaterThan(0);
  });

  it("[RESULTS] hero-artwork: personalised and trailer both lift watch time", () => {
    expect(comparison("hero-artwork", "watch_time", "personalised").relative.estimate).toBeGreaterThan(0);
    expect(comparison("hero-artwork", "watch_time", "trailer").relative.estimate).toBeGreaterThan(0);
    expect(comparison("hero-artwork", "sessions", "trailer").relative.estimate).toBeGreaterThan(0);
  });

  it("[RESULTS] aa-homepage: nothing significant", () => {
    const r = results.get("aa-homepage")!;
    for (const m of r.metrics) for (const c of m.comparisons) expect(c.verdict, m.metricId).toBe("not yet clear");
  });

  it("[RESULTS] prints what it found", () => {
    for (const [key, r] of results) {
      for (const m of r.metrics) for (const c of m.comparisons) console.log(`${key} ${m.metricId} ${c.variantKey}: ${c.summary} (p = ${c.pValue.toPrecision(2)}, adj ${c.adjustedPValue.toPrecision(2)}, ${c.method}, n ${m.variants.map((v) => v.n).join("/")})`);
    }
  });
});
