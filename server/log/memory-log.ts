import { createRequire } from "node:module";
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

// Kafka's own key hash (murmur2, as the Java client), so a user lands on the same partition number
// in memory and on a real broker with the same partition count.
const murmur2 = createRequire(import.meta.url)("kafkajs/src/producer/partitioners/default/murmur2") as (
  key: string | Buffer,
) => number;

export function partitionForKey(key: string, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}

interface Partition {
  /** Offset of messages[0]: older messages were dropped by retention. */
  startOffset: number;
  messages: LogMessage[];
}

interface GroupMember {
  readonly topics: string[];
  /** Finishes the batch in flight and gives up every partition. */
  revokeAll(): Promise<void>;
  assign(partitions: TopicPartition[]): Promise<void>;
}

interface Group {
  members: GroupMember[];
  committed: Map<string, number>;
  /** Set while partitions move between members; no batch starts until it settles. */
  rebalancing: Promise<void> | null;
}

const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export interface MemoryLogOptions {
  /**
   * Messages kept per partition before the oldest are dropped, like Kafka's retention. A consumer
   * whose position fell behind the start resumes at the start, as with auto.offset.reset=earliest.
   */
  retentionPerPartition?: number;
  /**
   * Where each partition's offsets begin. After a restart the zero-setup mode starts the log where
   * the stored consumer offsets left off, as if retention had removed everything before them.
   */
  initialOffsets?: TopicPartitionOffset[];
}

/**
 * The in-process event log of the zero-setup default: Kafka's semantics (keyed partitions,
 * per-partition offsets, consumer groups sharing partitions, independent groups) without a broker.
 * Messages live in memory only.
 */
