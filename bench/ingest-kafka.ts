/**
 * Kafka ingest: simulated events produced to a real broker with the product's producer, then read
 * back twice from the same topics of the same broker in the same run:
 *   - baseline: Kafka's own consumer benchmark (`ConsumerPerformance`, the Java client) reading every
 *     message of each topic, one topic after the other (the tool takes one topic);
 *   - measured: the aggregator (kafkajs behind server/log/kafka-log.ts) from the earliest offset to
 *     committed aggregates, one exactly-once Postgres transaction per batch, until the offsets stored
 *     with the aggregates reach the topics' end offsets.
 * Both clocks include joining the group and stop at the last message; both read the same messages
 * (all three topics, key + JSON value, LZ4 batches), so the ratio compares like with like.
 * Topics are prefixed with a random `bench_<id>.` and deleted at the end; the database is dropped.
 */
import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import pg from "pg";
import { CONSUMER_GROUPS, LOCAL_PARTITIONS, VIEW_EVENT_TOPICS, type TopicName } from "../lib/config/topics";
import { encodeViewEvent, topicForEventType } from "../lib/events/view-event";
import { generateCatalog } from "../lib/sim/catalog";
import { createSimulator } from "../lib/sim/simulator";
import { applyMigrations } from "../server/db/migrate";
import { createPool } from "../server/db/pool";
import { createKafkaLog, deleteKafkaTopics, describeKafkaCluster, type KafkaConnectionOptions } from "../server/log/kafka-log";
import type { ProducerRecord, TopicPartitionOffset } from "../server/log/types";
import { withTopicPrefix } from "../server/log/with-topic-prefix";
import { logger } from "../server/logger";
import { createAggregator, type Aggregator } from "../server/stream/create-aggregator";
import { runConsumerPerf, type ConsumerPerfResult } from "./kafka-consumer-perf";
import { memorySampler, type BenchResult } from "./report";
import { quoteIdent } from "../server/db/sql";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Events per produce round, as server/sim/run-simulator.ts's produceEvents sends them. */
const PRODUCE_CHUNK = 10_000;
/** The aggregator is declared stuck when its committed count stops moving this long. */
const STALL_MS = 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * Simulated traffic ending before now and starting within the last week. Record timestamps are the
 * event times, and the broker rolls a segment whose timestamps span more than log.roll.ms (7 days)
 * and deletes closed segments whose newest record is older than log.retention.hours (168): neither
 * may happen under the measurement. Nothing after now either (the aggregator rejects the future).
 */
function simulatedRecords(total: number): Map<TopicName, ProducerRecord[]> {
  const now = Date.now();
  const startMs = Math.floor(now / DAY_MS) * DAY_MS - 5 * DAY_MS;
  // ~2 events per user per simulated day once signups have settled: N events in 2–3 days.
  const sim = createSimulator({ seed: 7, catalog: generateCatalog(7), startMs, users: Math.max(10_000, Math.ceil(total / 5)) });
  const byTopic = new Map<TopicName, ProducerRecord[]>(VIEW_EVENT_TOPICS.map((t) => [t, []]));
  let n = 0;
  for (let from = startMs; n < total; from += HOUR_MS) {
    if (from + HOUR_MS > now) throw new Error(`the simulator produced only ${n} of ${total} events before now`);
    for (const e of sim.eventsBetween(from, from + HOUR_MS)) {
      if (n === total) break;
      byTopic.get(topicForEventType(e.event_type))!.push({ key: e.user_id, value: encodeViewEvent(e), timestamp: Date.parse(e.event_time) });
      n++;
    }
  }
  return byTopic;
}

