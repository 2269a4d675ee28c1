import type { EventLog, LogBatch, TopicPartition } from "./types";

/**
 * The same log with every topic name and consumer group id prefixed on the broker (e.g.
 * `ci_7f3a.watch_events`, `ci_7f3a.showrunner-aggregator`), so tests and tenants can share one
 * Kafka cluster. Callers keep using the plain names from lib/config. Groups are prefixed too: one
 * group shared across prefixes would rebalance them together, and kafkajs's assigner deals every
 * member partitions of every topic any member subscribes to, including another prefix's.
 */
export function withTopicPrefix(log: EventLog, prefix: string): EventLog {
  if (!prefix) return log;
  const to = (topic: string) => `${prefix}${topic}`;
  const from = (topic: string) => (topic.startsWith(prefix) ? topic.slice(prefix.length) : topic);
  const unprefix = <T extends TopicPartition>(o: T): T => ({ ...o, topic: from(o.topic) });
  return {
    kind: log.kind,
    produce: (topic, records) => log.produce(to(topic), records),
    ensureTopics: (list) => log.ensureTopics(list.map((t) => ({ ...t, topic: to(t.topic) }))),
    endOffsets: async (topic) => (await log.endOffsets(to(topic))).map(unprefix),
    startOffsets: async (topic) => (await log.startOffsets(to(topic))).map(unprefix),
    offsetsForTime: async (topic, ms) => (await log.offsetsForTime(to(topic), ms)).map(unprefix),
    close: () => log.close(),
    createConsumer(options) {
      const inner = log.createConsumer({ ...options, groupId: to(options.groupId), topics: options.topics.map(to) });
      return {
        crashed: inner.crashed,
        stop: () => inner.stop(),
        commit: (offsets) => inner.commit(offsets.map((o) => ({ ...o, topic: to(o.topic) }))),
        run: (handlers) =>
          inner.run({
            onAssign: handlers.onAssign
              ? async (parts) => (await handlers.onAssign!(parts.map(unprefix))).map((o) => ({ ...o, topic: to(o.topic) }))
              : undefined,
            onRevoke: handlers.onRevoke ? (parts) => handlers.onRevoke!(parts.map(unprefix)) : undefined,
            eachBatch: (batch: LogBatch) =>
              handlers.eachBatch({
                ...batch,
                topic: from(batch.topic),
                messages: batch.messages.map((m) => ({ ...m, topic: from(m.topic) })),
                heartbeat: batch.heartbeat,
                isRunning: batch.isRunning,
              }),
          }),
      };
    },
  };
}
