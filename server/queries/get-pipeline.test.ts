import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_PARTITIONS, TOPICS, VIEW_EVENT_TOPICS } from "../../lib/config/topics";
import { encodeViewEvent, topicForEventType, type ViewEventInput } from "../../lib/events/view-event";
import { LiveState } from "../live/live-state";
import { createMemoryLog } from "../log/memory-log";
import type { EventLog } from "../log/types";
import { logger } from "../logger";
import { createAggregator } from "../stream/create-aggregator";
import { drained } from "../testing/drained";
import { createTestDatabase, type TestDatabase } from "../testing/test-db";
import { getPipeline, listDeadLetters, OffsetRateSampler } from "./get-pipeline";

const NOW = Date.parse("2026-09-10T12:00:00Z");
const TYPES = ["watch", "watch", "like", "search"] as const;

/** N valid events from 200 users, so every partition of every consumed topic gets some. */
function validEvents(n: number): ViewEventInput[] {
  return Array.from({ length: n }, (_, i) => {
    const type = TYPES[i % TYPES.length]!;
    return {
      event_id: `p${i}`,
      user_id: `u${(i * 7) % 200}`,
      title_id: `t${i % 13}`,
      event_type: type,
      event_time: new Date(NOW - 3_600_000 + i * 1000).toISOString(),
      watch_duration: type === "watch" ? 60 : 0,
      ...(type === "search" ? { query: "space" } : {}),
    };
  });
}

/** Malformed messages as other teams' producers might send them, with the reason each must get. */
const MALFORMED: { topic: string; key: string; value: Buffer; reason: RegExp; preview: string }[] = [
  { topic: TOPICS.watch, key: "u1", value: Buffer.from("{not json"), reason: /not JSON/, preview: "{not json" },
  {
    topic: TOPICS.watch,
    key: "u2",
    value: Buffer.from(JSON.stringify({ event_id: "x", user_id: "u2", title_id: "t1", event_type: "teleport", event_time: "2026-09-09T10:00:00Z" })),
    reason: /event_type/,
    preview: '{"event_id":"x","user_id":"u2"',
  },
  // Invalid UTF-8: the preview shows replacement characters instead of failing.
  { topic: TOPICS.like, key: "u3", value: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), reason: /UTF-8/, preview: "{\uFFFD\uFFFD}" },
  // Longer than the preview: cut at 200 bytes.
  { topic: TOPICS.search, key: "u4", value: Buffer.from(`{"padding":"${"x".repeat(400)}"`), reason: /not JSON/, preview: `{"padding":"${"x".repeat(188)}` },
];

