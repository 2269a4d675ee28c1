/**
 * `npm run bench`: runs the benchmarks and prints one table of figures, each beside a baseline
 * measured in the same run. Uses BENCH_DATABASE_URL's server when set, else an embedded Postgres
 * (the zero-setup path); the Kafka benchmark runs when KAFKA_BROKERS (or BENCH_KAFKA_BROKERS) is set.
 * `BENCH_ONLY=assignment,api,ingest,kafka,results,fanout` runs a subset.
 * Results are also written to bench/out/results.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { startEmbeddedPostgres } from "../server/db/embedded";
import { logger } from "../server/logger";
import { benchAssignment } from "./assignment";
import { benchAssignmentApi } from "./assignment-api";
import { benchFanout } from "./fanout";
import { benchIngestEmbedded } from "./ingest-embedded";
import { benchIngestKafka } from "./ingest-kafka";
import { printTable, type BenchResult } from "./report";
import { benchResults } from "./results";

logger.level = "warn";
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(",")) : null;
const runs = (name: string) => !only || only.has(name);

const results: BenchResult[] = [];
if (runs("assignment")) results.push(...benchAssignment());

const needsPostgres = ["api", "ingest", "kafka", "results"].some(runs);
let adminUrl = process.env.BENCH_DATABASE_URL;
const embedded = adminUrl || !needsPostgres ? null : await startEmbeddedPostgres({ dataDir: ".data/bench", port: 54332, log: logger });
if (embedded) {
  const u = new URL(embedded.url);
  u.pathname = "/postgres";
  adminUrl = u.toString();
}
try {
  if (needsPostgres) console.log(`Postgres: ${embedded ? "embedded" : "BENCH_DATABASE_URL"}; ${new Date().toISOString()}\n`);
  if (runs("api")) results.push(...(await benchAssignmentApi(adminUrl!)));
  if (runs("ingest")) results.push(...(await benchIngestEmbedded(adminUrl!)));
  if (runs("results")) results.push(...(await benchResults(adminUrl!)));
  const kafkaBrokers = process.env.BENCH_KAFKA_BROKERS ?? process.env.KAFKA_BROKERS;
  if (runs("kafka") && kafkaBrokers) results.push(...(await benchIngestKafka(adminUrl!, kafkaBrokers.split(","))));
  else if (runs("kafka")) console.log("Kafka ingest skipped: start a broker (npm run kafka:start) and set KAFKA_BROKERS=127.0.0.1:9092\n");
} finally {
  await embedded?.stop();
}
// Live fan-out needs no Postgres: the gateway here, the wall-screen clients in a child process.
if (runs("fanout")) results.push(...(await benchFanout()));

printTable(results);
mkdirSync("bench/out", { recursive: true });
writeFileSync(`bench/out/results${only ? `-${[...only].join("-")}` : ""}.json`, JSON.stringify({ at: new Date().toISOString(), results }, null, 2));
process.exit(0);
