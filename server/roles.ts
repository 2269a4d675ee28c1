import type { Env } from "./env";

/**
 * What one process does. `npm start` runs them all; at scale each runs apart (npm run start:<role>):
 * - web:    Next (pages + HTTP API) and the socket.io gateway on PORT
 * - live:   the socket.io gateway alone on PORT, to scale wall-screen fan-out
 * - stream: the aggregator, one of N in consumer group showrunner-aggregator (scales by partitions)
 * - sim:    the traffic simulator (backfill on first start, then live traffic)
 */
export const ROLES = ["web", "live", "stream", "sim"] as const;
export type Role = (typeof ROLES)[number];

/** Reads `--role web,stream` (or `--role=web`); no flag means every role. */
export function parseRoles(argv: readonly string[], env: Pick<Env, "KAFKA_BROKERS">): Set<Role> {
  const i = argv.findIndex((a) => a === "--role" || a.startsWith("--role="));
  if (i === -1) return new Set(ROLES);
  const value = argv[i]!.includes("=") ? argv[i]!.split("=")[1]! : (argv[i + 1] ?? "");
  const roles = value.split(",").map((r) => r.trim()).filter(Boolean);
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (roles.length === 0 || unknown.length > 0) {
    throw new Error(`--role takes a comma-separated list of ${ROLES.join(", ")}${unknown.length ? `; unknown: ${unknown.join(", ")}` : ""}`);
  }
  const set = new Set(roles as Role[]);
  if (set.size < ROLES.length && !env.KAFKA_BROKERS) {
    throw new Error("processes split by role share their events through Kafka: set KAFKA_BROKERS (the in-process log lives in one process)");
  }
  return set;
}
