import { createRequire } from "node:module";
import kafkajs from "kafkajs";
import type {
  Admin,
  Consumer,
  EachBatchPayload,
  KafkaConfig,
  KafkaMessage,
  LogEntry,
  Producer,
  SASLOptions,
} from "kafkajs";
import type {
  ConsumerHandlers,
  ConsumerOptions,
  EventLog,
  LogConsumer,
  LogMessage,
  ProducerRecord,
  TopicPartition,
  TopicPartitionOffset,
} from "./types";

// kafkajs is CommonJS; its runtime exports are read off the default export under Node's ESM loader.
const { Kafka, CompressionTypes, CompressionCodecs, Partitioners, logLevel } = kafkajs;

/*
 * The only module that imports kafkajs (unmaintained since 2023): a successor client replaces this
 * file and nothing else.
 */

export interface KafkaLogEntry {
  level: "error" | "warn" | "info" | "debug";
  /** kafkajs component, e.g. "Consumer", "Connection". */
  namespace: string;
  message: string;
  extra: Record<string, unknown>;
}

export interface KafkaConnectionOptions {
  /** host:port of one or more brokers. */
  brokers: string[];
  clientId?: string;
  ssl?: boolean;
  sasl?: { mechanism: "plain" | "scram-sha-256" | "scram-sha-512"; username: string; password: string };
  /** Receives kafkajs's own log lines (warn and above). Unset → stderr. */
  log?: (entry: KafkaLogEntry) => void;
}

export interface KafkaLogOptions extends KafkaConnectionOptions {
  /** Record batch compression; LZ4 falls back to GZIP when the native codec cannot load. */
  compression?: "lz4" | "gzip" | "none";
  /**
   * Longest an idle fetch waits on the broker, ms. Also bounds how long an idle consumer takes to
   * notice a rebalance or to stop, since kafkajs heartbeats between fetches.
   */
  fetchMaxWaitMs?: number;
}

const RESTARTS_ALLOWED = 10;
const RESTART_WINDOW_MS = 5 * 60_000;

/** Kafka caps a record batch at message.max.bytes (1 MiB by default), after compression. */
const MAX_SEND_BYTES = 900_000;
/** Per-record overhead on top of key and value in the v2 record format, roughly. */
const RECORD_OVERHEAD_BYTES = 32;

const lz4Available = ((): boolean => {
  try {
    // Optional native codec: kafkajs has no built-in LZ4.
    const LZ4Codec = createRequire(import.meta.url)("@2l/kafkajs-lz4") as new () => { codec: () => unknown };
    (CompressionCodecs as Record<number, () => unknown>)[CompressionTypes.LZ4] = new LZ4Codec().codec;
    return true;
  } catch {
    return false;
  }
})();

function compressionType(choice: KafkaLogOptions["compression"]) {
  if (choice === "none") return CompressionTypes.None;
  if (choice === "gzip" || !lz4Available) return CompressionTypes.GZIP;
  return CompressionTypes.LZ4;
}

const LEVEL_NAMES: Record<number, KafkaLogEntry["level"]> = {
  [logLevel.ERROR]: "error",
  [logLevel.WARN]: "warn",
  [logLevel.INFO]: "info",
  [logLevel.DEBUG]: "debug",
};

/** Messages of kafkajs protocol errors that are part of normal operation (leader moves, rebalances). */
const ROUTINE_RESPONSE_ERRORS = new Set([
  "There is no leader for this topic-partition as we are in the middle of a leadership election",
  "This server is not the leader for that topic-partition",
  "The coordinator is loading and hence can't process requests for this group",
  "The group coordinator is not available",
  "The group is rebalancing, so a rejoin is needed",
]);

function consoleLog({ level, namespace, message, extra }: KafkaLogEntry) {
  console.error(`kafkajs ${level} [${namespace}] ${message}`, Object.keys(extra).length > 0 ? extra : "");
}

