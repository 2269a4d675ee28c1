/**
 * The refresher on a real Postgres with a hand-moved clock: which snapshots it computes when, and
 * that failures are logged and retried.
 */
import type pg from "pg";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays } from "../../lib/format";
import { createTestDatabase, type TestDatabase } from "../testing/test-db";
import { startResultsRefresher } from "./refresher";
import { insertAssignments, insertDailyStats, insertExperiment } from "./testing/seed-experiment";
import { syntheticPopulation } from "./testing/synthetic";

const DAY = 86_400_000;
const START_DAY = "2026-05-07";
const NOON = (day: string) => Date.parse(`${day}T12:00:00Z`);

let t: TestDatabase;
let running: number;
let now = NOON("2026-05-10");
const lines: Record<string, unknown>[] = [];
const logger = pino({ level: "debug" }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });

async function snapshots(experimentId: number): Promise<Map<string, number>> {
  return snapshotsIn(t, experimentId);
}

async function snapshotsIn(database: TestDatabase, experimentId: number): Promise<Map<string, number>> {
  const { rows } = await database.pool.query<{ day: string; computed_at: Date }>(
    "SELECT as_of_day::text AS day, computed_at FROM experiment_result_snapshot WHERE experiment_id = $1 ORDER BY as_of_day",
    [experimentId],
  );
  return new Map(rows.map((r) => [r.day, r.computed_at.getTime()]));
}

beforeAll(async () => {
  t = await createTestDatabase("sr_refresher");
  running = await insertExperiment(t.pool, { key: "running", variants: [{ key: "control", weight: 1 }, { key: "b", weight: 1 }], startedAt: new Date(Date.parse(`${START_DAY}T09:30:00Z`)) });
  const { assignments, days } = syntheticPopulation({ seed: 5, startDay: START_DAY, lastDay: "2026-05-12", exposureDays: 3, users: { control: 150, b: 150 } });
  await insertAssignments(t.pool, running, assignments);
  await insertDailyStats(t.pool, days);
});

afterAll(async () => {
  await t?.drop();
});

