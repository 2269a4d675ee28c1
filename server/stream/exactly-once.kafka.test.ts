import { randomBytes } from "node:crypto";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { LOCAL_PARTITIONS, TOPICS, VIEW_EVENT_TOPICS } from "../../lib/config/topics";
import { encodeViewEvent, topicForEventType, type ViewEventInput } from "../../lib/events/view-event";
import { describeConsumerGroup, fetchGroupOffsets, kafkaGroupAdmin } from "../log/kafka-admin";
import { partitionForKey } from "../log/memory-log";
import type { LogMessage } from "../log/types";
import { logger } from "../logger";
import { produceEvents } from "../sim/run-simulator";
import { diffTables, expectedTables, readTables, tableSizes } from "../testing/aggregate-truth";
import {
  AGGREGATOR_GROUP,
  createScope,
  DAY,
  endOffsets,
  expectTables,
  RECENT,
  simulatedEvents,
  storedOffsets,
  sum,
  waitForDrain,
  waitForOffsets,
  type Scope,
} from "../testing/kafka-harness";
import { runTs, startStreamProcess, stopGracefully, type RunningProcess } from "../testing/child-process";
import { createTestDatabase, type TestDatabase } from "../testing/test-db";
import { createAggregator } from "./create-aggregator";
import { replayAggregates, ReplayRefusedError, type ReplayDeps } from "./replay-aggregates";

/*
 * Exactly-once, end to end, on the real broker and Postgres: `--role stream` child processes
 * killed mid-stream, two processes sharing the group, replays, an independent consumer group, and
 * malformed input. Every check compares the tables row for row with a ground truth computed from
 * the produced events alone (server/testing/aggregate-truth.ts). Each test has its own topic prefix
 * and database. CHILD_LOG=1 shows the child processes' output.
 */

const available = inject("kafkaBrokers");
const brokers = available ?? ["127.0.0.1:9092"];
const runId = randomBytes(3).toString("hex");
const GROUP = AGGREGATOR_GROUP;
const quiet = () => undefined;
/** Everything started here, stopped in afterAll whatever happened. */
const processes: RunningProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];

interface TestScope extends Scope {
  db: TestDatabase;
}

/** A topic prefix with the application's topics (local partition counts) and a fresh database. */
async function newScope(name: string): Promise<TestScope> {
  const db = await createTestDatabase();
  const scope = await createScope({ brokers, prefix: `t_${runId}_${name}.`, clientId: `test-${name}`, database: db });
  cleanups.push(async () => {
    await scope.cleanup();
    await db.drop();
  });
  return { ...scope, db };
}

function stream(scope: Scope, name: string, extra: { LOG_LEVEL?: string } = {}): RunningProcess {
  const p = startStreamProcess(name, { ...scope.env, ...extra });
  processes.push(p);
  return p;
}

/**
 * Until the aggregator group has no live member. A process stopped with SIGTERM leaves at once; one
 * that died without leaving stays listed until its Kafka session times out (30 s).
 */
