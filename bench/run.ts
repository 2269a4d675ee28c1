/**
 * `npm run bench`: runs the benchmarks and prints one table of figures, each beside a baseline
 * measured in the same run. Uses BENCH_DATABASE_URL's server when set, else an embedded Postgres
 * (the zero-setup path); the Kafka benchmark runs when KAFKA_BROKERS (or BENCH_KAFKA_BROKERS) is set.
 * Results are also written to bench/out/results.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { startEmbeddedPostgres } from "../server/db/embedded";
import { logger } from "../server/logger";
import { benchAssignment } from "./assignment";
import { benchIngestEmbedded } from "./ingest-embedded";
import { benchIngestKafka } from "./ingest-kafka";
import { printTable, type BenchResult } from "./report";

logger.level = "warn";
let adminUrl = process.env.BENCH_DATABASE_URL;
const embedded = adminUrl ? null : await startEmbeddedPostgres({ dataDir: ".data/bench", port: 54332, log: logger });
if (embedded) {
  const u = new URL(embedded.url);
  u.pathname = "/postgres";
  adminUrl = u.toString();
}

const results: BenchResult[] = [];
results.push(...benchAssignment());
try {
  console.log(`Postgres: ${embedded ? "embedded" : "BENCH_DATABASE_URL"}; ${new Date().toISOString()}\n`);
  results.push(...(await benchIngestEmbedded(adminUrl!)));
  const kafkaBrokers = process.env.BENCH_KAFKA_BROKERS ?? process.env.KAFKA_BROKERS;
  if (kafkaBrokers) results.push(...(await benchIngestKafka(adminUrl!, kafkaBrokers.split(","))));
  else console.log("Kafka ingest skipped: start a broker (npm run kafka:start) and set KAFKA_BROKERS=127.0.0.1:9092\n");
} finally {
  await embedded?.stop();
}
printTable(results);
mkdirSync("bench/out", { recursive: true });
writeFileSync("bench/out/results.json", JSON.stringify({ at: new Date().toISOString(), results }, null, 2));
process.exit(0);
