/**
 * The process services (server/services.ts) over a test database and an in-memory log, so route
 * handlers can be called directly with Request objects, plus signed-in callers of every kind.
 */
import { createAccount } from "../auth/accounts";
import { createSession } from "../auth/sessions";
import { createAccessToken } from "../auth/tokens";
import { createAssignmentService } from "../experiments/assignment-service";
import { createExposurePublisher } from "../experiments/exposure-publisher";
import { LiveState } from "../live/live-state";
import { createMemoryLog } from "../log/memory-log";
import { logger } from "../logger";
import { setServices, type Services } from "../services";
import type { TestDatabase } from "./test-db";
import { TOPICS } from "../../lib/config/topics";
import type { AccountRole } from "../../lib/auth/roles";

export async function installTestServices(database: TestDatabase): Promise<Services> {
  const log = createMemoryLog();
  await log.ensureTopics([{ topic: TOPICS.exposure, partitions: 4 }, { topic: TOPICS.watch, partitions: 4 }, { topic: TOPICS.like, partitions: 2 }, { topic: TOPICS.search, partitions: 2 }]);
  const exposures = createExposurePublisher({ log, logger });
  const services: Services = {
    db: database.db,
    pool: database.pool,
    log,
    live: new LiveState(Date.now, new Map()),
    assignments: createAssignmentService({ db: database.db, pool: database.pool, exposures }),
    exposures,
    secureCookies: false,
    trustProxy: true,
    startedAt: Date.now(),
    version: "test",
    backfill: { state: "done", daysDone: 0, daysTotal: 0 },
  };
  setServices(services);
  return services;
}

/** Headers that authenticate a request as someone. */
export interface Credentials {
  headers: Record<string, string>;
}

export async function signedIn(database: TestDatabase, role: AccountRole, options: { csrf?: boolean } = {}): Promise<Credentials & { email: string }> {
  const email = `${role}-${Math.random().toString(36).slice(2, 8)}@test.local`;
  const account = await createAccount(database.db, { email, role, password: "correct horse battery" });
  const session = await createSession(database.db, account.id);
  const headers: Record<string, string> = { cookie: `sr_session=${session.token}; sr_csrf=${session.csrfToken}` };
  if (options.csrf !== false) headers["x-csrf-token"] = session.csrfToken;
  return { headers, email };
}

export async function tokenHolder(database: TestDatabase, kind: "service" | "wall"): Promise<Credentials> {
  const token = await createAccessToken(database.db, { kind, name: `test ${kind}`, createdBy: "test" });
  return { headers: { authorization: `Bearer ${token.token}` } };
}

/** Calls a Next route handler the way Next does. */
export async function call<Params>(
  handler: (request: Request, context: { params: Promise<Params> }) => Promise<Response>,
  init: { method?: string; path?: string; body?: unknown; headers?: Record<string, string>; params?: Params } = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read answers of every shape
): Promise<{ status: number; body: any }> {
  const method = init.method ?? "GET";
  const headers: Record<string, string> = { ...init.headers };
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const request = new Request(`http://localhost${init.path ?? "/"}`, {
    method,
    headers,
    body: init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
  });
  const response = await handler(request, { params: Promise.resolve((init.params ?? {}) as Params) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body };
}
