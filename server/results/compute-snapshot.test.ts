/**
 * The snapshot SQL against a straightforward per-user computation done here, in TypeScript, from the
 * same seeded rows: every metric's sums, the caps (percentile_cont's linear interpolation), D1/D7
 * observability, the daily means and the SRM population.
 */
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays } from "../../lib/format";
import { createTestDatabase, type TestDatabase } from "../testing/test-db";
import { computeSnapshot, SNAPSHOT_METRICS } from "./compute-snapshot";
import { insertAssignments, insertDailyStats, insertExperiment, type SeedAssignment, type SeedDay } from "./testing/seed-experiment";

const START = "2026-03-10";
const START_MS = Date.parse(`${START}T00:00:00Z`);
const DAY = 86_400_000;
const MEAN_METRICS = ["watch_time", "sessions", "distinct_titles", "likes", "ratings", "dislikes"] as const;

let t: TestDatabase;
let experimentId: number;
const assignments: SeedAssignment[] = [];
const days: SeedDay[] = [];
const weightsSince = new Date(START_MS + 2 * DAY + 3_600_000);

function seed() {
  const rng = xoroshiro128plus(20260310);
  const int = (lo: number, hi: number) => uniformInt(rng, lo, hi);
  for (let i = 0; i < 90; i++) {
    const userId = `u${i}`;
    // Exposures over 10 days, some at the very edges of a UTC day.
    const edge = int(0, 5);
    const dayOffset = int(0, 9);
    const ms = edge === 0 ? 0 : edge === 1 ? DAY - 1 : int(0, DAY - 1);
    assignments.push({ userId, variantKey: ["control", "b", "c"][i % 3]!, assignedAt: new Date(START_MS + dayOffset * DAY + ms) });
  }
  for (let i = 0; i < 110; i++) {
    const userId = `u${i}`; // u90..u109 are not in the experiment: their rows must not count
    for (let d = -12; d <= 20; d++) {
      if (int(0, 9) < 5) continue;
      const watched = int(0, 4) > 0;
      // A heavy tail, so the caps bite.
      const heavy = int(0, 19) === 0 ? 20 : 1;
      days.push({
        userId,
        day: addDays(START, d),
        watchSeconds: watched ? int(1, 7200) * heavy : 0,
        watchCount: watched ? int(1, 6) : 0,
        distinctTitles: watched ? int(1, 4) : 0,
        sessions: watched ? int(1, 3) * heavy : 0,
        likes: int(0, 2),
        dislikes: int(0, 1),
        ratings: int(0, 2) * heavy,
      });
    }
  }
}

