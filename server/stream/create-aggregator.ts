import { CONSUMER_GROUPS, VIEW_EVENT_TOPICS } from "../../lib/config/topics";
import { parseViewEvent, type ParsedEvent } from "../../lib/events/view-event";
import type pg from "pg";
import { withTransaction } from "../db/pool";
import type { Logger } from "../logger";
import type { EventLog, LogBatch, TopicPartition, TopicPartitionOffset } from "../log/types";
import { createHealthReporter, isTransientStorageError, type ProcessorHealthReport } from "./processor-health";
import { foldUnderFloor, loadReplayFloor, type ReplayFloor } from "./replay-aggregates";
import {
  addCounters,
  loadUserStates,
  lockStoredOffset,
  OffsetConflictError,
  storeOffset,
  writeDeadLetters,
  writeIncrements,
  type DeadLetterRow,
} from "./write-batch";

export interface AggregatorDeps {
  log: EventLog;
  /** Pool for the ingest transactions. */
  pool: pg.Pool;
  logger: Logger;
  /** Processing clock, epoch ms (bounds "absurd future" timestamps). */
  clock?: () => number;
  groupId?: string;
  topics?: readonly string[];
  maxBatchSize?: number;
  /** Partitions processed at once, each in its own transaction. */
  concurrency?: number;
  /** Called after a batch commits, with its valid events that had not been counted before. */
  onCommitted?: (events: ParsedEvent[], summary: BatchSummary) => void;
  /**
   * Attempts per batch before the aggregator gives up and crashes (a supervisor restarts it). Storage
   * errors that pass (Postgres restarting, disk full, a deadlock) are retried for as long as they last
   * and reported as the processor's health instead (processor-health.ts).
   */
  maxAttempts?: number;
}

export interface BatchSummary {
  topic: string;
  partition: number;
  nextOffset: number;
  counted: number;
  deadLettered: number;
  /** Messages at offsets already counted before (a replayed batch). */
  skipped: number;
}

export interface AggregatorStats {
  counted: number;
  deadLettered: number;
  skipped: number;
  batches: number;
  retries: number;
  /** Next offset committed per "topic/partition". */
  committed: Record<string, number>;
}

