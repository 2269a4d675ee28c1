import type pg from "pg";
import type { Db } from "./db/client";
import type { AssignmentService } from "./experiments/assignment-service";
import type { ExposurePublisher } from "./experiments/exposure-publisher";
import type { LiveState } from "./live/live-state";
import type { EventLog } from "./log/types";

/**
 * The running process's instances, for Next's route handlers. Next bundles route handlers apart
 * from server/main.ts, so module singletons would not be shared; one key on globalThis is.
 */
export interface Services {
  db: Db;
  /** node-postgres pool for hot paths (assignments, ingest). */
  pool: pg.Pool;
  log: EventLog;
  assignments: AssignmentService;
  exposures: ExposurePublisher;
  /** Set the Secure flag on session cookies (the app is served over HTTPS). */
  secureCookies: boolean;
  /** Trust X-Forwarded-For (a reverse proxy sets it); otherwise any client could forge it. */
  trustProxy: boolean;
  /** Null in processes that serve no live views (stream, sim). */
  live: LiveState | null;
  startedAt: number;
  version: string;
  /** Progress of the first-start backfill, for /api/health. */
  backfill: { state: "idle" | "running" | "done"; daysDone: number; daysTotal: number };
}

const KEY = Symbol.for("showrunner.services");
type Holder = { [KEY]?: Services };

export function setServices(services: Services): void {
  (globalThis as Holder)[KEY] = services;
}

export function getServices(): Services {
  const services = (globalThis as Holder)[KEY];
  if (!services) throw new Error("services are not initialised: start the app with `npm start` (server/main.ts), not `next start`");
  return services;
}
