import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { LOCAL_PARTITIONS, TOPICS, VIEW_EVENT_TOPICS } from "../../lib/config/topics";
import { topicForEventType, type ViewEventInput } from "../../lib/events/view-event";
import { createMemoryLog } from "../log/memory-log";
import type { EventLog, LogConsumer } from "../log/types";
import { logger } from "../logger";
import { drained } from "../testing/drained";
import { createTestDatabase, type TestDatabase } from "../testing/test-db";
import { createAggregator } from "./create-aggregator";

const NOW = Date.parse("2026-09-10T12:00:00Z");
const DAY = 86_400_000;
const GAP = 30 * 60_000;

/** A seeded event set over 3 days, 40 users, 25 titles, every event type. */
function makeEvents(seed: number, count: number): ViewEventInput[] {
  const rng = xoroshiro128plus(seed);
  const types = ["watch", "watch", "watch", "watch", "like", "dislike", "search", "rating"] as const;
  const out: ViewEventInput[] = [];
  let t = NOW - 3 * DAY;
  for (let i = 0; i < count; i++) {
    t += uniformInt(rng, 0, Math.floor((3 * DAY) / count) * 2);
    const type = types[uniformInt(rng, 0, types.length - 1)]!;
    out.push({
      event_id: `e${seed}_${i}`,
      user_id: `u${uniformInt(rng, 1, 40)}`,
      title_id: `t${uniformInt(rng, 1, 25)}`,
      event_type: type,
      // Some events jump back up to 2 hours: out of order within a user, and late for the live windows.
      event_time: new Date(Math.min(t, NOW) - (uniformInt(rng, 0, 9) === 0 ? uniformInt(rng, 0, 2 * 3600_000) : 0)).toISOString(),
      watch_duration: type === "watch" ? uniformInt(rng, 1, 3600) : 0,
      ...(type === "rating" ? { rating: uniformInt(rng, 1, 5) } : {}),
      ...(type === "search" ? { query: "space" } : {}),
      device: "tv",
      country: "DE",
    });
  }
  return out;
}

const MALFORMED: { key: string; value: string; reason: RegExp }[] = [
  { key: "u1", value: "{not json", reason: /not JSON/ },
  { key: "u2", value: JSON.stringify({ event_id: "x", user_id: "u2", title_id: "t1", event_type: "teleport", event_time: "2026-09-09T10:00:00Z" }), reason: /event_type/ },
  { key: "u3", value: JSON.stringify({ event_id: "x", user_id: "u3", title_id: "t1", event_type: "watch", event_time: "2026-09-09T10:00:00Z", watch_duration: "300" }), reason: /watch_duration/ },
  { key: "u4", value: JSON.stringify({ event_id: "x", user_id: "u4", title_id: "t1", event_type: "watch", event_time: "1970-01-01T00:00:00Z", watch_duration: 5 }), reason: /before 2000/ },
  { key: "u5", value: JSON.stringify({ event_id: "x", user_id: "u5", title_id: "t1", event_type: "watch", event_time: "2030-01-01T00:00:00Z", watch_duration: 5 }), reason: /future/ },
  { key: "u6", value: JSON.stringify({ event_id: "x", user_id: "", title_id: "t1", event_type: "like", event_time: "2026-09-09T10:00:00Z" }), reason: /user_id/ },
  { key: "u7", value: JSON.stringify({ event_id: "x", user_id: "u7", title_id: "t1", event_type: "rating", event_time: "2026-09-09T10:00:00Z" }), reason: /rating/ },
];

/**
 * The ground truth, computed straight from the event list the way the seed's SQL defines it, with
 * none of the processor's code. Sessions follow the documented rule in per-partition arrival order.
 */
function groundTruth(events: ViewEventInput[]) {
  const userDay = new Map<string, { watchSeconds: number; watchCount: number; titles: Set<string>; sessions: number; likes: number; ratings: number; ratingSum: number; searches: number }>();
  const titleDay = new Map<string, { watchSeconds: number; views: number; viewers: Set<string> }>();
  const firstDay = new Map<string, string>();
  const lastWatch = new Map<string, number>();
  for (const e of events) {
    const time = Date.parse(e.event_time);
    const day = new Date(time).toISOString().slice(0, 10);
    const k = `${e.user_id}|${day}`;
    if (!userDay.has(k)) userDay.set(k, { watchSeconds: 0, watchCount: 0, titles: new Set(), sessions: 0, likes: 0, ratings: 0, ratingSum: 0, searches: 0 });
    const u = userDay.get(k)!;
    if (e.event_type === "like") u.likes++;
    if (e.event_type === "search") u.searches++;
    if (e.event_type === "rating") {
      u.ratings++;
      u.ratingSum += e.rating!;
    }
    if (e.event_type !== "watch") continue;
    u.watchSeconds += e.watch_duration!;
    u.watchCount++;
    u.titles.add(e.title_id);
    const prev = lastWatch.get(e.user_id);
    if (prev === undefined || time - prev > GAP) u.sessions++;
    lastWatch.set(e.user_id, Math.max(prev ?? time, time));
    if (!firstDay.has(e.user_id) || day < firstDay.get(e.user_id)!) firstDay.set(e.user_id, day);
    const tk = `${e.title_id}|${day}`;
    if (!titleDay.has(tk)) titleDay.set(tk, { watchSeconds: 0, views: 0, viewers: new Set() });
    const td = titleDay.get(tk)!;
    td.watchSeconds += e.watch_duration!;
    td.views++;
    td.viewers.add(e.user_id);
  }
  return { userDay, titleDay, firstDay };
}