export interface Aggregator {
  start(): Promise<void>;
  stop(): Promise<void>;
  stats(): AggregatorStats;
  /** Whether batches are committing; also written to Postgres for the pipeline page. */
  health(): ProcessorHealthReport;
  /** Rejects if the aggregator crashed. */
  readonly crashed: Promise<never>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The stream processor: consumes view events, validates each, and commits every batch's aggregate
 * increments, dead letters and next offset in ONE Postgres transaction. On assignment it resumes
 * from the stored offsets, and inside a batch it skips offsets already stored, so a crash or a
 * redelivery anywhere can replay a batch but never count it twice.
 */
export function createAggregator(deps: AggregatorDeps): Aggregator {
  const groupId = deps.groupId ?? CONSUMER_GROUPS.aggregator;
  const topics = deps.topics ?? VIEW_EVENT_TOPICS;
  const clock = deps.clock ?? Date.now;
  const maxAttempts = deps.maxAttempts ?? 10;
  const log = deps.logger.child({ component: "aggregator", groupId });
  const consumer = deps.log.createConsumer({
    groupId,
    topics,
    maxBatchSize: deps.maxBatchSize ?? 5_000,
    // Node folds one batch while Postgres writes another.
    partitionsConsumedConcurrently: deps.concurrency ?? 2,
  });
  const stats: AggregatorStats = { counted: 0, deadLettered: 0, skipped: 0, batches: 0, retries: 0, committed: {} };
  /** Set by `npm run replay -- --from T`; replays only happen while no processor runs. */
  let floor: ReplayFloor | null = null;
  const health = createHealthReporter({ pool: deps.pool, groupId, logger: log });

  /**
   * Where to resume: the offsets stored with the aggregates. A partition with none starts at the
   * log's start, never at the group's Kafka-committed offset: Postgres is the source of truth, and a
   * fresh database paired with an old group must not skip what it never counted.
   */
  async function onAssign(partitions: TopicPartition[]): Promise<TopicPartitionOffset[]> {
    floor = await loadReplayFloor(deps.pool, groupId);
    const topicsAssigned = [...new Set(partitions.map((p) => p.topic))];
    const [{ rows }, starts] = await Promise.all([
      deps.pool.query<{ topic: string; partition: number; next_offset: number }>(
        "SELECT topic, partition, next_offset FROM consumer_offset WHERE group_id = $1 AND topic = ANY($2::text[])",
        [groupId, topicsAssigned],
      ),
      Promise.all(topicsAssigned.map((t) => deps.log.startOffsets(t))).then((o) => o.flat()),
    ]);
    const stored = new Map(rows.map((r) => [`${r.topic}/${r.partition}`, r.next_offset]));
    const start = new Map(starts.map((o) => [`${o.topic}/${o.partition}`, o.offset]));
    log.info({ partitions: partitions.length, stored: stored.size }, "partitions assigned; resuming from stored offsets");
    return partitions.map(({ topic, partition }) => ({
      topic,
      partition,
      offset: stored.get(`${topic}/${partition}`) ?? start.get(`${topic}/${partition}`) ?? 0,
    }));
  }

  /** One attempt: everything in one transaction. Returns null when the whole batch was counted before. */
  async function commitBatch(batch: LogBatch): Promise<{ events: ParsedEvent[]; summary: BatchSummary } | null> {
    const { topic, partition } = batch;
    return withTransaction(deps.pool, async (tx) => {
        const stored = await lockStoredOffset(tx, groupId, topic, partition);
        const fresh = stored === null ? batch.messages : batch.messages.filter((m) => m.offset >= stored);
        if (fresh.length === 0) return null;

        const now = clock();
        const events: ParsedEvent[] = [];
        const dead: DeadLetterRow[] = [];
        // Events below a replay floor's `until` (a prefix of the batch) were counted before if their day precedes it.
        const until = floor?.until[`${topic}/${partition}`] ?? -1;
        let replayed = 0;
        for (const m of fresh) {
          const parsed = parseViewEvent(m.value, now);
          if (parsed.ok) {
            events.push(parsed.event);
            if (m.offset < until) replayed++;
          } else dead.push({ topic, partition, offset: m.offset, key: m.key, raw: m.value, reason: parsed.reason });
        }

        const userIds = [...new Set(events.filter((e) => e.type === "watch").map((e) => e.userId))];
        const { increments, counted } = foldUnderFloor(events, replayed, await loadUserStates(tx, userIds), floor?.fromDay ?? "");
        for (const inc of increments) await writeIncrements(tx, inc);
        await writeDeadLetters(tx, groupId, dead);
        await addCounters(tx, groupId, { counted: counted.length, dead_lettered: dead.length });
        const nextOffset = fresh[fresh.length - 1]!.offset + 1;
        await storeOffset(tx, groupId, topic, partition, stored, nextOffset);
        return {
          events: counted,
          summary: {
            topic,
            partition,
            nextOffset,
            counted: counted.length,
            deadLettered: dead.length,
            skipped: batch.messages.length - fresh.length,
          },
        };
    });
  }

  async function eachBatch(batch: LogBatch): Promise<void> {
    const partition = `${batch.topic}/${batch.partition}`;
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await commitBatch(batch);
        health.succeeded(partition);
        stats.batches++;
        if (result) {
          const { summary } = result;
          stats.counted += summary.counted;
          stats.deadLettered += summary.deadLettered;
          stats.skipped += summary.skipped;
          stats.committed[`${summary.topic}/${summary.partition}`] = summary.nextOffset;
          if (summary.deadLettered > 0) log.warn({ ...summary }, "dead-lettered malformed events");
          deps.onCommitted?.(result.events, summary);
          await consumer.commit([{ topic: summary.topic, partition: summary.partition, offset: summary.nextOffset }]);
        } else {
          stats.skipped += batch.messages.length;
        }
        await batch.heartbeat();
        return;
      } catch (err) {
        // A partition that moved to another consumer is theirs now: drop the batch, they will count it
        // (and report on it).
        if (!batch.isRunning()) {
          health.forget(partition);
          return;
        }
        const transient = isTransientStorageError(err) || err instanceof OffsetConflictError;
        if (attempt >= maxAttempts && !transient) {
          log.error({ err, topic: batch.topic, partition: batch.partition, attempt }, "batch failed; giving up");
          throw err;
        }
        health.failed(partition, err, attempt);
        stats.retries++;
        const delay = Math.min(200 * 2 ** (attempt - 1), 10_000);
        const code = (err as { code?: unknown }).code;
        log.warn({ err: (err as Error).message, code, topic: batch.topic, partition: batch.partition, attempt, delay }, "batch failed; retrying");
        await sleep(delay);
        await batch.heartbeat().catch(() => undefined);
      }
    }
  }

  return {
    start: () => consumer.run({ onAssign, eachBatch }),
    stop: async () => {
      await consumer.stop();
      await health.close();
    },
    stats: () => ({ ...stats, committed: { ...stats.committed } }),
    health: () => health.current(),
    crashed: consumer.crashed,
  };
}
