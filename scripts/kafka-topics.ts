/**
 * Creates the application's Kafka topics if they do not exist yet (idempotent).
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 KAFKA_PARTITIONS=local|production tsx scripts/kafka-topics.ts
 *
 * Names and partition counts come from lib/config/topics.ts. Existing topics are left as they are;
 * a partition count that differs from the config is reported, since changing it re-keys users.
 */
import { LOCAL_PARTITIONS, PRODUCTION_PARTITIONS, TOPICS, type TopicName } from "../lib/config/topics";
import { createKafkaLog } from "../server/log/kafka-log";

const profile = process.env.KAFKA_PARTITIONS ?? "local";
if (profile !== "local" && profile !== "production") {
  console.error(`KAFKA_PARTITIONS must be "local" or "production", got "${profile}"`);
  process.exit(2);
}
const counts: Record<TopicName, number> = profile === "production" ? PRODUCTION_PARTITIONS : LOCAL_PARTITIONS;
const brokers = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",").map((b) => b.trim()).filter(Boolean);

const log = createKafkaLog({ brokers, clientId: "showrunner-topics" });
try {
  const wanted = Object.values(TOPICS).map((topic) => ({ topic, partitions: counts[topic] }));
  await log.ensureTopics(wanted);
  for (const { topic, partitions } of wanted) {
    const actual = (await log.endOffsets(topic)).length;
    console.log(`${topic.padEnd(18)} ${String(actual).padStart(3)} partitions`);
    if (actual !== partitions) {
      console.warn(`  warning: config says ${partitions} for ${profile}; left as is (delete the topic to recreate it)`);
    }
  }
  console.log(`kafka: ${wanted.length} topics ready at ${brokers.join(",")} (${profile} partition counts)`);
} finally {
  await log.close();
}