function kafkaConfig(options: KafkaConnectionOptions, overrides: Partial<KafkaConfig> = {}): KafkaConfig {
  const log = options.log ?? consoleLog;
  return {
    clientId: options.clientId ?? "showrunner",
    brokers: options.brokers,
    ssl: options.ssl ?? false,
    sasl: options.sasl as SASLOptions | undefined,
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const { message, timestamp: _timestamp, ...extra } = entry.log;
      // kafkajs logs every error response at ERROR, then retries or throws it to the caller anyway:
      // a leader still moving after topic creation or broker start is routine, not an error.
      if (entry.namespace === "Connection" && ROUTINE_RESPONSE_ERRORS.has(String(extra.error))) return;
      log({ level: LEVEL_NAMES[entry.level] ?? "info", namespace: entry.namespace, message, extra });
    },
    ...overrides,
  };
}

/** One metadata round trip; throws when no broker answers. Used by readiness checks. */
export async function describeKafkaCluster(
  options: KafkaConnectionOptions & { timeoutMs?: number },
): Promise<{ clusterId: string; brokers: { nodeId: number; host: string; port: number }[] }> {
  const timeout = options.timeoutMs ?? 2_000;
  const admin = new Kafka(
    kafkaConfig(options, {
      connectionTimeout: Math.min(timeout, 1_000),
      requestTimeout: timeout,
      retry: { retries: 0 },
    }),
  ).admin();
  try {
    await admin.connect();
    const { clusterId, brokers } = await admin.describeCluster();
    return { clusterId, brokers };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Deletes topics (tests and tools; the application never deletes). Unknown topics are ignored. */
export async function deleteKafkaTopics(options: KafkaConnectionOptions, topics: string[]): Promise<void> {
  if (topics.length === 0) return;
  const admin = new Kafka(kafkaConfig(options)).admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const doomed = topics.filter((t) => existing.has(t));
    if (doomed.length > 0) await admin.deleteTopics({ topics: doomed });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Errors of a partition whose leadership is still being set up (KRaft publishes metadata first). */
const SETTLING = new Set(["NOT_LEADER_FOR_PARTITION", "LEADER_NOT_AVAILABLE"]);

function errorType(err: unknown): string | undefined {
  for (let e = err as { type?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.type) return e.type;
  }
  return undefined;
}

/** kafkajs's admin gives up at once on these; right after topic creation they pass within ms. */
async function whileLeadersSettle<T>(fn: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!SETTLING.has(errorType(err) ?? "") || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, Math.min(50 * attempt, 500)));
    }
  }
}

const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

function toLogMessage(topic: string, partition: number, m: KafkaMessage): LogMessage {
  return {
    topic,
    partition,
    offset: Number(m.offset),
    key: m.key ? m.key.toString("utf8") : null,
    value: m.value,
    timestamp: Number(m.timestamp),
  };
}

/** A handler's own failure: not retriable, so kafkajs crashes at once instead of redelivering. */
class HandlerError extends Error {
  readonly retriable = false;
  constructor(original: unknown) {
    super(`eachBatch handler failed: ${original instanceof Error ? original.message : String(original)}`, {
      cause: original,
    });
    this.name = "HandlerError";
  }
}

/**
 * Kafka through kafkajs, behind the EventLog interface.
 *
 * Producer: idempotent, acks=all, one request in flight (per-partition order survives retries),
 * LZ4 record batches. Consumer: eager group rebalancing, manual commits, a new group starts at the
 * earliest offset; `onAssign` offsets are applied with `consumer.seek` and nothing fetched before
 * the seek took effect is delivered.
 */