async function produceAll(log: EventLog, events: ViewEventInput[]) {
  for (const e of events) await log.produce(topicForEventType(e.event_type), [{ key: e.user_id, value: JSON.stringify(e) }]);
}

/** A log whose consumers ignore the stored offsets and start `rewind` messages earlier: Kafka redelivering. */
function rewindingLog(log: EventLog, rewind: number): EventLog {
  return {
    ...log,
    createConsumer(options) {
      const inner = log.createConsumer(options);
      const consumer: LogConsumer = {
        crashed: inner.crashed,
        commit: (o) => inner.commit(o),
        stop: () => inner.stop(),
        run: (handlers) =>
          inner.run({
            ...handlers,
            onAssign: async (parts) => {
              const stored = (await handlers.onAssign?.(parts)) ?? [];
              return stored.map((s) => ({ ...s, offset: Math.max(0, s.offset - rewind) }));
            },
          }),
      };
      return consumer;
    },
  };
}

describe("aggregator on real Postgres", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("[STREAM] counts every valid event exactly once across a replay, and dead-letters malformed ones", async () => {
    const log = createMemoryLog();
    await log.ensureTopics(VIEW_EVENT_TOPICS.map((topic) => ({ topic, partitions: LOCAL_PARTITIONS[topic] })));
    const events = makeEvents(7, 4000);
    const firstHalf = events.slice(0, 2000);
    const secondHalf = events.slice(2000);

    // Phase 1: half the events plus malformed ones.
    await produceAll(log, firstHalf);
    for (const m of MALFORMED) await log.produce(TOPICS.watch, [{ key: m.key, value: m.value }]);
    const first = createAggregator({ log, pool: t.pool, logger, clock: () => NOW, maxBatchSize: 97 });
    await first.start();
    await drained(log, first);
    await first.stop();

    // Phase 2: the rest, consumed by a processor that is redelivered 150 already-counted messages per partition.
    await produceAll(log, secondHalf);
    const second = createAggregator({ log: rewindingLog(log, 150), pool: t.pool, logger, clock: () => NOW, maxBatchSize: 61 });
    await second.start();
    await drained(log, second);
    await second.stop();

    const truth = groundTruth(events);
    const userRows = await t.db.userDailyStat.findMany();
    expect(userRows.length).toBe(truth.userDay.size);
    for (const r of userRows) {
      const want = truth.userDay.get(`${r.userId}|${r.day.toISOString().slice(0, 10)}`)!;
      expect(r.watchSeconds).toBe(want.watchSeconds);
      expect(r.watchCount).toBe(want.watchCount);
      expect(r.distinctTitles).toBe(want.titles.size);
      expect(r.sessions).toBe(want.sessions);
      expect([r.likes, r.searches, r.ratings, r.ratingSum]).toEqual([want.likes, want.searches, want.ratings, want.ratingSum]);
    }
    const titleRows = await t.db.titleDailyStat.findMany({ where: { views: { gt: 0 } } });
    expect(titleRows.length).toBe(truth.titleDay.size);
    for (const r of titleRows) {
      const want = truth.titleDay.get(`${r.titleId}|${r.day.toISOString().slice(0, 10)}`)!;
      expect([r.watchSeconds, r.views, r.uniqueViewers]).toEqual([want.watchSeconds, want.views, want.viewers.size]);
    }
    const activity = await t.db.userActivity.findMany();
    expect(new Map(activity.map((a) => [a.userId, a.firstWatchDay.toISOString().slice(0, 10)]))).toEqual(truth.firstDay);

    const minuteTotal = await t.db.minuteStat.aggregate({ _sum: { events: true } });
    expect(minuteTotal._sum.events).toBe(events.length);

    const dead = await t.db.deadLetter.findMany({ orderBy: { offset: "asc" } });
    expect(dead).toHaveLength(MALFORMED.length);
    for (const m of MALFORMED) {
      const row = dead.find((d) => Buffer.from(d.rawValue!).toString() === m.value);
      expect(row, m.value).toBeDefined();
      expect(row!.reason).toMatch(m.reason);
      expect(row!.topic).toBe(TOPICS.watch);
    }
    const counters = await t.db.pipelineCounter.findMany();
    expect(Object.fromEntries(counters.map((c) => [c.name, Number(c.value)]))).toEqual({ counted: events.length, dead_lettered: MALFORMED.length });
    expect(second.stats().skipped).toBeGreaterThan(0); // the replay really happened
  });
});
