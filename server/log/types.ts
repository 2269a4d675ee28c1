/**
 * The event log as the rest of the server sees it: Kafka's model, reduced to what we use.
 * Topics have partitions; a record's key (the user id) picks its partition, so one user's events
 * stay ordered. Offsets are per partition and a committed offset is the NEXT offset to read.
 * Two implementations: `memory-log.ts` (zero-setup default) and `kafka-log.ts` (production).
 */

export interface ProducerRecord {
  /** Partitioning key: the user id for view events. */
  key: string;
  value: string | Buffer;
  /** Epoch ms; defaults to append time. */
  timestamp?: number;
}

export interface LogMessage {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: Buffer | null;
  /** Epoch ms, the producer's or the append time. */
  timestamp: number;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface TopicPartitionOffset extends TopicPartition {
  /** The next offset to read. */
  offset: number;
}

export interface LogBatch extends TopicPartition {
  messages: LogMessage[];
  /** Keeps group membership alive inside long batches (Kafka); a no-op in memory. */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or lost the partition: finish or abandon the batch. */
  isRunning(): boolean;
}

export interface ConsumerHandlers {
  /**
   * Called when partitions are assigned, before any batch of them is delivered. Returns where to
   * start for those partitions the caller tracks itself (exactly-once: offsets stored with the
   * aggregates); partitions left out start at the group's committed offset, else the earliest.
   */
  onAssign?(partitions: TopicPartition[]): Promise<TopicPartitionOffset[]>;
  onRevoke?(partitions: TopicPartition[]): Promise<void>;
  /** Delivers messages of one partition in offset order. A throw stops the consumer (fail loudly). */
  eachBatch(batch: LogBatch): Promise<void>;
}

export interface LogConsumer {
  /** Joins the group and delivers batches until `stop()`. Resolves once consuming has started. */
  run(handlers: ConsumerHandlers): Promise<void>;
  /** Kafka-side commit; advisory when offsets are stored with the aggregates. */
  commit(offsets: TopicPartitionOffset[]): Promise<void>;
  /** Leaves the group after the batch in flight finishes. */
  stop(): Promise<void>;
  /** Rejects once the consumer crashed (a handler threw, the broker gave up). */
  readonly crashed: Promise<never>;
}

export interface ConsumerOptions {
  groupId: string;
  topics: readonly string[];
  /** Upper bound of messages per delivered batch. */
  maxBatchSize?: number;
  /** Batches of different partitions handled at once (never two of one partition). Default 1. */
  partitionsConsumedConcurrently?: number;
}

export interface EventLog {
  readonly kind: "memory" | "kafka";
  /** Appends records; resolves once the log has them (acks=all in Kafka). */
  produce(topic: string, records: ProducerRecord[]): Promise<void>;
  createConsumer(options: ConsumerOptions): LogConsumer;
  /** Creates topics that do not exist yet; idempotent. */
  ensureTopics(topics: { topic: string; partitions: number }[]): Promise<void>;
  /** Per partition: the offset the next appended record will get (the high watermark). */
  endOffsets(topic: string): Promise<TopicPartitionOffset[]>;
  /** Per partition: the oldest offset still held. */
  startOffsets(topic: string): Promise<TopicPartitionOffset[]>;
  /**
   * Per partition: the earliest offset whose record timestamp is ≥ `timestampMs` (the end offset
   * where there is none), as Kafka's ListOffsets by time. For replay and for catching up live views.
   */
  offsetsForTime(topic: string, timestampMs: number): Promise<TopicPartitionOffset[]>;
  close(): Promise<void>;
}