export function createKafkaLog(options: KafkaLogOptions): EventLog {
  const kafka = new Kafka(kafkaConfig(options));
  const compression = compressionType(options.compression ?? "lz4");
  const consumers = new Set<LogConsumer>();
  let producer: Producer | null = null;
  let producerReady: Promise<Producer> | null = null;
  let admin: Admin | null = null;
  let adminReady: Promise<Admin> | null = null;
  let closed = false;

  function getProducer(): Promise<Producer> {
    producerReady ??= (async () => {
      producer = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        // murmur2 like the Java client (and memory-log.ts): a key maps to the same partition number.
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      return producer;
    })();
    producerReady.catch(() => (producerReady = null));
    return producerReady;
  }

  function getAdmin(): Promise<Admin> {
    adminReady ??= (async () => {
      admin = kafka.admin();
      await admin.connect();
      return admin;
    })();
    adminReady.catch(() => (adminReady = null));
    return adminReady;
  }

  async function topicOffsets(topic: string) {
    const a = await getAdmin();
    const offsets = await whileLeadersSettle(() => a.fetchTopicOffsets(topic));
    return offsets.sort((x, y) => x.partition - y.partition);
  }

  return {
    kind: "kafka",

    async produce(topic: string, records: ProducerRecord[]) {
      if (closed) throw new Error("log is closed");
      if (records.length === 0) return;
      const p = await getProducer();
      // Sequential sends in size-capped chunks: order per key is kept, no batch exceeds the broker cap.
      let start = 0;
      while (start < records.length) {
        let bytes = 0;
        let end = start;
        while (end < records.length && (end === start || bytes < MAX_SEND_BYTES)) {
          const r = records[end]!;
          bytes += Buffer.byteLength(r.key) + Buffer.byteLength(r.value) + RECORD_OVERHEAD_BYTES;
          end++;
        }
        await p.sendBatch({
          acks: -1,
          compression,
          topicMessages: [
            {
              topic,
              messages: records.slice(start, end).map((r) => ({
                key: r.key,
                value: r.value,
                timestamp: r.timestamp === undefined ? undefined : String(r.timestamp),
              })),
            },
          ],
        });
        start = end;
      }
    },

    createConsumer(consumerOptions: ConsumerOptions): LogConsumer {
      const consumer: LogConsumer = createKafkaConsumer(kafka, consumerOptions, options, () =>
        consumers.delete(consumer),
      );
      consumers.add(consumer);
      return consumer;
    },

    async ensureTopics(list) {
      if (list.length === 0) return;
      const a = await getAdmin();
      const existing = new Set(await a.listTopics());
      const missing = list.filter((t) => !existing.has(t.topic));
      if (missing.length > 0) {
        // Only missing topics: kafkajs skips waitForLeaders when any topic in the call already exists.
        await a.createTopics({
          // Replication factor left to the broker's default.replication.factor.
          topics: missing.map((t) => ({ topic: t.topic, numPartitions: t.partitions })),
          waitForLeaders: true,
        });
      }
      // Answering ListOffsets proves every partition is led (metadata can name a leader earlier);
      // also covers a topic another process created a moment ago.
      for (const { topic } of list) await topicOffsets(topic);
    },

    async endOffsets(topic) {
      return (await topicOffsets(topic)).map((o) => ({ topic, partition: o.partition, offset: Number(o.high) }));
    },

    async startOffsets(topic) {
      return (await topicOffsets(topic)).map((o) => ({ topic, partition: o.partition, offset: Number(o.low) }));
    },

    async offsetsForTime(topic, timestampMs) {
      const a = await getAdmin();
      const [byTime, ends] = await Promise.all([
        whileLeadersSettle(() => a.fetchTopicOffsetsByTimestamp(topic, timestampMs)),
        topicOffsets(topic),
      ]);
      // Kafka answers -1 where no record is that recent: start at the end then.
      return byTime
        .sort((x, y) => x.partition - y.partition)
        .map((o) => ({
          topic,
          partition: o.partition,
          offset: Number(o.offset) >= 0 ? Number(o.offset) : Number(ends.find((e) => e.partition === o.partition)?.high ?? 0),
        }));
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...consumers].map((c) => c.stop()));
      await Promise.allSettled([producerReady, adminReady]);
      await Promise.allSettled([producer?.disconnect(), admin?.disconnect()]);
    },
  };
}