/** percentile_cont: linear interpolation between the order statistics around p·(n − 1). */
function percentileCont(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

const dayOf = (d: Date) => d.toISOString().slice(0, 10);

/** The truth, user by user. */
function expected(asOfDay: string, cap: number) {
  const rowsByUser = new Map<string, SeedDay[]>();
  for (const r of days) rowsByUser.set(r.userId, [...(rowsByUser.get(r.userId) ?? []), r]);
  const field: Record<(typeof MEAN_METRICS)[number], (r: SeedDay) => number> = {
    watch_time: (r) => (r.watchSeconds ?? 0) / 60,
    sessions: (r) => r.sessions ?? 0,
    distinct_titles: (r) => r.distinctTitles ?? 0,
    likes: (r) => r.likes ?? 0,
    ratings: (r) => r.ratings ?? 0,
    dislikes: (r) => r.dislikes ?? 0,
  };
  const users = assignments
    .filter((a) => dayOf(a.assignedAt) <= asOfDay)
    .map((a) => {
      const d0 = dayOf(a.assignedAt);
      const rows = rowsByUser.get(a.userId) ?? [];
      const post = rows.filter((r) => r.day >= d0 && r.day <= asOfDay);
      const pre = rows.filter((r) => r.day >= addDays(d0, -7) && r.day < d0);
      const today = rows.filter((r) => r.day === asOfDay);
      const watchedOn = (day: string) => rows.some((r) => r.day === day && (r.watchCount ?? 0) > 0);
      const sum = (list: SeedDay[], f: (r: SeedDay) => number) => list.reduce((s, r) => s + f(r), 0);
      return {
        variant: a.variantKey,
        d0,
        sinceWeights: a.assignedAt >= weightsSince,
        m: Object.fromEntries(MEAN_METRICS.map((id) => [id, sum(post, field[id])])) as Record<string, number>,
        p: Object.fromEntries(MEAN_METRICS.map((id) => [id, sum(pre, field[id])])) as Record<string, number>,
        day: Object.fromEntries(MEAN_METRICS.map((id) => [id, sum(today, field[id])])) as Record<string, number>,
        d1: addDays(d0, 1) <= asOfDay ? Number(watchedOn(addDays(d0, 1))) : null,
        d7: addDays(d0, 7) <= asOfDay ? Number(watchedOn(addDays(d0, 7))) : null,
        activePre: pre.filter((r) => (r.watchCount ?? 0) > 0).length / 7,
      };
    });
  const caps: Record<string, number> = {};
  const covariateCaps: Record<string, number> = {};
  for (const id of MEAN_METRICS) {
    caps[id] = cap < 1 ? percentileCont(users.map((u) => u.m[id]!), cap) : Infinity;
    covariateCaps[id] = cap < 1 ? percentileCont(users.map((u) => u.p[id]!), cap) : Infinity;
  }
  return { users, caps, covariateCaps };
}

function sums(pairs: [number, number][]) {
  return {
    n: pairs.length,
    sumX: pairs.reduce((s, [x]) => s + x, 0),
    sumY: pairs.reduce((s, [, y]) => s + y, 0),
    sumXX: pairs.reduce((s, [x]) => s + x * x, 0),
    sumYY: pairs.reduce((s, [, y]) => s + y * y, 0),
    sumXY: pairs.reduce((s, [x, y]) => s + x * y, 0),
  };
}

function expectClose(actual: number, wanted: number, label: string) {
  expect(Math.abs(actual - wanted), `${label}: ${actual} vs ${wanted}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(wanted)));
}

beforeAll(async () => {
  t = await createTestDatabase("sr_snapshot");
  seed();
  experimentId = await insertExperiment(t.pool, {
    key: "snapshot-truth",
    variants: [{ key: "control", weight: 1 }, { key: "b", weight: 1 }, { key: "c", weight: 1 }],
    startedAt: new Date(START_MS),
    weightsSince,
  });
  // Another experiment over the same users: its assignments must not leak in.
  const other = await insertExperiment(t.pool, { key: "other", variants: [{ key: "control", weight: 1 }, { key: "x", weight: 1 }], startedAt: new Date(START_MS) });
  await insertAssignments(t.pool, experimentId, assignments);
  await insertAssignments(t.pool, other, assignments.map((a) => ({ ...a, variantKey: "x", assignedAt: new Date(START_MS) })));
  await insertDailyStats(t.pool, days);
});

afterAll(async () => {
  await t?.drop();
});

describe("computeSnapshot", () => {
  it.each([
    [addDays(START, 0), 1],
    [addDays(START, 3), 1],
    [addDays(START, 3), 0.9],
    [addDays(START, 9), 0.95],
    [addDays(START, 16), 0.99],
    [addDays(START, 16), 0.5],
  ])("[RESULTS] as of %s with cap %s equals the per-user computation", async (asOfDay, cap) => {
    const snapshot = await computeSnapshot(t.pool, experimentId, asOfDay, cap);
    const truth = expected(asOfDay, cap);
    expect(snapshot.asOfDay).toBe(asOfDay);
    expect(snapshot.capPercentile).toBe(cap);
    expect(snapshot.weightsSince).toBe(weightsSince.toISOString());
    expect(snapshot.dataThrough).toBe(addDays(START, 20));

    if (cap < 1) {
      for (const id of MEAN_METRICS) {
        expectClose(snapshot.caps[id]!, truth.caps[id]!, `cap ${id}`);
        expectClose(snapshot.covariateCaps[id]!, truth.covariateCaps[id]!, `covariate cap ${id}`);
      }
    } else {
      expect(snapshot.caps).toEqual({});
    }

    const variantKeys = [...new Set(truth.users.map((u) => u.variant))].sort();
    expect(snapshot.variants.map((v) => v.variantKey)).toEqual(variantKeys);
    for (const v of snapshot.variants) {
      const users = truth.users.filter((u) => u.variant === v.variantKey);
      expect(v.users).toBe(users.length);
      expect(v.usersSinceWeights).toBe(users.filter((u) => u.sinceWeights).length);
      expect(Object.keys(v.metrics).sort()).toEqual([...SNAPSHOT_METRICS].sort());
      const x = (u: (typeof users)[number], id: string) => Math.min(u.m[id]!, truth.caps[id]!);
      const y = (u: (typeof users)[number], id: string) => Math.min(u.p[id]!, truth.covariateCaps[id]!);

      for (const id of MEAN_METRICS) {
        const want = sums(users.map((u) => [x(u, id), y(u, id)]));
        const got = v.metrics[id]!;
        for (const k of Object.keys(want) as (keyof typeof want)[]) expectClose(got.bivariate[k], want[k], `${v.variantKey} ${id} ${k}`);
        expect(got.mean).toEqual({ n: got.bivariate.n, sum: got.bivariate.sumX, sumSq: got.bivariate.sumXX });
        const daily = users.reduce((s, u) => s + u.day[id]!, 0) / users.length;
        expectClose(snapshot.daily[id]![v.variantKey]!, daily, `${v.variantKey} ${id} daily`);
      }

      for (const [id, key] of [["d1_retention", "d1"], ["d7_retention", "d7"]] as const) {
        const observable = users.filter((u) => u[key] !== null);
        const want = sums(observable.map((u) => [u[key]!, u.activePre]));
        const got = v.metrics[id]!;
        for (const k of Object.keys(want) as (keyof typeof want)[]) expectClose(got.bivariate[k], want[k], `${v.variantKey} ${id} ${k}`);
        const offset = key === "d1" ? 1 : 7;
        const cohort = users.filter((u) => u.d0 === addDays(asOfDay, -offset));
        if (cohort.length === 0) expect(snapshot.daily[id]![v.variantKey]).toBeUndefined();
        else expectClose(snapshot.daily[id]![v.variantKey]!, cohort.reduce((s, u) => s + u[key]!, 0) / cohort.length, `${v.variantKey} ${id} daily`);
      }

      const ratio = sums(users.map((u) => [x(u, "watch_time"), x(u, "sessions")]));
      for (const k of Object.keys(ratio) as (keyof typeof ratio)[]) expectClose(v.metrics.watch_time_per_session!.bivariate[k], ratio[k], `${v.variantKey} ratio ${k}`);
      const daySessions = users.reduce((s, u) => s + u.day.sessions!, 0);
      if (daySessions > 0) expectClose(snapshot.daily.watch_time_per_session![v.variantKey]!, users.reduce((s, u) => s + u.day.watch_time!, 0) / daySessions, "ratio daily");
    }
  });

  it("[RESULTS] D1 and D7 count only users observable on the day", async () => {
    const asOfDay = addDays(START, 9);
    const snapshot = await computeSnapshot(t.pool, experimentId, asOfDay, 1);
    const all = snapshot.variants.reduce((s, v) => s + v.users, 0);
    const d1 = snapshot.variants.reduce((s, v) => s + v.metrics.d1_retention!.mean.n, 0);
    const d7 = snapshot.variants.reduce((s, v) => s + v.metrics.d7_retention!.mean.n, 0);
    const exposedBy = (day: string) => assignments.filter((a) => dayOf(a.assignedAt) <= day).length;
    expect(all).toBe(exposedBy(asOfDay));
    expect(d1).toBe(exposedBy(addDays(asOfDay, -1)));
    expect(d7).toBe(exposedBy(addDays(asOfDay, -7)));
    expect(d7).toBeLessThan(d1);
    expect(d1).toBeLessThan(all);
  });

  it("[RESULTS] before anyone is exposed the snapshot is empty", async () => {
    const snapshot = await computeSnapshot(t.pool, experimentId, addDays(START, -1), 0.99);
    expect(snapshot.variants).toEqual([]);
    expect(snapshot.caps).toEqual({});
    expect(snapshot.weightsSince).toBe(weightsSince.toISOString());
    expect(snapshot.dataThrough).toBe(addDays(START, 20));
  });
});
