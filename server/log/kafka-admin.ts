import kafkajs from "kafkajs";
import type { KafkaConnectionOptions } from "./kafka-log";
import type { TopicPartition, TopicPartitionOffset } from "./types";

// kafkajs is CommonJS; its runtime exports are read off the default export under Node's ESM loader.
const { Kafka, AssignerProtocol, logLevel } = kafkajs;

/*
 * Group administration for tools (replay) and tests: what kafka-log.ts's EventLog deliberately does
 * not expose. Group ids and topics are the names ON THE BROKER, i.e. with any KAFKA_TOPIC_PREFIX
 * (see with-topic-prefix.ts).
 */

export interface GroupMember {
  memberId: string;
  clientId: string;
  clientHost: string;
  /** Partitions the group's leader dealt this member in the current generation. */
  assignment: TopicPartition[];
}

export interface GroupDescription {
  groupId: string;
  /** Kafka's group state: Empty, Dead (unknown group), Stable, PreparingRebalance, CompletingRebalance. */
  state: string;
  members: GroupMember[];
}

function admin(options: KafkaConnectionOptions) {
  return new Kafka({
    clientId: options.clientId ?? "showrunner-admin",
    brokers: options.brokers,
    ssl: options.ssl ?? false,
    sasl: options.sasl as never,
    logLevel: logLevel.NOTHING,
    retry: { retries: 3 },
  }).admin();
}

async function withAdmin<T>(options: KafkaConnectionOptions, fn: (a: ReturnType<typeof admin>) => Promise<T>): Promise<T> {
  const a = admin(options);
  await a.connect();
  try {
    return await fn(a);
  } finally {
    await a.disconnect().catch(() => undefined);
  }
}

/**
 * The group's members as the coordinator sees them. A process that died without leaving the group
 * (SIGKILL, a lost machine) stays listed until its session times out (kafkajs: 30 s).
 */
export async function describeConsumerGroup(options: KafkaConnectionOptions, groupId: string): Promise<GroupDescription> {
  return withAdmin(options, async (a) => {
    const { groups } = await a.describeGroups([groupId]);
    const g = groups[0];
    if (!g) return { groupId, state: "Dead", members: [] };
    return {
      groupId,
      state: g.state,
      members: g.members.map((m) => {
        const decoded = m.memberAssignment.length > 0 ? AssignerProtocol.MemberAssignment.decode(m.memberAssignment) : null;
        const assignment = Object.entries(decoded?.assignment ?? {}).flatMap(([topic, partitions]) =>
          partitions.map((partition) => ({ topic, partition })),
        );
        return { memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost, assignment };
      }),
    };
  });
}

/** Kafka-side committed offsets of a group (-1 → none), per partition of each topic. */
export async function fetchGroupOffsets(options: KafkaConnectionOptions, groupId: string, topics: string[]): Promise<TopicPartitionOffset[]> {
  return withAdmin(options, async (a) => {
    const result = await a.fetchOffsets({ groupId, topics });
    return result.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: Number(p.offset) })));
  });
}

/** Deletes groups that have no members left; others, and unknown groups, are left alone. */
export async function deleteConsumerGroups(options: KafkaConnectionOptions, groupIds: string[]): Promise<void> {
  if (groupIds.length === 0) return;
  await withAdmin(options, async (a) => {
    await a.deleteGroups(groupIds).catch(() => undefined);
  });
}

/**
 * Group facts for replay (server/stream/replay-aggregates.ts GroupAdmin), with application group
 * ids: `prefix` is KAFKA_TOPIC_PREFIX, which with-topic-prefix.ts puts before group ids too.
 */
export function kafkaGroupAdmin(options: KafkaConnectionOptions, prefix = "") {
  return {
    liveMembers: async (groupId: string): Promise<string[]> =>
      (await describeConsumerGroup(options, `${prefix}${groupId}`)).members.map((m) => `${m.clientId}@${m.clientHost} (${m.memberId})`),
    remove: (groupId: string): Promise<void> => deleteConsumerGroups(options, [`${prefix}${groupId}`]),
  };
}