function createKafkaConsumer(
  kafka: InstanceType<typeof Kafka>,
  options: ConsumerOptions,
  logOptions: KafkaLogOptions,
  onStopped: () => void,
): LogConsumer {
  const maxBatchSize = options.maxBatchSize;
  // kafkajs only asks this for retriable broker-side errors (a coordinator still loading after a
  // broker start, a broker restart); a handler's error is never retried. A few restarts ride those
  // out; more than RESTARTS_ALLOWED within RESTART_WINDOW_MS is a real outage: crash, loudly.
  const restarts: number[] = [];
  const allowRestart = (_err: Error): boolean => {
    const now = Date.now();
    while (restarts.length > 0 && now - restarts[0]! > RESTART_WINDOW_MS) restarts.shift();
    if (stopping || restarts.length >= RESTARTS_ALLOWED) return false;
    restarts.push(now);
    return true;
  };
  const warn = (message: string) => (logOptions.log ?? consoleLog)({ level: "warn", namespace: "showrunner", message, extra: { groupId: options.groupId } });

  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    maxWaitTimeInMs: logOptions.fetchMaxWaitMs ?? 500,
    // Room for one full batch per partition per fetch (kafkajs's default is 1 MiB).
    maxBytesPerPartition: 4 * 1024 * 1024,
    // A crash is final: the owner decides (fail loudly), kafkajs must not silently restart.
    retry: { restartOnFailure: async (err) => allowRestart(err) },
  });

  let handlers: ConsumerHandlers | null = null;
  let started = false;
  let stopping: Promise<void> | null = null;
  /** Bumped on every group join; a batch or assignment step of an older generation is void. */
  let generation = 0;
  /** Partitions handed to onAssign and not yet given back through onRevoke. */
  let owned: TopicPartition[] = [];
  /** Assignment step of the current generation: onRevoke, onAssign, seeks. Batches wait for it. */
  let ready: Promise<void> = Promise.resolve();
  /** Next offset to deliver per partition, when known: from onAssign, then from delivered batches. */
  const expected = new Map<string, number>();
  /** Handler calls running now: one per partition, several with partitionsConsumedConcurrently. */
  const inFlight = new Set<Promise<void>>();
  let lastHeartbeatError: unknown = null;
  let crashError: unknown = null;

  let rejectCrash!: (err: unknown) => void;
  const crashed = new Promise<never>((_, reject) => (rejectCrash = reject));
  crashed.catch(() => undefined); // observed by whoever awaits it; never unhandled

  function fail(err: unknown) {
    if (crashError) return;
    crashError = err;
    rejectCrash(err);
  }

  // A handler's error was recorded before kafkajs saw it; this catches the broker-side crashes.
  consumer.on(consumer.events.CRASH, (event) => {
    const { error, restart } = event.payload as { error: Error; restart: boolean };
    if (restart) warn(`consumer restarting after a retriable broker error: ${error.message}`);
    else fail(error);
  });

  // Runs synchronously inside kafkajs's join, before the fetch loop of the new generation starts,
  // so `ready` is replaced before any batch of the new assignment can reach eachBatch.
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    const memberAssignment = (event.payload as { memberAssignment: Record<string, number[]> }).memberAssignment;
    const next = Object.entries(memberAssignment)
      .flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })))
      .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
    const gen = ++generation;
    expected.clear();
    const prior = ready;
    ready = (async () => {
      await prior.catch(() => undefined);
      await Promise.allSettled([...inFlight]);
      // Eager rebalancing: every partition was given up, including those dealt back to us.
      const revoked = owned;
      owned = [];
      if (revoked.length > 0) await handlers?.onRevoke?.(revoked);
      if (gen !== generation || next.length === 0) return;
      const chosen = (await handlers?.onAssign?.(next)) ?? [];
      owned = next;
      if (gen !== generation || stopping) return;
      const mine = new Set(next.map((tp) => tpKey(tp.topic, tp.partition)));
      for (const { topic, partition, offset } of chosen) {
        const key = tpKey(topic, partition);
        if (!mine.has(key)) continue;
        // Applied by kafkajs at its next fetch; until then isStale() flags older batches.
        consumer.seek({ topic, partition, offset: String(offset) });
        expected.set(key, offset);
      }
    })();
    ready.catch((err) => {
      fail(err);
      void stopConsumer();
    });
  });

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, isStale } = payload;
    const gen = generation;
    try {
      await ready;
    } catch (err) {
      throw new HandlerError(err); // onAssign/onRevoke failed: already reported through `crashed`
    }
    if (gen !== generation || !payload.isRunning() || isStale()) return; // predates a rebalance or seek
    const { topic, partition } = batch;
    const key = tpKey(topic, partition);
    const want = expected.get(key);
    const fetchedOffset = Number((batch as unknown as { fetchedOffset: string }).fetchedOffset);
    let messages = batch.messages;
    if (want !== undefined && fetchedOffset < want) {
      // Fetched from an older position than the seek: skip what precedes it.
      messages = messages.filter((m) => Number(m.offset) >= want);
      if (messages.length === 0) {
        resolveOffset(String(want - 1));
        return;
      }
    }
    // fetchedOffset > want happens only when `want` fell out of retention (Kafka resets to earliest).

    let lost = false;
    const heartbeat = async () => {
      try {
        await payload.heartbeat();
      } catch (err) {
        lost = true;
        lastHeartbeatError = err;
        throw err;
      }
    };
    const isRunning = () => !lost && !stopping && gen === generation && payload.isRunning() && !isStale();

    const size = maxBatchSize && maxBatchSize > 0 ? maxBatchSize : messages.length;
    for (let i = 0; i < messages.length; i += size) {
      if (i > 0 && !isRunning()) return;
      const chunk = messages.slice(i, i + size);
      const delivered = chunk.map((m) => toLogMessage(topic, partition, m));
      const call = handlers!.eachBatch({ topic, partition, messages: delivered, heartbeat, isRunning });
      inFlight.add(call);
      try {
        await call;
      } catch (err) {
        // A rebalance seen by heartbeat() passes through so kafkajs rejoins; anything else is fatal.
        if (err === lastHeartbeatError && err !== null) throw err;
        fail(err);
        throw new HandlerError(err);
      } finally {
        inFlight.delete(call);
      }
      if (gen !== generation) return;
      const last = chunk[chunk.length - 1]!.offset;
      // The batch's final offset maps to batch.lastOffset(), which also skips trailing control records.
      resolveOffset(last);
      const isFinal = i + size >= messages.length;
      expected.set(key, Number(isFinal ? batch.lastOffset() : last) + 1);
    }
  }

  async function stopConsumer(): Promise<void> {
    stopping ??= (async () => {
      // Waits for the batch in flight, then leaves the group.
      await consumer.disconnect();
      await ready.catch(() => undefined);
      const revoked = owned;
      owned = [];
      onStopped();
      if (revoked.length > 0 && !crashError) await handlers?.onRevoke?.(revoked);
    })();
    return stopping;
  }

  return {
    crashed,

    async run(h: ConsumerHandlers) {
      if (started) throw new Error("consumer is already running");
      started = true;
      handlers = h;
      await consumer.connect();
      await consumer.subscribe({ topics: [...options.topics], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        // kafkajs waits for every batch of a fetch before the next one: handling partitions in
        // parallel is what overlaps one batch's fold with another's Postgres writes.
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
        eachBatch,
      });
      await ready;
      if (crashError) throw crashError;
    },

    async commit(offsets: TopicPartitionOffset[]) {
      if (offsets.length === 0) return;
      await consumer.commitOffsets(
        offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })),
      );
    },

    stop: stopConsumer,
  };
}
