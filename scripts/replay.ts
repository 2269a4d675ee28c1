/**
 * Replays the aggregates from the Kafka log: deletes the affected rows and moves the stored offsets
 * back in one Postgres transaction; the next stream process rebuilds them.
 *
 *   npm run replay -- --from earliest [--yes] [--accept-retention-loss]
 *   npm run replay -- --from 2026-09-01T00:00:00Z [--yes]
 *
 * `earliest` empties the aggregation tables and rewinds every partition to the log's start.
 * `--from T` recomputes the UTC days from T's day on, keeps the days before (exact: see
 * server/stream/replay-aggregates.ts, and it refuses where it cannot be). Without --yes it prints
 * the plan and asks (on a terminal) or stops (otherwise). Every stream process must be stopped.
 *
 * Env as the server: DATABASE_URL (unset → the embedded Postgres under DATA_DIR), KAFKA_BROKERS,
 * KAFKA_TOPIC_PREFIX, KAFKA_SSL / KAFKA_SASL_*.
 * Exit codes: 0 done (or nothing to do), 1 refused or failed (nothing changed), 2 bad arguments.
 */
import { createInterface } from "node:readline/promises";
import { parseEnv } from "../server/env.ts";
import { logger } from "../server/logger.ts";
import { createPool } from "../server/db/pool.ts";
import { withTopicPrefix } from "../server/log/with-topic-prefix.ts";
import {
  applyReplay,
  planReplay,
  ReplayRefusedError,
  type ReplayDeps,
  type ReplayFrom,
  type ReplayPlan,
  type ReplayReport,
} from "../server/stream/replay-aggregates.ts";

const USAGE = "usage: npm run replay -- --from <ISO time | earliest> [--yes] [--accept-retention-loss]";

function parseArgs(argv: string[]): { from: ReplayFrom; yes: boolean; acceptLoss: boolean } {
  let from: ReplayFrom | null = null;
  let yes = false;
  let acceptLoss = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--yes" || arg === "-y") yes = true;
    else if (arg === "--accept-retention-loss") acceptLoss = true;
    else if (arg === "--from" || arg.startsWith("--from=")) {
      const value = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : argv[++i];
      if (value === "earliest") from = { kind: "earliest" };
      else {
        const atMs = value && /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
        if (Number.isNaN(atMs)) throw new Error(`--from takes "earliest" or an ISO time like 2026-09-01T00:00:00Z, got "${value ?? ""}"`);
        from = { kind: "time", atMs };
      }
    } else throw new Error(`unknown argument "${arg}"`);
  }
  if (!from) throw new Error("--from is required");
  return { from, yes, acceptLoss };
}

const tp = (m: { topic: string; partition: number }) => `${m.topic}/${m.partition}`;

function describePlan(plan: ReplayPlan): string {
  const lines: string[] = [];
  if (plan.from.kind === "earliest") {
    lines.push(`Replay of group ${plan.groupId} from the earliest offsets: every aggregation table is emptied and rebuilt.`);
  } else {
    const v = plan.verification!;
    lines.push(`Replay of group ${plan.groupId} from ${plan.fromDay} (UTC): rows of ${plan.fromDay} and later are recomputed, earlier days kept.`);
    lines.push(`Verified: the log holds all ${v.eventsSinceTheta.toLocaleString("en")} events counted since 30 min before it (${v.scanned.toLocaleString("en")} messages scanned).`);
  }
  if (plan.moves.length === 0) lines.push("No stored offset moves: nothing to replay.");
  else {
    lines.push("Stored next offsets:");
    for (const m of plan.moves) lines.push(`  ${tp(m).padEnd(24)} ${String(m.before ?? "none").padStart(10)} → ${m.after}`);
  }
  return lines.join("\n");
}

