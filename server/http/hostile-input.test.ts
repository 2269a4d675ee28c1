/**
 * Hostile input against every API route, property-based (fast-check): arbitrary JSON of any shape,
 * raw text that may not be JSON, known field names with values of the wrong type, random query
 * strings and path parameters, oversize bodies. Whatever arrives, an authorised caller gets a 2xx
 * or a 4xx with a message in `error`, never a 500.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExperiment } from "../experiments/repository";
import type { Services } from "../services";
import { createTestDatabase, type TestDatabase } from "../testing/test-db";
import { call, installTestServices, signedIn, tokenHolder, type Credentials } from "../testing/test-services";

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? routeFiles(path.join(dir, e.name)) : e.name === "route.ts" ? [path.join(dir, e.name)] : [],
  );
}

const apiDir = path.resolve("app/api");
const routes: { name: string; method: string; urlPath: string; handler: Handler; paramNames: string[] }[] = [];
for (const file of routeFiles(apiDir)) {
  const urlPath = "/api/" + path.relative(apiDir, path.dirname(file)).split(path.sep).join("/");
  const source = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const paramNames = [...urlPath.matchAll(/\[(\w+)\]/g)].map((m) => m[1]!);
  for (const method of METHODS) if (typeof source[method] === "function") routes.push({ name: `${method} ${urlPath}`, method, urlPath, handler: source[method] as Handler, paramNames });
}

/** Field names the routes read, so generated objects reach validation past the first `required`. */
const FIELDS = ["userId", "attributes", "key", "name", "hypothesis", "owner", "variants", "weight", "isControl", "trafficPercent", "targeting", "layer", "primaryMetric",
  "secondaryMetrics", "guardrailMetrics", "version", "experiment", "action", "decision", "decisionVariant", "note", "email", "password", "role", "kind", "events",
  "confidence", "correction", "sequential", "cuped", "capPercentile", "event_id", "user_id", "event_time", "event_type"];
const QUERY_KEYS = ["from", "to", "limit", "grain", "experiment", "maxDay", "maxWeek", "before", "format", "metric", "users", "lift", "power", "confidence", "status", "days"];

const jsonBody = fc.oneof(
  fc.jsonValue(),
  fc.dictionary(fc.constantFrom(...FIELDS), fc.jsonValue(), { maxKeys: 8 }),
  fc.array(fc.dictionary(fc.constantFrom(...FIELDS), fc.jsonValue(), { maxKeys: 6 }), { maxLength: 5 }),
).map((v) => JSON.stringify(v) ?? "null");
const rawBody = fc.oneof(fc.string({ maxLength: 200 }), fc.constantFrom("{not json", "[", '{"userId":', "\u0000", "null", "true", '""'));
const paramValue = fc.oneof(fc.constantFrom("no-such-thing", "fuzz-exp", "1", "0", "-1", "1e309", "%00", "a".repeat(300)), fc.string({ maxLength: 40 }));
const query = fc.dictionary(fc.constantFrom(...QUERY_KEYS), fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom("2026-13-45", "-5", "1e9", "NaN", "day", "week", "csv")), { maxKeys: 5 });

let database: TestDatabase;
let services: Services;
let admin: Credentials;
let service: Credentials;

beforeAll(async () => {
  database = await createTestDatabase("sr_hostile");
  services = await installTestServices(database);
  admin = await signedIn(database, "admin");
  service = await tokenHolder(database, "service");
  // One real experiment, so keyed routes also reach their validation with a key that exists.
  await createExperiment(
    database.db,
    { key: "fuzz-exp", name: "Fuzz", owner: "test", variants: [{ key: "control", name: "Control", weight: 1, isControl: true }, { key: "treatment", name: "Treatment", weight: 1 }], trafficPercent: 100, primaryMetric: "watch_time" },
    "test",
  );
});

afterAll(async () => {
  await services?.exposures.close();
  await database?.drop();
});

function expectHandled(route: string, status: number, body: unknown) {
  expect(status, `${route} answered ${status}: ${JSON.stringify(body)}`).toBeLessThan(500);
  if (status >= 400) {
    const error = (body as { error?: unknown } | null)?.error;
    expect(typeof error === "string" && error.length > 0, `${route} answered ${status} without a message: ${JSON.stringify(body)}`).toBe(true);
  }
}

describe("hostile input", () => {
  for (const r of routes.filter((x) => x.name !== "POST /api/auth/logout")) {
    const caller = () => (r.name === "POST /api/assignments" || r.name === "POST /api/events" ? service : admin);
    it(`${r.name}: any body, query or path parameter gets a 2xx or a 4xx with a message`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(jsonBody, rawBody), query, fc.array(paramValue, { minLength: r.paramNames.length, maxLength: r.paramNames.length }), async (body, q, values) => {
          const params = Object.fromEntries(r.paramNames.map((n, i) => [n, values[i]!]));
          const search = new URLSearchParams(q).toString();
          const urlPath = r.urlPath.replace(/\[(\w+)\]/g, (_, n: string) => encodeURIComponent(params[n]!)) + (search ? `?${search}` : "");
          const res = await call(r.handler, { method: r.method, path: urlPath, headers: caller().headers, params, body: r.method === "GET" ? undefined : body });
          expectHandled(r.name, res.status, res.body);
        }),
        { numRuns: 40, seed: 20261206 },
      );
    });
  }

  it("every mutating route refuses a 2 MB body with a 4xx and a message", async () => {
    const huge = JSON.stringify({ userId: "u", note: "x".repeat(2_000_000) });
    for (const r of routes.filter((x) => x.method !== "GET" && x.name !== "POST /api/auth/logout")) {
      const params = Object.fromEntries(r.paramNames.map((n) => [n, "fuzz-exp"]));
      const res = await call(r.handler, { method: r.method, path: r.urlPath, headers: (r.name === "POST /api/assignments" || r.name === "POST /api/events" ? service : admin).headers, params, body: huge });
      expectHandled(r.name, res.status, res.body);
      expect(res.status, r.name).toBeGreaterThanOrEqual(400);
    }
  });
});