export async function benchIngestKafka(
  adminUrl: string,
  brokers: string[],
  total = Number(process.env.BENCH_KAFKA_EVENTS ?? 500_000),
): Promise<BenchResult[]> {
  const runId = randomBytes(3).toString("hex");
  const prefix = `bench_${runId}.`;
  const connection: KafkaConnectionOptions = {
    brokers,
    clientId: `showrunner-bench-${runId}`,
    log: (entry) => logger.warn({ kafka: entry }, "kafka"),
  };
  try {
    await describeKafkaCluster({ ...connection, timeoutMs: 5_000 });
  } catch (err) {
    throw new Error(`Kafka broker unreachable at ${brokers.join(",")} (${(err as Error).message}): start it with \`npm run kafka:start\``);
  }
  const load1 = loadavg()[0]!;

  const dbName = `bench_kafka_${runId}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${quoteIdent(dbName)}`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  let pool: pg.Pool | null = null;
  const log = withTopicPrefix(createKafkaLog(connection), prefix);
  let aggregator: Aggregator | null = null;

  try {
    await applyMigrations(url.toString());
    pool = createPool(url.toString());
    await log.ensureTopics(VIEW_EVENT_TOPICS.map((topic) => ({ topic, partitions: LOCAL_PARTITIONS[topic] })));

    // Input: simulated traffic encoded in the wire format, keyed by user id (not timed).
    let input: Map<TopicName, ProducerRecord[]> | null = simulatedRecords(total);
    const perTopic = new Map([...input].map(([t, rs]) => [t, rs.length]));
    const inputMb = sum([...input.values()].flatMap((rs) => rs.map((r) => Buffer.byteLength(r.key) + Buffer.byteLength(r.value)))) / 2 ** 20;

    // 1. Producer: the product's (idempotent, acks=all, one request in flight, LZ4), fed as the
    //    simulator feeds it: rounds of 10,000 events, the topics of a round sent concurrently.
    const cursors = new Map<TopicName, number>(VIEW_EVENT_TOPICS.map((t) => [t, 0]));
    let t0 = performance.now();
    for (let sent = 0; sent < total; ) {
      const round: Promise<void>[] = [];
      for (const [topic, records] of input) {
        // Each topic's share of the round, in proportion to its volume.
        const at = cursors.get(topic)!;
        const take = Math.ceil((PRODUCE_CHUNK * records.length) / total);
        const chunk = records.slice(at, at + take);
        if (chunk.length === 0) continue;
        cursors.set(topic, at + chunk.length);
        sent += chunk.length;
        round.push(log.produce(topic, chunk));
      }
      await Promise.all(round);
    }
    const produceSeconds = (performance.now() - t0) / 1000;
    input = null; // released before the aggregator runs, so its peak memory is mostly its own

    const ends = new Map<TopicName, TopicPartitionOffset[]>();
    for (const topic of VIEW_EVENT_TOPICS) {
      const [end, start] = await Promise.all([log.endOffsets(topic), log.startOffsets(topic)]);
      const held = sum(end.map((e, i) => e.offset - start[i]!.offset));
      if (held !== perTopic.get(topic)) throw new Error(`${topic} holds ${held} records, ${perTopic.get(topic)} were produced`);
      ends.set(topic, end);
    }

    // 2. Baseline: ConsumerPerformance reads every message of each topic, largest first.
    const perf: ConsumerPerfResult[] = [];
    for (const topic of [...VIEW_EVENT_TOPICS].sort((a, b) => perTopic.get(b)! - perTopic.get(a)!)) {
      perf.push(
        await runConsumerPerf({ brokers, topic: `${prefix}${topic}`, messages: perTopic.get(topic)!, group: `${prefix}perf.${topic}` }),
      );
    }
    const perfSeconds = sum(perf.map((p) => p.seconds));
    const perfJoinSeconds = sum(perf.map((p) => p.rebalanceMs)) / 1000;
    const perfRate = total / perfSeconds;
    const watchPerf = perf.find((p) => p.topic === `${prefix}watch_events`)!;

    // 3. Measured: the aggregator from the earliest offset until every stored offset is at the end.
    const groupId = CONSUMER_GROUPS.aggregator; // the prefixed log prefixes it on the broker
    const target = [...ends.values()].flat().filter((o) => o.offset > 0);
    aggregator = createAggregator({ log, pool, logger, groupId });
    const agg = aggregator;
    (globalThis as { gc?: () => void }).gc?.(); // under node --expose-gc: start from a collected heap
    const before = process.memoryUsage();
    const memory = memorySampler();
    t0 = performance.now();
    const crashed = agg.crashed.then(() => undefined);
    crashed.catch(() => undefined); // a crash while stopping, after the race, is not unhandled
    await Promise.race([agg.start(), crashed]);
    let lastCounted = -1;
    let lastMove = performance.now();
    for (;;) {
      const stats = agg.stats();
      if (target.every((o) => (stats.committed[`${o.topic}/${o.partition}`] ?? 0) >= o.offset)) break;
      if (stats.counted !== lastCounted) {
        lastCounted = stats.counted;
        lastMove = performance.now();
      } else if (performance.now() - lastMove > STALL_MS) {
        throw new Error(`aggregator stalled at ${stats.counted} of ${total} events`);
      }
      await Promise.race([sleep(5), crashed]);
    }
    const aggSeconds = (performance.now() - t0) / 1000;
    const peak = memory.stop();
    const stats = agg.stats();
    await agg.stop();
    aggregator = null;
    const aggRate = total / aggSeconds;

    // 4. The figure is only worth something if everything was counted, once, and stored.
    const { rows: stored } = await pool.query<{ topic: string; partition: number; next_offset: number }>(
      "SELECT topic, partition, next_offset FROM consumer_offset WHERE group_id = $1",
      [groupId],
    );
    for (const o of target) {
      const row = stored.find((r) => r.topic === o.topic && r.partition === o.partition);
      if (row?.next_offset !== o.offset) throw new Error(`stored offset of ${o.topic}/${o.partition} is ${row?.next_offset}, end is ${o.offset}`);
    }
    const check = await pool.query<{ n: number }>("SELECT coalesce(sum(events), 0)::bigint AS n FROM minute_stat");
    if (Number(check.rows[0]!.n) !== total) throw new Error(`minute_stat counts ${check.rows[0]!.n} of ${total} events`);
    if (stats.counted !== total || stats.deadLettered !== 0) {
      throw new Error(`aggregator counted ${stats.counted} and dead-lettered ${stats.deadLettered} of ${total} events`);
    }

    const topicsLine = VIEW_EVENT_TOPICS.map((t) => `${t} ${perTopic.get(t)!.toLocaleString("en")}/${LOCAL_PARTITIONS[t]}p`).join(", ");
    return [
      {
        name: `Kafka produce, ${total.toLocaleString("en")} events (idempotent, acks=all, LZ4)`,
        value: total / produceSeconds,
        unit: "events/s",
        notes: `${produceSeconds.toFixed(1)} s, ${(inputMb / produceSeconds).toFixed(1)} MB/s of keys + JSON; ${topicsLine}`,
      },
      {
        name: `Kafka ingest, ${total.toLocaleString("en")} events → committed aggregates`,
        value: aggRate,
        unit: "events/s",
        baseline: { name: "ConsumerPerformance (Java) reading the same topics", value: perfRate },
        target: "≥ 0.5× Kafka's own consumer",
        ok: aggRate >= 0.5 * perfRate,
        notes:
          `${aggSeconds.toFixed(1)} s, ${stats.batches} exactly-once transactions; baseline ${perfSeconds.toFixed(1)} s for the ` +
          `${perf.length} topics one after another, incl. ${perfJoinSeconds.toFixed(1)} s of group joins (watch_events alone ` +
          `${Math.round(watchPerf.msgPerSec).toLocaleString("en")} msg/s); load avg ${load1.toFixed(2)} at start`,
      },
      {
        name: "Kafka ingest, peak memory",
        value: peak.rssMb,
        unit: "MB RSS",
        notes:
          `while aggregating; peak heap ${peak.heapMb.toFixed(0)} MB; at its start RSS ${(before.rss / 2 ** 20).toFixed(0)} MB, ` +
          `heap ${(before.heapUsed / 2 ** 20).toFixed(0)} MB (the ${inputMb.toFixed(0)} MB input released, maybe not yet collected)`,
      },
    ];
  } finally {
    await aggregator?.stop().catch(() => undefined);
    await log.close().catch(() => undefined);
    await deleteKafkaTopics(connection, VIEW_EVENT_TOPICS.map((t) => `${prefix}${t}`)).catch((err: unknown) =>
      logger.warn({ err, prefix }, "could not delete the bench topics"),
    );
    await pool?.end();
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(dbName)} WITH (FORCE)`);
    await admin.end();
  }
}