export function createMemoryLog(options: MemoryLogOptions = {}): EventLog {
  const retention = options.retentionPerPartition ?? 500_000;
  const topics = new Map<string, Partition[]>();
  const groups = new Map<string, Group>();
  let wake: (() => void) | null = null;
  let wakeSignal: Promise<void> = new Promise((resolve) => (wake = resolve));
  let closed = false;

  function notify() {
    const resolve = wake;
    wakeSignal = new Promise((r) => (wake = r));
    resolve?.();
  }

  function partitionsOf(topic: string): Partition[] {
    const parts = topics.get(topic);
    if (!parts) throw new Error(`unknown topic "${topic}": create it with ensureTopics first`);
    return parts;
  }

  function groupOf(groupId: string): Group {
    let group = groups.get(groupId);
    if (!group) {
      group = { members: [], committed: new Map(), rebalancing: null };
      groups.set(groupId, group);
    }
    return group;
  }

  /** Eager rebalance: every member finishes its batch and drops its partitions, then all are dealt anew. */
  function rebalance(group: Group): Promise<void> {
    const previous = group.rebalancing ?? Promise.resolve();
    const next = previous.then(async () => {
      await Promise.all(group.members.map((m) => m.revokeAll()));
      const all = [...new Set(group.members.flatMap((m) => m.topics))]
        .sort()
        .flatMap((topic) => partitionsOf(topic).map((_, partition) => ({ topic, partition })));
      const shares = new Map<GroupMember, TopicPartition[]>(group.members.map((m) => [m, []]));
      // Round-robin over members subscribed to each topic, like Kafka's RoundRobinAssigner.
      let turn = 0;
      for (const tp of all) {
        const eligible = group.members.filter((m) => m.topics.includes(tp.topic));
        if (eligible.length === 0) continue;
        shares.get(eligible[turn++ % eligible.length]!)!.push(tp);
      }
      await Promise.all(group.members.map((m) => m.assign(shares.get(m) ?? [])));
    });
    group.rebalancing = next;
    void next.finally(() => {
      if (group.rebalancing === next) group.rebalancing = null;
    });
    return next;
  }

  class MemoryConsumer implements LogConsumer, GroupMember {
    readonly topics: string[];
    private readonly group: Group;
    private handlers: ConsumerHandlers | null = null;
    private running = false;
    private assigned: TopicPartition[] = [];
    private readonly positions = new Map<string, number>();
    /** Batches being handled, by partition: at most one per partition, `concurrency` in all. */
    private readonly inFlight = new Map<string, Promise<void>>();
    private cursor = 0;
    private loopDone: Promise<void> | null = null;
    private rejectCrash!: (err: unknown) => void;
    readonly crashed: Promise<never>;

    constructor(private readonly options: ConsumerOptions) {
      this.topics = [...options.topics];
      for (const t of this.topics) partitionsOf(t);
      this.group = groupOf(options.groupId);
      this.crashed = new Promise<never>((_, reject) => (this.rejectCrash = reject));
      this.crashed.catch(() => undefined); // observed by whoever awaits it; never unhandled
    }

    async run(handlers: ConsumerHandlers): Promise<void> {
      if (this.running) throw new Error("consumer is already running");
      this.handlers = handlers;
      this.running = true;
      this.group.members.push(this);
      await rebalance(this.group);
      this.loopDone = this.loop();
    }

    async revokeAll(): Promise<void> {
      await Promise.all(this.inFlight.values());
      const revoked = this.assigned;
      this.assigned = [];
      this.positions.clear();
      if (revoked.length > 0) await this.handlers?.onRevoke?.(revoked);
    }

    async assign(partitions: TopicPartition[]): Promise<void> {
      this.assigned = partitions;
      if (partitions.length === 0) return;
      const chosen = (await this.handlers?.onAssign?.(partitions)) ?? [];
      const byKey = new Map(chosen.map((c) => [tpKey(c.topic, c.partition), c.offset]));
      for (const { topic, partition } of partitions) {
        const key = tpKey(topic, partition);
        const p = partitionsOf(topic)[partition]!;
        const wanted = byKey.get(key) ?? this.group.committed.get(key) ?? p.startOffset;
        this.positions.set(key, Math.max(wanted, p.startOffset));
      }
    }

    private nextBatch(): { tp: TopicPartition; messages: LogMessage[] } | null {
      const max = this.options.maxBatchSize ?? 5_000;
      for (let i = 0; i < this.assigned.length; i++) {
        const tp = this.assigned[(this.cursor + i) % this.assigned.length]!;
        const key = tpKey(tp.topic, tp.partition);
        if (this.inFlight.has(key)) continue;
        const part = partitionsOf(tp.topic)[tp.partition]!;
        let pos = this.positions.get(key)!;
        if (pos < part.startOffset) pos = part.startOffset; // fell behind retention
        const end = part.startOffset + part.messages.length;
        if (pos >= end) continue;
        this.cursor = (this.cursor + i + 1) % this.assigned.length;
        const from = pos - part.startOffset;
        return { tp, messages: part.messages.slice(from, from + max) };
      }
      return null;
    }

    private async loop(): Promise<void> {
      const concurrency = this.options.partitionsConsumedConcurrently ?? 1;
      while (this.running && !closed) {
        if (this.group.rebalancing) {
          await Promise.all(this.inFlight.values());
          await this.group.rebalancing;
          continue;
        }
        while (this.inFlight.size < concurrency) {
          const next = this.nextBatch();
          if (!next) break;
          this.deliver(next.tp, next.messages);
        }
        // Wake when a batch finishes (a slot frees up) or new messages arrive.
        await Promise.race([wakeSignal, ...this.inFlight.values()]);
        // Let I/O callbacks (HTTP, sockets) run between batches of an all-in-memory backlog.
        await new Promise((resolve) => setImmediate(resolve));
      }
      await Promise.all(this.inFlight.values());
    }

    private deliver(tp: TopicPartition, messages: LogMessage[]): void {
      const key = tpKey(tp.topic, tp.partition);
      const batch = {
        ...tp,
        messages,
        heartbeat: async () => undefined,
        isRunning: () => this.running && this.assigned.includes(tp),
      };
      const done = this.handlers!.eachBatch(batch).then(
        () => {
          this.positions.set(key, messages[messages.length - 1]!.offset + 1);
        },
        (err: unknown) => {
          if (!this.running) return;
          this.running = false;
          this.rejectCrash(err);
          notify();
          void this.leave();
        },
      );
      this.inFlight.set(
        key,
        done.finally(() => this.inFlight.delete(key)),
      );
    }

    async commit(offsets: TopicPartitionOffset[]): Promise<void> {
      for (const o of offsets) this.group.committed.set(tpKey(o.topic, o.partition), o.offset);
    }

    private async leave(): Promise<void> {
      const i = this.group.members.indexOf(this);
      if (i >= 0) {
        this.group.members.splice(i, 1);
        await this.revokeAll();
        await rebalance(this.group);
      }
    }

    async stop(): Promise<void> {
      if (!this.running) return;
      this.running = false;
      notify();
      await this.loopDone;
      await this.leave();
    }
  }

  return {
    kind: "memory",

    async ensureTopics(list) {
      for (const { topic, partitions } of list) {
        if (topics.has(topic)) continue;
        const parts: Partition[] = [];
        for (let i = 0; i < partitions; i++) {
          const initial = options.initialOffsets?.find((o) => o.topic === topic && o.partition === i);
          parts.push({ startOffset: initial?.offset ?? 0, messages: [] });
        }
        topics.set(topic, parts);
      }
    },

    async produce(topic: string, records: ProducerRecord[]) {
      if (closed) throw new Error("log is closed");
      const parts = partitionsOf(topic);
      const now = Date.now();
      for (const r of records) {
        const partition = partitionForKey(r.key, parts.length);
        const p = parts[partition]!;
        p.messages.push({
          topic,
          partition,
          offset: p.startOffset + p.messages.length,
          key: r.key,
          value: typeof r.value === "string" ? Buffer.from(r.value) : r.value,
          timestamp: r.timestamp ?? now,
        });
        if (p.messages.length > retention) {
          const drop = p.messages.length - retention;
          p.messages.splice(0, drop);
          p.startOffset += drop;
        }
      }
      notify();
    },

    createConsumer(consumerOptions: ConsumerOptions) {
      return new MemoryConsumer(consumerOptions);
    },

    async endOffsets(topic) {
      return partitionsOf(topic).map((p, partition) => ({ topic, partition, offset: p.startOffset + p.messages.length }));
    },

    async startOffsets(topic) {
      return partitionsOf(topic).map((p, partition) => ({ topic, partition, offset: p.startOffset }));
    },

    async offsetsForTime(topic, timestampMs) {
      return partitionsOf(topic).map((p, partition) => {
        const i = p.messages.findIndex((m) => m.timestamp >= timestampMs);
        return { topic, partition, offset: p.startOffset + (i === -1 ? p.messages.length : i) };
      });
    },

    async close() {
      closed = true;
      notify();
    },
  };
}
