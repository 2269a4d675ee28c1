import { execFileSync, spawnSync } from "node:child_process";
import type { TestProject } from "vitest/node";
import pg from "pg";
import { describeKafkaCluster } from "../log/kafka-log";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../db/embedded";
import { logger } from "../logger";

declare module "vitest" {
  export interface ProvidedContext {
    /** Admin URL of the Postgres server integration tests create their databases on. */
    postgresAdminUrl: string;
    /** Brokers of the real Kafka for integration tests; null where none can run (never on CI). */
    kafkaBrokers: string[] | null;
  }
}

let embedded: EmbeddedDatabase | null = null;
let startedKafka = false;

const hasCommand = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;

/**
 * Kafka tests run against a real broker: KAFKA_TEST_BROKERS, else the local one, started here
 * (scripts/kafka.sh, Java + Maven) if it is not up. Without Java they are skipped locally with a
 * warning; on CI a missing broker fails the run.
 */
async function kafkaForTests(): Promise<string[] | null> {
  const brokers = (process.env.KAFKA_TEST_BROKERS ?? "127.0.0.1:9092").split(",");
  const reachable = () => describeKafkaCluster({ brokers, timeoutMs: 3_000, log: () => undefined }).then(() => true, () => false);
  if (await reachable()) return brokers;
  if (!process.env.KAFKA_TEST_BROKERS && hasCommand("java") && hasCommand("mvn")) {
    execFileSync("bash", ["scripts/kafka.sh", "start"], { stdio: "inherit" });
    startedKafka = true;
    if (await reachable()) return brokers;
  }
  if (process.env.CI) throw new Error(`CI needs a Kafka broker at ${brokers.join(",")} (see .ci/run)`);
  console.warn(`\n⚠ No Kafka broker at ${brokers.join(",")} and no Java/Maven to start one: Kafka integration tests are SKIPPED.\n`);
  return null;
}

/**
 * Integration tests run against a real Postgres: DATABASE_URL when set (CI points it at the
 * machine's server), else an embedded one so `npm test` works on a fresh machine. On CI a missing
 * server is a failure, never a skip.
 */
export async function setup(project: TestProject): Promise<void> {
  let url = process.env.DATABASE_URL;
  if (!url) {
    if (process.env.CI) throw new Error("CI must set DATABASE_URL to a reachable Postgres (see .ci/run)");
    embedded = await startEmbeddedPostgres({ dataDir: ".data/test", port: Number(process.env.TEST_PG_PORT ?? 54330), log: logger });
    url = embedded.url;
  }
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (err) {
    throw new Error(`Postgres at ${admin.host} is not reachable for integration tests: ${(err as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
  project.provide("postgresAdminUrl", admin.toString());
  project.provide("kafkaBrokers", await kafkaForTests());
}

export async function teardown(): Promise<void> {
  await embedded?.stop();
  if (startedKafka) execFileSync("bash", ["scripts/kafka.sh", "stop"], { stdio: "inherit" });
}