async function waitForEmptyGroup(scope: Scope, timeoutMs = 45_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const group = await describeConsumerGroup({ brokers, log: quiet }, `${scope.prefix}${GROUP}`);
    if (group.members.length === 0) return;
    if (Date.now() > deadline) throw new Error(`group still has members: ${JSON.stringify(group)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** SIGTERM is graceful: the process finishes its batch, leaves the group and exits 0. */
const GRACEFUL = { code: 0, signal: null };
const GRACEFUL_MESSAGE = "a stream process must exit 0 on SIGTERM (main.ts's graceful shutdown)";

function deps(scope: TestScope, extra: Partial<ReplayDeps> = {}): ReplayDeps {
  return { pool: scope.db.pool, log: scope.log, groups: kafkaGroupAdmin({ brokers, log: quiet }, scope.prefix), ...extra };
}

afterAll(async () => {
  await Promise.allSettled(processes.map((p) => p.stop("SIGKILL", 5_000)));
  for (const c of cleanups) await c().catch((err: unknown) => console.warn("cleanup failed", err));
});

describe.skipIf(!available)("exactly-once on Kafka", () => {
  describe("a stream process killed with SIGKILL", () => {
    let scope: TestScope;
    let events: ViewEventInput[];
    beforeAll(async () => {
      scope = await newScope("crash");
      events = simulatedEvents(17, 8_000, 200_000, 2);
    });

    it("[STREAM] counts 200,000 events exactly once across three SIGKILLs and restarts", async () => {
      const produced = Date.now();
      await produceEvents(scope.log, events);
      const produceMs = Date.now() - produced;
      const total = sum(await endOffsets(scope.log));
      expect(total).toBe(events.length);

      const rng = xoroshiro128plus(23);
      // Seeded kill points: after 10-25%, 35-50% and 60-75% of the messages are stored.
      const killAt = [
        [10, 25],
        [35, 50],
        [60, 75],
      ].map(([lo, hi]) => Math.floor((total * uniformInt(rng, lo!, hi!)) / 100));
      const started = Date.now();
      let current = stream(scope, "stream-1");
      const kills: { storedAtKill: number; atMs: number; resumedAfterMs: number }[] = [];
      for (const [i, threshold] of killAt.entries()) {
        await waitForOffsets(scope.db.pool, (s) => sum(s) >= threshold, `${threshold} stored offsets`, [current]);
        await new Promise((r) => setTimeout(r, uniformInt(rng, 0, 400)));
        const result = await current.stop("SIGKILL");
        expect(result.signal).toBe("SIGKILL");
        const killedAt = Date.now();
        const storedAtKill = sum(await storedOffsets(scope.db.pool));
        expect(storedAtKill).toBeLessThan(total); // killed while it still had work
        current = stream(scope, `stream-${i + 2}`);
        // The successor counts once the coordinator drops the killed member (its session times out).
        await waitForOffsets(scope.db.pool, (s) => sum(s) > storedAtKill, "the restarted process to store offsets", [current]);
        kills.push({ storedAtKill, atMs: killedAt - started, resumedAfterMs: Date.now() - killedAt });
      }
      await waitForDrain(scope, [current]);
      const consumeMs = Date.now() - started;
      const stalledMs = kills.reduce((a, k) => a + k.resumedAfterMs, 0);
      await stopGracefully(current);

      const tables = await expectTables(scope.db.pool, events);
      const dead = await scope.db.pool.query("SELECT count(*)::int AS n FROM dead_letter");
      expect(dead.rows[0].n).toBe(0);
      console.log(
        `[crash test] ${events.length} events (${JSON.stringify(tableSizes(tables))}); produced in ${(produceMs / 1000).toFixed(1)} s; ` +
          `consumed with ${kills.length} SIGKILLs in ${(consumeMs / 1000).toFixed(1)} s wall (${Math.round(events.length / (consumeMs / 1000))} events/s), ` +
          `${((consumeMs - stalledMs) / 1000).toFixed(1)} s of it counting (${Math.round(events.length / ((consumeMs - stalledMs) / 1000))} events/s); ` +
          `kills: ${kills.map((k) => `at ${(k.atMs / 1000).toFixed(1)} s with ${k.storedAtKill} stored, resumed ${(k.resumedAfterMs / 1000).toFixed(1)} s later`).join("; ")}`,
      );
    }, 240_000);

    it("[STREAM] a second consumer group reads every message without moving the aggregator's offsets or tables", async () => {
      const tablesBefore = await readTables(scope.db.pool);
      const storedBefore = await storedOffsets(scope.db.pool);
      const brokerTopics = VIEW_EVENT_TOPICS.map((t) => `${scope.prefix}${t}`);
      const kafkaBefore = await fetchGroupOffsets({ brokers, log: quiet }, `${scope.prefix}${GROUP}`, brokerTopics);
      expect(sum(storedBefore)).toBe(events.length);

      const analytics = scope.log.createConsumer({ groupId: "analytics-test", topics: VIEW_EVENT_TOPICS, maxBatchSize: 5_000 });
      const seen: LogMessage[] = [];
      let resolveAll!: () => void;
      const all = new Promise<void>((r) => (resolveAll = r));
      await analytics.run({
        eachBatch: async (batch) => {
          seen.push(...batch.messages);
          await analytics.commit([{ topic: batch.topic, partition: batch.partition, offset: batch.messages.at(-1)!.offset + 1 }]);
          if (seen.length >= events.length) resolveAll();
        },
      });
      await Promise.race([all, analytics.crashed, new Promise((_, reject) => setTimeout(() => reject(new Error(`analytics read ${seen.length}`)), 90_000))]);
      await analytics.stop();

      // The same messages: every produced event exactly once, nothing else.
      expect(seen).toHaveLength(events.length);
      const ids = new Set(seen.map((m) => (JSON.parse(m.value!.toString()) as ViewEventInput).event_id));
      expect(ids.size).toBe(events.length);
      for (const e of events) expect(ids.has(e.event_id)).toBe(true);
      // Its own committed offsets are the log's ends; the aggregator's are untouched, on both sides.
      const analyticsOffsets = await fetchGroupOffsets({ brokers, log: quiet }, `${scope.prefix}analytics-test`, brokerTopics);
      expect(analyticsOffsets.reduce((a, o) => a + o.offset, 0)).toBe(events.length);
      expect(await fetchGroupOffsets({ brokers, log: quiet }, `${scope.prefix}${GROUP}`, brokerTopics)).toEqual(kafkaBefore);
      expect(await storedOffsets(scope.db.pool)).toEqual(storedBefore);
      expect(diffTables(tablesBefore, await readTables(scope.db.pool))).toEqual([]);
      const groups = await scope.db.pool.query<{ group_id: string }>("SELECT DISTINCT group_id FROM consumer_offset");
      expect(groups.rows.map((r) => r.group_id)).toEqual([GROUP]);
    });
  });

  it("[STREAM] two processes share the group, and a replay from earliest rebuilds identical tables", async () => {
    const scope = await newScope("pair");
    const events = simulatedEvents(29, 3_000, 60_000, 2);
    const total = events.length;
    // Half before the second process joins, half once both hold partitions: both must count some.
    await produceEvents(scope.log, events.slice(0, total / 2));

    const a = stream(scope, "pair-a");
    await waitForOffsets(scope.db.pool, (s) => sum(s) > 0, "the first process to store offsets", [a]);
    const b = stream(scope, "pair-b");
    let members: Awaited<ReturnType<typeof describeConsumerGroup>>["members"] = [];
    for (const deadline = Date.now() + 60_000; ; ) {
      const group = await describeConsumerGroup({ brokers, log: quiet }, `${scope.prefix}${GROUP}`);
      members = group.members;
      if (group.state === "Stable" && members.length === 2 && members.every((m) => m.assignment.length > 0)) break;
      if (Date.now() > deadline) throw new Error(`the group never had two members with partitions: ${JSON.stringify(group)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const owned = members.map((m) => m.assignment.map((p) => `${p.topic.slice(scope.prefix.length)}/${p.partition}`));
    expect(new Set(owned.flat()).size).toBe(VIEW_EVENT_TOPICS.reduce((n, t) => n + LOCAL_PARTITIONS[t], 0));
    await waitForDrain(scope, [a, b]);
    const at = await storedOffsets(scope.db.pool);
    await produceEvents(scope.log, events.slice(total / 2));
    // Each member's own partitions move past where they were: both processes count.
    await waitForOffsets(
      scope.db.pool,
      (s) => owned.every((parts) => parts.some((k) => (s.get(k) ?? 0) > (at.get(k) ?? 0))),
      "both members to store offsets",
      [a, b],
    );
    await waitForDrain(scope, [a, b]);
    await expectTables(scope.db.pool, events);

    // A replay while the group is alive is refused, changing nothing.
    const refused = runTs("replay-refused", "scripts/replay.ts", ["--from", "earliest", "--yes"], scope.env);
    expect((await refused.exited).code).toBe(1);
    expect(refused.lines.join("\n")).toMatch(/refused \(group-alive\).*2 live member/);
    expect(sum(await storedOffsets(scope.db.pool))).toBe(total);

    expect((await describeConsumerGroup({ brokers, log: quiet }, `${scope.prefix}${GROUP}`)).members.map((m) => m.memberId).sort()).toEqual(
      members.map((m) => m.memberId).sort(),
    ); // the same two members throughout
    const stopped = Date.now();
    expect.soft(await stopGracefully(b), GRACEFUL_MESSAGE).toEqual(GRACEFUL);
    expect.soft(await stopGracefully(a), GRACEFUL_MESSAGE).toEqual(GRACEFUL);
    await waitForEmptyGroup(scope);
    expect.soft(Date.now() - stopped, "stopped processes leave the group at once").toBeLessThan(15_000);
    // Without --yes (and no terminal to ask on) it prints the plan and changes nothing.
    const dry = runTs("replay-dry", "scripts/replay.ts", ["--from", "earliest"], scope.env);
    expect((await dry.exited).code).toBe(1);
    expect(dry.lines.join("\n")).toMatch(/every aggregation table is emptied[\s\S]*Nothing changed/);
    expect(sum(await storedOffsets(scope.db.pool))).toBe(total);

    const replay = runTs("replay", "scripts/replay.ts", ["--from", "earliest", "--yes"], scope.env);
    expect((await replay.exited).code, replay.lines.join("\n")).toBe(0);
    const out = replay.lines.join("\n");
    expect(out).toMatch(new RegExp(`user_daily_stat\\s+${expectedTables(events).user_daily_stat.size.toLocaleString("en")}`));
    expect(out).toMatch(/watch_events\/0\s+\d+ → 0/);
    expect(sum(await storedOffsets(scope.db.pool))).toBe(0);
    expect((await readTables(scope.db.pool)).user_daily_stat.size).toBe(0);

    const c = stream(scope, "pair-c");
    await waitForDrain(scope, [c]);
    await expectTables(scope.db.pool, events);
    expect.soft(await stopGracefully(c), GRACEFUL_MESSAGE).toEqual(GRACEFUL);
    await waitForEmptyGroup(scope);

    // And from a time, through the script: the days since T's day again, identical.
    const fromT = events[Math.floor(total * 0.6)]!.event_time;
    const partial = runTs("replay-from", "scripts/replay.ts", ["--from", fromT, "--yes"], scope.env);
    expect((await partial.exited).code, partial.lines.join("\n")).toBe(0);
    expect(partial.lines.join("\n")).toMatch(new RegExp(`from ${fromT.slice(0, 10)} \\(UTC\\)[\\s\\S]*Verified[\\s\\S]*Replay floor stored`));
    expect(sum(await storedOffsets(scope.db.pool))).toBeLessThan(total);
    const d = stream(scope, "pair-d");
    await waitForDrain(scope, [d]);
    await expectTables(scope.db.pool, events);
    expect.soft(await stopGracefully(d), GRACEFUL_MESSAGE).toEqual(GRACEFUL);
  }, 180_000);

  it("[STREAM] replay refuses the in-process log, which keeps no history to replay", async () => {
    const p = runTs("replay-memory", "scripts/replay.ts", ["--from", "earliest", "--yes"], { KAFKA_BROKERS: undefined, DATABASE_URL: "postgresql://postgres@127.0.0.1:1/none" });
    expect((await p.exited).code).toBe(1);
    expect(p.lines.join("\n")).toMatch(/not supported with the in-process log/);
  });

  it("[STREAM] malformed messages land in dead_letter with topic, partition, offset and reason; their neighbours count", async () => {
    const scope = await newScope("bad");
    const valid = simulatedEvents(31, 400, 3_000);
    const event = (over: Record<string, unknown>) => JSON.stringify({ event_id: "bad", user_id: "u_bad", title_id: "t_1", event_type: "watch", event_time: new Date(RECENT).toISOString(), watch_duration: 60, ...over });
    const malformed: { topic: string; key: string; value: string | Buffer; reason: RegExp }[] = [
      { topic: TOPICS.watch, key: "u_000001", value: "{not json", reason: /not JSON/ },
      { topic: TOPICS.watch, key: "u_000002", value: event({ watch_duration: "300" }), reason: /watch_duration/ },
      { topic: TOPICS.watch, key: "u_000003", value: event({ user_id: 42 }), reason: /user_id/ },
      { topic: TOPICS.like, key: "u_000004", value: event({ event_type: "teleport" }), reason: /event_type/ },
      { topic: TOPICS.watch, key: "u_000005", value: event({ event_time: "1970-01-01T00:00:00Z" }), reason: /before 2000/ },
      { topic: TOPICS.watch, key: "u_000006", value: event({ event_time: "2100-01-01T00:00:00Z" }), reason: /future/ },
      { topic: TOPICS.watch, key: "u_000007", value: event({ event_time: "yesterday" }), reason: /event_time/ },
      { topic: TOPICS.search, key: "u_000008", value: event({ event_type: "search", query: "x".repeat(17 * 1024) }), reason: /exceeds 16384/ },
      { topic: TOPICS.like, key: "u_000009", value: event({ event_type: "rating" }), reason: /rating/ },
      { topic: TOPICS.watch, key: "u_000010", value: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), reason: /UTF-8/ },
      { topic: TOPICS.watch, key: "u_000011", value: "[]", reason: /invalid/ },
    ];
    // Interleaved: a malformed message after every ~250 valid ones, same topics and keys as real traffic.
    const records: { topic: string; key: string; value: string | Buffer; bad?: (typeof malformed)[number] }[] = [];
    valid.forEach((e, i) => {
      records.push({ topic: topicForEventType(e.event_type), key: e.user_id, value: encodeViewEvent(e) });
      const m = malformed[i / 250];
      if (Number.isInteger(i / 250) && m) records.push({ ...m, bad: m });
    });
    // One produce call per topic keeps the order, so each message's offset is known in advance.
    const next = new Map<string, number>();
    const expectedDead = records.flatMap((r) => {
      const partition = partitionForKey(r.key, LOCAL_PARTITIONS[r.topic as keyof typeof LOCAL_PARTITIONS]);
      const k = `${r.topic}/${partition}`;
      const offset = next.get(k) ?? 0;
      next.set(k, offset + 1);
      return r.bad ? [{ topic: r.topic, partition, offset, bad: r.bad }] : [];
    });
    for (const topic of VIEW_EVENT_TOPICS) {
      await scope.log.produce(topic, records.filter((r) => r.topic === topic).map((r) => ({ key: r.key, value: r.value })));
    }

    const p = stream(scope, "bad-input");
    await waitForDrain(scope, [p]);
    await stopGracefully(p);

    await expectTables(scope.db.pool, valid, malformed.length);
    const { rows } = await scope.db.pool.query<{ group_id: string; topic: string; partition: number; offset: number; reason: string; raw_value: Buffer; key: string }>(
      `SELECT group_id, topic, partition, "offset", reason, raw_value, key FROM dead_letter ORDER BY topic, partition, "offset"`,
    );
    expect(rows).toHaveLength(malformed.length);
    for (const want of expectedDead) {
      const row = rows.find((r) => r.topic === want.topic && r.partition === want.partition && Number(r.offset) === want.offset);
      expect(row, `${want.topic}/${want.partition}@${want.offset}`).toBeDefined();
      expect(row!.group_id).toBe(GROUP);
      expect(row!.reason).toMatch(want.bad.reason);
      expect(row!.key).toBe(want.bad.key);
      expect(Buffer.compare(row!.raw_value, Buffer.from(want.bad.value))).toBe(0);
    }
  });

  it("[STREAM] a replay from a time recomputes the days since then exactly and keeps the earlier ones", async () => {
    const scope = await newScope("from");
    // Dense traffic over 4 days with sessions across midnight and late events; and a few events of
    // day D produced (and record-stamped) among events two days older, as a producer with a skewed
    // clock would: record timestamps alone would start the replay after them.
    const rng = xoroshiro128plus(41);
    const start = RECENT;
    const D = start + 2 * DAY;
    const events: ViewEventInput[] = [];
    let t = start;
    for (let i = 0; i < 6_000; i++) {
      t += uniformInt(rng, 0, 115_000);
      // Around D's midnight, watches come thick so 30-minute gaps straddle it.
      const near = Math.abs(t - D) < 3_600_000;
      const type = (["watch", "watch", "watch", "like", "dislike", "search", "rating"] as const)[uniformInt(rng, 0, near ? 2 : 6)]!;
      const late = uniformInt(rng, 0, 14) === 0 ? uniformInt(rng, 0, 3 * 3_600_000) : 0;
      events.push({
        event_id: `f${i}`,
        user_id: `u${uniformInt(rng, 1, near ? 12 : 60)}`,
        title_id: `t${uniformInt(rng, 1, 30)}`,
        event_type: type,
        event_time: new Date(t - late).toISOString(),
        watch_duration: type === "watch" ? uniformInt(rng, 1, 2_400) : 0,
        ...(type === "rating" ? { rating: uniformInt(rng, 1, 5) } : {}),
        ...(uniformInt(rng, 0, 3) === 0 ? { country: (["DE", "FR", "GB"] as const)[uniformInt(rng, 0, 2)], device: "tv" } : {}),
      });
    }
    const stamp = new Map(events.map((e) => [e.event_id, Date.parse(e.event_time)]));
    const early = events.filter((e, i) => i % 97 === 0 && Date.parse(e.event_time) >= D + 3_600_000 && Date.parse(e.event_time) < D + DAY);
    for (const e of early) {
      events.splice(events.indexOf(e), 1);
      const at = events.findIndex((x) => Date.parse(x.event_time) >= start + 3 * 3_600_000) + uniformInt(rng, 0, 100);
      stamp.set(e.event_id, Date.parse(events[at]!.event_time));
      events.splice(at, 0, e);
    }
    expect(early.length).toBeGreaterThan(3);
    const bad = ["{oops", JSON.stringify({ event_id: "x", user_id: "u1", title_id: "t1", event_type: "warp", event_time: new Date(D + 5 * 3_600_000).toISOString() })];
    const produceAll = async (list: ViewEventInput[], withBad: boolean) => {
      for (const topic of VIEW_EVENT_TOPICS) {
        const records = list
          .filter((e) => topicForEventType(e.event_type) === topic)
          .map((e) => ({ key: e.user_id, value: encodeViewEvent(e), timestamp: stamp.get(e.event_id)! }));
        // Near the end of what is produced first: inside the replayed range.
        if (withBad && topic === TOPICS.watch) records.splice(records.length - 50, 0, ...bad.map((value) => ({ key: "u1", value, timestamp: D + DAY })));
        await scope.log.produce(topic, records);
      }
    };
    // Half the events before the replay, half after it (so the floor meets new events too).
    const half = events.length / 2;
    await produceAll(events.slice(0, half + 1_000), true);
    const run = async () => {
      const agg = createAggregator({ log: scope.log, pool: scope.db.pool, logger, maxBatchSize: 173 });
      await agg.start();
      return agg;
    };
    let agg = await run();
    await waitForDrain(scope, []);
    // Refused while the group is alive.
    await expect(replayAggregates(deps(scope), { kind: "time", atMs: D + 7 * 3_600_000 })).rejects.toMatchObject({ code: "group-alive" });
    await agg.stop();

    const report = await replayAggregates(deps(scope), { kind: "time", atMs: D + 7 * 3_600_000 });
    expect(report.fromDay).toBe(new Date(D).toISOString().slice(0, 10));
    expect(report.verification!.found).toBe(report.verification!.eventsSinceTheta);
    // The early-stamped events lie before where timestamps say D begins: the scan had to go further.
    expect(report.verification!.passes).toBe(2);
    expect(report.deleted.user_daily_stat).toBeGreaterThan(0);
    expect(report.deleted.dead_letter).toBe(2);
    expect(report.moves.length).toBeGreaterThan(0);
    // Days before D are untouched by the delete.
    const kept = await readTables(scope.db.pool);
    expect([...kept.user_daily_stat.keys()].every((k) => k.split("|")[1]! < report.fromDay!)).toBe(true);
    // A second replay before the first one is consumed would double count: refused.
    await expect(replayAggregates(deps(scope), { kind: "time", atMs: D + DAY })).rejects.toBeInstanceOf(ReplayRefusedError);

    await produceAll(events.slice(half + 1_000), false);
    agg = await run();
    await waitForDrain(scope, []);
    await agg.stop();
    await expectTables(scope.db.pool, events, bad.length);
    const deadRows = await scope.db.pool.query("SELECT count(*)::int AS n FROM dead_letter");
    expect(deadRows.rows[0].n).toBe(bad.length);
  });
});
