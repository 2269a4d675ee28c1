/**
 * Kafka's own consumer benchmark, `org.apache.kafka.tools.ConsumerPerformance` (the Java client,
 * what bin/kafka-consumer-perf-test.sh runs), as the baseline for the Kafka ingest benchmark.
 *
 * In Kafka ≥ 3.5 the class lives in the `kafka-tools` artifact (the old `kafka.tools.` Scala class
 * is gone), which `kafka_2.13` does not depend on, so kafka/target/kafka-libs lacks it. It is fetched
 * once with Maven next to the broker's jars (kafka/target/kafka-tools/, git-ignored), unless
 * kafka-libs already holds it.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const LIBS = join(ROOT, "kafka/target/kafka-libs");
const TOOLS = join(ROOT, "kafka/target/kafka-tools");
const MAIN_CLASS = "org.apache.kafka.tools.ConsumerPerformance";

export interface ConsumerPerfResult {
  topic: string;
  messages: number;
  /** Keys + values read, uncompressed, MiB. */
  mb: number;
  /** From before subscribe (so including the group join) to the last message, as the tool measures. */
  seconds: number;
  msgPerSec: number;
  mbPerSec: number;
  /** Time spent joining the group, ms (part of `seconds`). */
  rebalanceMs: number;
  /** The tool's rate without the join time. */
  fetchMsgPerSec: number;
}

function kafkaVersion(): string {
  if (!existsSync(LIBS)) throw new Error(`${LIBS} is missing: run \`npm run kafka:start\` once to fetch the broker jars`);
  const clients = readdirSync(LIBS).find((f) => /^kafka-clients-.+\.jar$/.test(f));
  if (!clients) throw new Error(`no kafka-clients jar in ${LIBS}`);
  return clients.replace(/^kafka-clients-/, "").replace(/\.jar$/, "");
}

/** The Java classpath holding ConsumerPerformance; fetches kafka-tools with Maven the first time. */
export function consumerPerfClasspath(): string {
  const version = kafkaVersion();
  if (readdirSync(LIBS).some((f) => f === `kafka-tools-${version}.jar`)) return `${LIBS}/*`;
  const jar = join(TOOLS, `kafka-tools-${version}.jar`);
  if (!existsSync(jar)) {
    // outputDirectory is relative to the pom's folder (kafka/).
    const mvn = spawnSync(
      "mvn",
      ["-B", "-q", "-Dstyle.color=never", "-f", join(ROOT, "kafka/pom.xml"), "dependency:copy",
        `-Dartifact=org.apache.kafka:kafka-tools:${version}`, "-DoutputDirectory=target/kafka-tools"],
      { encoding: "utf8" },
    );
    if (mvn.status !== 0 || !existsSync(jar)) {
      throw new Error(`could not fetch org.apache.kafka:kafka-tools:${version} with Maven: ${mvn.error?.message ?? ""}${mvn.stdout}${mvn.stderr}`);
    }
  }
  // kafka-tools' own dependencies that ConsumerPerformance uses (clients, server-common, jopt-simple,
  // slf4j) are all in kafka-libs.
  return `${LIBS}/*:${jar}`;
}

/** Warnings and errors of the tool's Java client to stderr; never into the broker's server.log. */
function log4jConfig(): string {
  const dir = join(tmpdir(), "showrunner-bench");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "consumer-perf-log4j.properties");
  writeFileSync(
    file,
    [
      "log4j.rootLogger=WARN, stderr",
      "log4j.appender.stderr=org.apache.log4j.ConsoleAppender",
      "log4j.appender.stderr.Target=System.err",
      "log4j.appender.stderr.layout=org.apache.log4j.PatternLayout",
      "log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n",
      "",
    ].join("\n"),
  );
  return file;
}

/**
 * Reads exactly `messages` messages of one topic from the earliest offset with a fresh group, with
 * the tool's defaults otherwise (1 MiB fetch size, auto commit). Throws unless it read them all.
 */
export async function runConsumerPerf(options: {
  brokers: string[];
  topic: string;
  messages: number;
  group: string;
  /** Longest gap between two returned records before the tool gives up, ms. */
  timeoutMs?: number;
}): Promise<ConsumerPerfResult> {
  const args = [
    // The JVM flags of bin/kafka-run-class.sh, the heap of bin/kafka-consumer-perf-test.sh.
    "-Xmx512m", "-server", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent", "-Djava.awt.headless=true", `-Dlog4j.configuration=file:${log4jConfig()}`,
    "-cp", consumerPerfClasspath(), MAIN_CLASS,
    "--bootstrap-server", options.brokers.join(","),
    "--topic", options.topic,
    "--messages", String(options.messages),
    "--group", options.group,
    "--timeout", String(options.timeoutMs ?? 30_000),
  ];
  const child = spawn("java", args, { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const code = await new Promise<number | null>((res, rej) => {
    child.on("error", rej);
    child.on("close", res);
  });
  const fail = (why: string) => new Error(`ConsumerPerformance on ${options.topic}: ${why}\n${stdout}${stderr}`);
  if (code !== 0) throw fail(`exit code ${code}`);
  if (/WARNING: Exiting before consuming/.test(stdout)) throw fail("timed out before reading every message");

  // "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec,
  //  rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec" then one line of values.
  const lines = stdout.split("\n").map((l) => l.trim()).filter(Boolean);
  const headerAt = lines.findIndex((l) => l.startsWith("start.time,"));
  if (headerAt < 0 || !lines[headerAt + 1]) throw fail("no result line");
  const header = lines[headerAt]!.split(",").map((s) => s.trim());
  const values = lines[headerAt + 1]!.split(",").map((s) => s.trim());
  const field = (name: string) => {
    const v = Number(values[header.indexOf(name)]);
    if (header.indexOf(name) < 0 || !Number.isFinite(v)) throw fail(`no numeric ${name}`);
    return v;
  };
  const messages = field("data.consumed.in.nMsg");
  if (messages !== options.messages) throw fail(`read ${messages} of ${options.messages} messages`);
  // The tool's elapsed time, exactly: fetch.time.ms is (end − start) − rebalance.time.ms.
  const seconds = (field("fetch.time.ms") + field("rebalance.time.ms")) / 1000;
  return {
    topic: options.topic,
    messages,
    mb: field("data.consumed.in.MB"),
    seconds,
    msgPerSec: messages / seconds,
    mbPerSec: field("MB.sec"),
    rebalanceMs: field("rebalance.time.ms"),
    fetchMsgPerSec: field("fetch.nMsg.sec"),
  };
}