// The tests share one database and run in order: the later ones read what the first one stored.
describe("getPipeline on real Postgres and the in-process log", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("[PIPELINE] reports lag per partition before consuming, none after, with counters, rates and dead letters", async () => {
    const N = 800;
    const log = createMemoryLog();
    await log.ensureTopics(VIEW_EVENT_TOPICS.map((topic) => ({ topic, partitions: LOCAL_PARTITIONS[topic] })));
    const live = new LiveState(() => NOW, new Map());
    const services = { db: t.db, log, live };
    let clock = NOW;
    const options = { clock: () => clock, sampler: new OffsetRateSampler() };

    for (const e of validEvents(N)) await log.produce(topicForEventType(e.event_type), [{ key: e.user_id, value: encodeViewEvent(e) }]);
    for (const m of MALFORMED) await log.produce(m.topic, [{ key: m.key, value: m.value }]);

    const before = await getPipeline(services, options);
    const partitionCount = VIEW_EVENT_TOPICS.reduce((n, topic) => n + LOCAL_PARTITIONS[topic], 0);
    expect(before.log).toEqual({ kind: "memory", ok: true, error: null });
    expect(before.partitions).toHaveLength(partitionCount);
    expect(before.partitions.map((p) => `${p.topic}/${p.partition}`)).toEqual(
      VIEW_EVENT_TOPICS.flatMap((topic) => Array.from({ length: LOCAL_PARTITIONS[topic] }, (_, p) => `${topic}/${p}`)),
    );
    expect(before.totals.lag).toBe(N + MALFORMED.length);
    expect(before.totals.endOffset).toBe(N + MALFORMED.length);
    for (const p of before.partitions) {
      expect(p).toMatchObject({ startOffset: 0, committedOffset: null, committedAt: null, lag: p.endOffset });
      expect(p.lag, `${p.topic}/${p.partition}`).toBeGreaterThan(0); // spread over every partition
    }
    expect(before.rates).toEqual({ inPerSec: null, outPerSec: null, windowSec: null }); // one sample is no rate
    expect(before.counters).toEqual({ counted: 0, deadLettered: 0 });
    expect(before.deadLetters).toEqual([]);

    const aggregator = createAggregator({
      log,
      pool: t.pool,
      logger,
      clock: () => NOW,
      maxBatchSize: 50,
      onCommitted: (events, summary) => live.record(events, `${summary.topic}/${summary.partition}`),
    });
    await aggregator.start();
    await drained(log, aggregator);
    await aggregator.stop();

    clock = NOW + 2_000;
    const after = await getPipeline(services, options);
    expect(after.totals.lag).toBe(0);
    expect(after.totals.committedOffset).toBe(N + MALFORMED.length);
    for (const p of after.partitions) {
      expect(p.lag).toBe(0);
      expect(p.committedOffset).toBe(p.endOffset);
      expect(p.committedAt).not.toBeNull();
    }
    // Nothing was appended between the samples; everything was committed over 2 s.
    expect(after.rates).toEqual({ inPerSec: 0, outPerSec: (N + MALFORMED.length) / 2, windowSec: 2 });
    expect(after.counters).toEqual({ counted: N, deadLettered: MALFORMED.length });
    expect(after.lateEvents).toBe(live.snapshot().lateEvents);

    expect(after.deadLetters).toHaveLength(MALFORMED.length);
    expect(after.deadLetters.map((d) => d.id)).toEqual([...after.deadLetters.map((d) => d.id)].sort((a, b) => b - a)); // newest first
    for (const m of MALFORMED) {
      const d = after.deadLetters.find((x) => x.key === m.key);
      expect(d, m.key).toBeDefined();
      expect(d!.topic).toBe(m.topic);
      expect(d!.reason).toMatch(m.reason);
      expect(d!.rawBytes).toBe(m.value.length);
      expect(d!.rawPreview!.startsWith(m.preview), `${m.key}: ${d!.rawPreview}`).toBe(true);
      expect(Buffer.byteLength(d!.rawPreview!.replaceAll("\uFFFD", "?"))).toBeLessThanOrEqual(200);
      // Its offset is where the log put it.
      const partition = after.partitions.find((p) => p.topic === d!.topic && p.partition === d!.partition)!;
      expect(d!.offset).toBeLessThan(partition.endOffset!);
    }
    expect(after.deadLetters.find((d) => d.key === "u4")!.rawPreview).toHaveLength(200);

    // A process without live state reports no late count rather than zero.
    expect((await getPipeline({ ...services, live: null }, { sampler: new OffsetRateSampler() })).lateEvents).toBeNull();
  });

  it("[PIPELINE] pages through dead letters newest first without gaps or repeats", async () => {
    const all = await listDeadLetters(t.db, { limit: 100 });
    expect(all.deadLetters).toHaveLength(MALFORMED.length);
    expect(all.nextBefore).toBeNull();

    const seen: number[] = [];
    let before: number | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await listDeadLetters(t.db, { limit: 3, before });
      seen.push(...page.deadLetters.map((d) => d.id));
      if (page.nextBefore === null) break;
      before = page.nextBefore;
    }
    expect(seen).toEqual(all.deadLetters.map((d) => d.id));
  });

  it("[PIPELINE] still shows the stored offsets when the log cannot be reached", async () => {
    const refused = () => Promise.reject(new Error("broker 127.0.0.1:9092 refused the connection"));
    const broken: EventLog = { ...createMemoryLog(), kind: "kafka", startOffsets: refused, endOffsets: refused };
    const res = await getPipeline({ db: t.db, log: broken, live: null }, { sampler: new OffsetRateSampler() });
    expect(res.log).toEqual({ kind: "kafka", ok: false, error: "broker 127.0.0.1:9092 refused the connection" });
    expect(res.totals.lag).toBeNull();
    expect(res.rates.inPerSec).toBeNull();
    expect(res.partitions.length).toBeGreaterThan(0);
    for (const p of res.partitions) expect(p).toMatchObject({ endOffset: null, lag: null, committedOffset: expect.any(Number) });
    expect(res.counters.deadLettered).toBe(MALFORMED.length);
  });
});

describe("OffsetRateSampler", () => {
  const none = { inPerSec: null, outPerSec: null, windowSec: null };
  // One sampler fed in order: each row is a call and the rates it must return.
  const calls: { at: number; end: number; committed: number; want: typeof none | { inPerSec: number; outPerSec: number; windowSec: number }; why: string }[] = [
    { at: 0, end: 0, committed: 0, want: none, why: "a single sample" },
    { at: 500, end: 50, committed: 0, want: none, why: "the only older sample is under 1 s old" },
    { at: 2_000, end: 200, committed: 100, want: { inPerSec: 100, outPerSec: 50, windowSec: 2 }, why: "the oldest sample at least 1 s old" },
    { at: 11_000, end: 1_100, committed: 1_000, want: { inPerSec: 100, outPerSec: 100, windowSec: 9 }, why: "the oldest sample inside the 10 s window" },
    { at: 60_000, end: 1_100, committed: 1_490, want: { inPerSec: 0, outPerSec: 10, windowSec: 49 }, why: "past the window, the previous sample" },
    { at: 62_000, end: 5, committed: 5, want: none, why: "offsets went backwards: a reset" },
    { at: 64_000, end: 25, committed: 15, want: { inPerSec: 10, outPerSec: 5, windowSec: 2 }, why: "measured from the reset on" },
  ];
  it("measures from the oldest sample within the window that is at least 1 s old", () => {
    const sampler = new OffsetRateSampler(10_000, 1_000);
    for (const c of calls) expect(sampler.sample({ at: c.at, end: c.end, committed: c.committed }), c.why).toEqual(c.want);
  });
});
