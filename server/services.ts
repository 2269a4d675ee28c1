import type { Db } from "./db/client";
import type { LiveState } from "./live/live-state";
import type { EventLog } from "./log/types";

/**
 * The running process's instances, for Next's route handlers. Next bundles route handlers apart
 * from server/main.ts, so module singletons would not be shared; one key on globalThis is.
 */
export interface Services {
  db: Db;
  log: EventLog;
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
