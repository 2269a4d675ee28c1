import type { HealthResponse } from "../../lib/api/types";
import { TOPICS } from "../../lib/config/topics";
import type { Services } from "../services";

export async function getHealth(s: Services): Promise<HealthResponse & { backfill: Services["backfill"] }> {
  const database = await s.db.$queryRaw`SELECT 1`.then(
    () => "ok" as const,
    () => "down" as const,
  );
  const logOk = await s.log.endOffsets(TOPICS.watch).then(
    () => true,
    () => false,
  );
  return {
    status: database === "ok" && logOk ? "ok" : "degraded",
    database,
    log: { kind: s.log.kind, ok: logOk },
    uptimeSec: Math.round((Date.now() - s.startedAt) / 1000),
    version: s.version,
    backfill: s.backfill,
  };
}
