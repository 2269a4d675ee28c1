import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createKafkaLog, deleteKafkaTopics, describeKafkaCluster } from "./kafka-log";
import { partitionForKey } from "./memory-log";
import type { ConsumerHandlers, EventLog, LogConsumer, LogMessage, TopicPartition, TopicPartitionOffset } from "./types";

/*
 * Integration tests against the real broker (scripts/kafka.sh start). Unique topic and group names
 * per run, so runs never see each other's records; the topics are deleted afterwards.
 */

// The global setup finds (or starts) the broker; null only off CI on a machine without Java.
const available = inject("kafkaBrokers");
const brokers = available ?? ["127.0.0.1:9092"];
const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const topicsCreated: string[] = [];
// kafkajs's own log lines; KAFKA_TEST_LOG=1 shows them.
const quiet = process.env.KAFKA_TEST_LOG ? undefined : () => undefined;

let log: EventLog;

function name(what: string): string {
  return `test-kafka-log-${runId}-${what}`;
}

async function newTopic(what: string, partitions: number): Promise<string> {
  const topic = name(what);
  topicsCreated.push(topic);
  await log.ensureTopics([{ topic, partitions }]);
  return topic;
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const tp = (t: TopicPartition) => `${t.topic}:${t.partition}`;

/** Runs a consumer that records everything it is given. */
function recorder(
  groupId: string,
  topics: string[],
  extra: Partial<ConsumerHandlers> & { maxBatchSize?: number } = {},
) {
  const messages: LogMessage[] = [];
  const batches: { topic: string; partition: number; offsets: number[] }[] = [];
  const assigned = new Set<string>();
  const assignCalls: TopicPartition[][] = [];
  const revokeCalls: TopicPartition[][] = [];
  const consumer: LogConsumer = log.createConsumer({ groupId, topics, maxBatchSize: extra.maxBatchSize });
  const handlers: ConsumerHandlers = {
    async onAssign(partitions) {
      assignCalls.push(partitions);
      const offsets = (await extra.onAssign?.(partitions)) ?? [];
      for (const p of partitions) assigned.add(tp(p));
      return offsets;
    },
    async onRevoke(partitions) {
      revokeCalls.push(partitions);
      for (const p of partitions) assigned.delete(tp(p));
      await extra.onRevoke?.(partitions);
    },
    async eachBatch(batch) {
      batches.push({ topic: batch.topic, partition: batch.partition, offsets: batch.messages.map((m) => m.offset) });
      messages.push(...batch.messages);
      await batch.heartbeat();
      await extra.eachBatch?.(batch);
    },
  };
  return { consumer, messages, batches, assigned, assignCalls, revokeCalls, run: () => consumer.run(handlers) };
}

function keyed(count: number, users: number, from = 0) {
  return Array.from({ length: count }, (_, i) => ({
    key: `user-${(from + i) % users}`,
    value: JSON.stringify({ seq: from + i }),
    timestamp: 1_700_000_000_000 + from + i,
  }));
}

const seqOf = (m: LogMessage) => (JSON.parse(m.value!.toString()) as { seq: number }).seq;

beforeAll(async () => {
  if (!available) return;
  try {
    await describeKafkaCluster({ brokers, timeoutMs: 3_000, log: quiet });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(
      process.env.CI
        ? `Kafka broker unreachable at ${brokers.join(",")} in CI (${reason}): .ci/run must start it with scripts/kafka.sh start before the tests`
        : `Kafka broker unreachable at ${brokers.join(",")} (${reason}). Start it with \`npm run kafka:start\`, or point KAFKA_BROKERS at one.`,
    );
  }
  log = createKafkaLog({ brokers, clientId: `kafka-log-test-${runId}`, log: quiet });
});

afterAll(async () => {
  await log?.close();
  await deleteKafkaTopics({ brokers, log: quiet }, topicsCreated).catch(() => undefined);
});

describe.skipIf(!available)("createKafkaLog against a real broker", () => {
  it("ensureTopics creates missing topics only and is idempotent", async () => {
    const a = await newTopic("ensure-a", 3);
    const b = name("ensure-b");
    topicsCreated.push(b);
    await log.ensureTopics([
      { topic: a, partitions: 3 },
      { topic: b, partitions: 2 },
    ]);
    await log.ensureTopics([{ topic: b, partitions: 2 }]);
    expect(await log.endOffsets(a)).toEqual([0, 1, 2].map((partition) => ({ topic: a, partition, offset: 0 })));
    expect((await log.startOffsets(b)).map((o) => o.partition)).toEqual([0, 1]);
  });

  it("delivers every keyed record in offset order per partition, one key always on one partition (murmur2 like memory-log)", async () => {
    const topic = await newTopic("order", 4);
    const records = keyed(2_000, 37);
    await log.produce(topic, records.slice(0, 1_000));
    await log.produce(topic, records.slice(1_000));

    const ends = await log.endOffsets(topic);
    expect(ends.reduce((sum, o) => sum + o.offset, 0)).toBe(2_000);
    expect(await log.startOffsets(topic)).toEqual([0, 1, 2, 3].map((partition) => ({ topic, partition, offset: 0 })));

    const r = recorder(name("order-g1"), [topic], { maxBatchSize: 150 });
    await r.run();
    await waitFor(() => r.messages.length >= 2_000, "2000 records");
    await r.consumer.stop();

    expect(r.messages).toHaveLength(2_000);
    expect(r.assignCalls).toEqual([[0, 1, 2, 3].map((partition) => ({ topic, partition }))]);
    for (const b of r.batches) expect(b.offsets.length).toBeLessThanOrEqual(150);
    for (const { partition, offset: end } of ends) {
      const offsets = r.messages.filter((m) => m.partition === partition).map((m) => m.offset);
      expect(offsets).toEqual(Array.from({ length: end }, (_, i) => i));
    }
    const partitionOfKey = new Map<string, number>();
    const lastSeqOfKey = new Map<string, number>();
    for (const m of r.messages) {
      expect(m.partition).toBe(partitionOfKey.get(m.key!) ?? m.partition);
      partitionOfKey.set(m.key!, m.partition);
      expect(m.partition).toBe(partitionForKey(m.key!, 4));
      expect(seqOf(m)).toBeGreaterThan(lastSeqOfKey.get(m.key!) ?? -1);
      lastSeqOfKey.set(m.key!, seqOf(m));
      expect(m.timestamp).toBe(1_700_000_000_000 + seqOf(m));
    }
    expect(partitionOfKey.size).toBe(37);
  });

  it("a second group reads the same records independently of the first", async () => {
    const topic = await newTopic("groups", 2);
    await log.produce(topic, keyed(300, 10));
    const g1 = recorder(name("groups-g1"), [topic]);
    await g1.run();
    await waitFor(() => g1.messages.length >= 300, "group 1");
    const g2 = recorder(name("groups-g2"), [topic]);
    await g2.run();
    await waitFor(() => g2.messages.length >= 300, "group 2");
    await log.produce(topic, keyed(50, 10, 300));
    await waitFor(() => g1.messages.length >= 350 && g2.messages.length >= 350, "both groups, new records");
    await Promise.all([g1.consumer.stop(), g2.consumer.stop()]);
    const ids = (ms: LogMessage[]) => ms.map((m) => `${m.partition}@${m.offset}`).sort();
    expect(g1.messages).toHaveLength(350);
    expect(ids(g2.messages)).toEqual(ids(g1.messages));
  });

  it("honours onAssign offsets: starts mid-partition even when onAssign is slower than the first fetch", async () => {
    const topic = await newTopic("seek", 3);
    await log.produce(topic, keyed(600, 20));
    const ends = await log.endOffsets(topic);
    const starts = ends.map((o) => ({ ...o, offset: Math.floor(o.offset / 2) }));
    let fetchedBeforeSeek = false;
    const r = recorder(name("seek-g"), [topic], {
      async onAssign() {
        // The consumer's first fetch (from the earliest offset) returns before these offsets exist.
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        fetchedBeforeSeek = true;
        return starts;
      },
    });
    await r.run();
    expect(fetchedBeforeSeek).toBe(true);
    const expected = ends.reduce((sum, e, i) => sum + e.offset - starts[i]!.offset, 0);
    await waitFor(() => r.messages.length >= expected, `${expected} records`);
    await new Promise((resolve) => setTimeout(resolve, 500)); // anything extra would arrive now
    await r.consumer.stop();
    expect(r.messages).toHaveLength(expected);
    for (const { partition, offset: start } of starts) {
      const offsets = r.messages.filter((m) => m.partition === partition).map((m) => m.offset);
      expect(offsets).toEqual(Array.from({ length: ends[partition]!.offset - start }, (_, i) => start + i));
    }
  });

  it("two consumers in one group split the partitions and each record goes to exactly one of them", async () => {
    const topic = await newTopic("split", 4);
    const groupId = name("split-g");
    const a = recorder(groupId, [topic]);
    await a.run();
    const b = recorder(groupId, [topic]);
    await b.run();
    const all = [0, 1, 2, 3].map((partition) => tp({ topic, partition }));
    await waitFor(
      () =>
        a.assigned.size > 0 &&
        b.assigned.size > 0 &&
        all.every((p) => a.assigned.has(p) !== b.assigned.has(p)),
      "a stable split",
    );
    await log.produce(topic, keyed(400, 40));
    await waitFor(() => a.messages.length + b.messages.length >= 400, "400 records");
    await new Promise((resolve) => setTimeout(resolve, 300));
    await Promise.all([a.consumer.stop(), b.consumer.stop()]);

    expect(a.messages.length + b.messages.length).toBe(400);
    expect(a.assigned.size).toBe(0); // stop() revoked everything
    for (const m of a.messages) expect(b.messages.some((n) => n.partition === m.partition)).toBe(false);
    const seqs = [...a.messages, ...b.messages].map(seqOf).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 400 }, (_, i) => i));
  });

  it("a rebalance seen by heartbeat() inside a long batch is not a crash: the group re-forms and every record is delivered", async () => {
    const topic = await newTopic("long-batch", 2);
    const groupId = name("long-batch-g");
    await log.produce(topic, keyed(200, 20));
    let sawRebalance = false;
    let first = true;
    const a = recorder(groupId, [topic], {
      async eachBatch(batch) {
        if (!first) return;
        first = false;
        // A long batch: heartbeat until kafkajs reports the group rebalancing (b joining).
        try {
          while (batch.isRunning()) {
            await batch.heartbeat();
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        } catch (err) {
          sawRebalance = true;
          throw err;
        }
      },
    });
    await a.run();
    await waitFor(() => a.batches.length > 0, "a's first batch");
    const b = recorder(groupId, [topic]);
    await b.run();
    await waitFor(() => a.assigned.size === 1 && b.assigned.size === 1, "one partition each");
    const seqs = () => new Set([...a.messages, ...b.messages].map(seqOf));
    await waitFor(() => seqs().size === 200, "all 200 records");
    await Promise.all([a.consumer.stop(), b.consumer.stop()]);

    expect(sawRebalance).toBe(true);
    await expect(Promise.race([a.consumer.crashed, Promise.resolve("alive")])).resolves.toBe("alive");
    expect(a.revokeCalls[0]).toHaveLength(2); // eager: everything given up, then dealt anew
  });

  it("after stop(), a new member resumes exactly: onAssign offsets where given, the group's commits elsewhere", async () => {
    const topic = await newTopic("resume", 4);
    const groupId = name("resume-g");
    // Offsets stored with the "aggregates", as the stream processor does.
    const stored = new Map<string, TopicPartitionOffset>();
    const store = (batch: { topic: string; partition: number; messages: LogMessage[] }) => {
      const offset = batch.messages[batch.messages.length - 1]!.offset + 1;
      stored.set(tp(batch), { topic: batch.topic, partition: batch.partition, offset });
    };

    await log.produce(topic, keyed(300, 30));
    const first = recorder(groupId, [topic], {
      onAssign: async (partitions) => partitions.flatMap((p) => stored.get(tp(p)) ?? []),
      async eachBatch(batch) {
        store(batch);
        await first.consumer.commit([stored.get(tp(batch))!]);
      },
    });
    await first.run();
    await waitFor(() => first.messages.length >= 300, "300 records");
    await first.consumer.stop();
    expect(first.revokeCalls.at(-1)).toHaveLength(4);

    await log.produce(topic, keyed(200, 30, 300));
    // Partitions 0 and 1 resume from the stored offsets, 2 and 3 from the group's committed offsets.
    const second = recorder(groupId, [topic], {
      onAssign: async (partitions) =>
        partitions.filter((p) => p.partition < 2).flatMap((p) => stored.get(tp(p)) ?? []),
    });
    await second.run();
    await waitFor(() => second.messages.length >= 200, "200 new records");
    await new Promise((resolve) => setTimeout(resolve, 500));
    await second.consumer.stop();

    expect(second.messages.map(seqOf).sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => 300 + i));
    expect(first.messages).toHaveLength(300);
  });

  it("a handler that throws crashes the consumer at once: crashed rejects with its error, no redelivery", async () => {
    const topic = await newTopic("crash", 1);
    await log.produce(topic, keyed(10, 5));
    let calls = 0;
    const consumer = log.createConsumer({ groupId: name("crash-g"), topics: [topic] });
    await consumer.run({
      async eachBatch() {
        calls++;
        throw new Error("boom: aggregate write failed");
      },
    });
    await expect(consumer.crashed).rejects.toThrow("boom: aggregate write failed");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(calls).toBe(1);
    await consumer.stop();
  });
});