describe("results refresher", () => {
  it("[RESULTS] fills every day since the start once, refreshes today's only when stale, redoes a finished day once", async () => {
    const draft = await insertExperiment(t.pool, { key: "draft", status: "draft", variants: [{ key: "control", weight: 1 }, { key: "b", weight: 1 }] });
    const longStopped = await insertExperiment(t.pool, {
      key: "long-stopped",
      status: "stopped",
      variants: [{ key: "control", weight: 1 }, { key: "b", weight: 1 }],
      startedAt: new Date(NOON("2026-04-01")),
      stoppedAt: new Date(NOON("2026-04-05")),
    });
    const refresher = startResultsRefresher({ pool: t.pool, logger, clock: () => now, intervalMs: 3_600_000 });
    try {
      await refresher.runOnce();
      const first = await snapshots(running);
      expect([...first.keys()]).toEqual(["2026-05-07", "2026-05-08", "2026-05-09", "2026-05-10"]);
      expect([...first.values()].every((ms) => ms === NOON("2026-05-10"))).toBe(true);
      expect((await snapshots(draft)).size).toBe(0);
      expect((await snapshots(longStopped)).size).toBe(0);

      now += 5_000;
      await refresher.runOnce();
      expect(await snapshots(running)).toEqual(first);

      now += 20_000;
      await refresher.runOnce();
      const second = await snapshots(running);
      expect(second.get("2026-05-10")).toBe(now);
      for (const day of ["2026-05-07", "2026-05-08", "2026-05-09"]) expect(second.get(day)).toBe(first.get(day));

      // Just after midnight: the new day appears; yesterday (computed mid-day) waits for late events...
      now = Date.parse("2026-05-11T00:05:00Z");
      await refresher.runOnce();
      const third = await snapshots(running);
      expect(third.get("2026-05-11")).toBe(now);
      expect(third.get("2026-05-10")).toBe(second.get("2026-05-10"));
      // ...then is redone once.
      now = Date.parse("2026-05-11T00:20:00Z");
      await refresher.runOnce();
      const fourth = await snapshots(running);
      expect(fourth.get("2026-05-10")).toBe(now);
      expect(fourth.get("2026-05-09")).toBe(first.get("2026-05-09"));
      now += 60_000;
      await refresher.runOnce();
      expect((await snapshots(running)).get("2026-05-10")).toBe(fourth.get("2026-05-10"));
    } finally {
      await refresher.stop();
    }
  });

  it("[RESULTS] a stopped experiment keeps its stop day fresh for a grace period, and no day after it", async () => {
    const stoppedAt = now - 3_600_000;
    const id = await insertExperiment(t.pool, {
      key: "just-stopped",
      status: "stopped",
      variants: [{ key: "control", weight: 1 }, { key: "b", weight: 1 }],
      startedAt: new Date(stoppedAt - 2 * DAY),
      stoppedAt: new Date(stoppedAt),
    });
    now += 3 * DAY; // three days later: past the grace period
    const late = startResultsRefresher({ pool: t.pool, logger, clock: () => now, intervalMs: 3_600_000 });
    await late.runOnce();
    await late.stop();
    expect((await snapshots(id)).size).toBe(0);
    now -= 3 * DAY;
    const refresher = startResultsRefresher({ pool: t.pool, logger, clock: () => now, intervalMs: 3_600_000 });
    await refresher.runOnce();
    await refresher.stop();
    const stopDay = new Date(stoppedAt).toISOString().slice(0, 10);
    expect([...(await snapshots(id)).keys()]).toEqual([addDays(stopDay, -2), addDays(stopDay, -1), stopDay]);
  });

  it("[RESULTS] a day snapshotted before its data arrived (a backfill) is computed again once the data moves past it", async () => {
    const fresh = await createTestDatabase("sr_refresher_backfill");
    try {
      const id = await insertExperiment(fresh.pool, { key: "backfilled", variants: [{ key: "control", weight: 1 }, { key: "b", weight: 1 }], startedAt: new Date(NOON("2026-06-01")) });
      const { assignments, days } = syntheticPopulation({ seed: 9, startDay: "2026-06-01", lastDay: "2026-06-05", exposureDays: 2, users: { control: 120, b: 120 } });
      await insertAssignments(fresh.pool, id, assignments);
      await insertDailyStats(fresh.pool, days.filter((d) => d.day <= "2026-06-02"));
      let clockNow = NOON("2026-06-05");
      const refresher = startResultsRefresher({ pool: fresh.pool, logger, clock: () => clockNow, intervalMs: 3_600_000 });
      try {
        await refresher.runOnce();
        const before = await snapshotsIn(fresh, id);
        expect([...before.keys()]).toEqual(["2026-06-01", "2026-06-02", "2026-06-03", "2026-06-04", "2026-06-05"]);
        clockNow += 60_000;
        await refresher.runOnce();
        // Nothing new arrived: nothing is recomputed but the newest day once stale.
        const same = await snapshotsIn(fresh, id);
        for (const day of ["2026-06-01", "2026-06-02", "2026-06-03", "2026-06-04"]) expect(same.get(day)).toBe(before.get(day));

        await insertDailyStats(fresh.pool, days.filter((d) => d.day > "2026-06-02"));
        clockNow += 60_000;
        await refresher.runOnce();
        const after = await snapshotsIn(fresh, id);
        expect(after.get("2026-06-01")).toBe(before.get("2026-06-01")); // its data had reached 06-02 already
        for (const day of ["2026-06-02", "2026-06-03", "2026-06-04"]) expect(after.get(day)).toBe(clockNow);
        const { rows } = await fresh.pool.query<{ through: string }>(
          "SELECT stats->>'dataThrough' AS through FROM experiment_result_snapshot WHERE experiment_id = $1 AND as_of_day = '2026-06-03'",
          [id],
        );
        expect(rows[0]!.through).toBe("2026-06-05");
      } finally {
        await refresher.stop();
      }
    } finally {
      await fresh.drop();
    }
  });

  it("[RESULTS] logs a failure with the experiment and day, and retries it", async () => {
    let failing = true;
    const flaky = {
      query: t.pool.query.bind(t.pool),
      connect: () => (failing ? Promise.reject(new Error("connection refused (test)")) : t.pool.connect()),
    } as unknown as pg.Pool;
    // A day no earlier refresher (with its clock) has reached.
    now = Date.parse("2026-05-20T12:00:00Z");
    lines.length = 0;
    const refresher = startResultsRefresher({ pool: flaky, logger, clock: () => now, intervalMs: 3_600_000 });
    try {
      await refresher.runOnce();
      const error = lines.find((l) => l.level === 50 && l.experiment === "running" && l.day === "2026-05-20");
      expect(error).toMatchObject({ msg: "could not compute a results snapshot; will retry", component: "results-refresher", attempts: 1 });
      expect((error!.err as { message: string }).message).toBe("connection refused (test)");
      expect((await snapshots(running)).has("2026-05-20")).toBe(false);

      failing = false;
      await refresher.runOnce(); // still backing off
      expect((await snapshots(running)).has("2026-05-20")).toBe(false);
      now += 60 * 60_000;
      await refresher.runOnce();
      expect((await snapshots(running)).get("2026-05-20")).toBe(now);
    } finally {
      await refresher.stop();
    }
  });
});