function describeReport(r: ReplayReport): string {
  const lines = ["Done, in one transaction. Rows deleted:"];
  for (const [table, n] of Object.entries(r.deleted)) lines.push(`  ${table.padEnd(18)} ${n.toLocaleString("en")}`);
  if (r.usersAdjusted > 0) lines.push(`  (user_activity: ${r.usersAdjusted.toLocaleString("en")} users' first watch day / last watch reset to what is kept)`);
  const reduced = Object.entries(r.countersReduced).filter(([, n]) => n > 0);
  if (reduced.length > 0) lines.push(`Counters reduced: ${reduced.map(([k, n]) => `${k} −${n.toLocaleString("en")}`).join(", ")}`);
  if (r.from.kind === "time" && r.moves.length > 0) lines.push(`Replay floor stored: events before ${r.fromDay} re-read below the old offsets are not counted twice.`);
  if (r.raced.length > 0) {
    lines.push(`WARNING: ${r.raced.length} group member(s) appeared while the replay committed (${r.raced.join(", ")}).`);
    lines.push("They may have resumed from the old offsets: stop every stream process and run the replay again.");
  } else if (r.moves.length > 0) lines.push("Start the stream processes (npm run start:stream) to rebuild.");
  return lines.join("\n");
}

async function confirm(): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await rl.question('Type "yes" to proceed: ')).trim() === "yes";
  } finally {
    rl.close();
  }
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const env = parseEnv();
  if (!env.KAFKA_BROKERS) {
    console.error(
      "Replay is not supported with the in-process log (KAFKA_BROKERS is unset): it holds only what was appended since the process " +
        "started, so there is nothing to replay from. Run on Kafka (see README) to replay.",
    );
    return 1;
  }

  const { createKafkaLog } = await import("../server/log/kafka-log.ts");
  const { kafkaGroupAdmin } = await import("../server/log/kafka-admin.ts");
  const connection = {
    brokers: env.KAFKA_BROKERS,
    clientId: "showrunner-replay",
    ssl: env.KAFKA_SSL,
    sasl: env.KAFKA_SASL_MECHANISM
      ? { mechanism: env.KAFKA_SASL_MECHANISM, username: env.KAFKA_SASL_USERNAME ?? "", password: env.KAFKA_SASL_PASSWORD ?? "" }
      : undefined,
    log: (entry: { level: string; message: string }) => {
      if (entry.level === "error") logger.warn({ kafka: entry }, "kafka");
    },
  };
  let embedded: { stop(): Promise<void> } | null = null;
  let url = env.DATABASE_URL;
  if (!url) {
    const { startEmbeddedPostgres } = await import("../server/db/embedded.ts");
    const db = await startEmbeddedPostgres({ dataDir: env.DATA_DIR, port: env.EMBEDDED_PG_PORT, log: logger });
    embedded = db;
    url = db.url;
  }
  const pool = createPool(url, 2);
  const log = withTopicPrefix(createKafkaLog(connection), env.KAFKA_TOPIC_PREFIX);
  const deps: ReplayDeps = { pool, log, groups: kafkaGroupAdmin(connection, env.KAFKA_TOPIC_PREFIX), onProgress: (line) => console.log(line) };
  try {
    const plan = await planReplay(deps, args.from, { allowRetentionLoss: args.acceptLoss });
    console.log(describePlan(plan));
    if (plan.moves.length === 0) return 0;
    if (!args.yes && !(await confirm())) {
      console.error("Nothing changed. Re-run with --yes to apply.");
      return 1;
    }
    const report = await applyReplay(deps, plan);
    console.log(describeReport(report));
    return report.raced.length > 0 ? 1 : 0;
  } catch (err) {
    if (err instanceof ReplayRefusedError) {
      console.error(`Replay refused (${err.code}): ${err.message}\nNothing changed.`);
      return 1;
    }
    throw err;
  } finally {
    await log.close();
    await pool.end();
    await embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`Replay failed: ${err instanceof Error ? err.message : String(err)}\nNothing was committed unless "Done" was printed.`);
    process.exit(1);
  },
);
