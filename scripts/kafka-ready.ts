/**
 * Waits until a Kafka broker answers a metadata request (an open port is not readiness).
 * Used by scripts/kafka.sh start.
 *
 *   tsx scripts/kafka-ready.ts [--timeout 90] [--pid 1234]
 *
 * --pid: give up at once if that process (the broker just started) has exited.
 * Brokers from KAFKA_BROKERS (default 127.0.0.1:9092). Exit 0 when ready, 1 otherwise.
 */
import { parseArgs } from "node:util";
import { describeKafkaCluster } from "../server/log/kafka-log";

const { values } = parseArgs({
  options: { timeout: { type: "string", default: "90" }, pid: { type: "string" } },
});
const timeoutMs = Number(values.timeout) * 1000;
const pid = values.pid === undefined ? undefined : Number(values.pid);
const brokers = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",").map((b) => b.trim());

function alive(p: number): boolean {
  try {
    process.kill(p, 0);
    return true;
  } catch {
    return false;
  }
}

const started = Date.now();
let lastError = "";
for (;;) {
  if (pid !== undefined && !alive(pid)) {
    console.error(`kafka: broker process ${pid} exited before becoming ready`);
    process.exit(1);
  }
  try {
    const { clusterId, brokers: nodes } = await describeKafkaCluster({
      brokers,
      clientId: "showrunner-ready-check",
      timeoutMs: 2_000,
      log: () => undefined, // connection refusals are expected while the JVM starts
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`kafka: ready in ${seconds}s (cluster ${clusterId}, ${nodes.length} broker(s) at ${brokers.join(",")})`);
    process.exit(0);
  } catch (err) {
    lastError = err instanceof Error ? err.message : String(err);
  }
  if (Date.now() - started > timeoutMs) {
    console.error(`kafka: not ready after ${values.timeout}s at ${brokers.join(",")}: ${lastError}`);
    process.exit(1);
  }
  await new Promise((resolve) => setTimeout(resolve, 250));
}
