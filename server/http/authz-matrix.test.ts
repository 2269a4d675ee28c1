/**
 * Every API route × every kind of caller, through the real handlers and real credentials: the
 * table below says what each route needs, so a new route that forgets to check fails here.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { can, type Permission, type Principal } from "../../lib/auth/roles";
import * as experimentsRoute from "../../app/api/experiments/route";
import type { Services } from "../services";
import { createTestDatabase, type TestDatabase } from "../testing/test-db";
import { call, installTestServices, signedIn, tokenHolder, type Credentials } from "../testing/test-services";

/** "METHOD /api/path" → the permission it needs, or "public". */
const ROUTES: Record<string, Permission | "public"> = {
  "GET /api/health": "public",
  "POST /api/auth/login": "public",
  "POST /api/auth/logout": "read",
  "GET /api/auth/me": "read",
  "GET /api/overview": "read",
  "GET /api/titles/top": "read",
  "GET /api/retention": "read",
  "GET /api/pipeline": "read",
  "GET /api/pipeline/dead-letters": "read",
  "GET /api/users/[id]/daily": "read",
  "GET /api/users/[id]/windows": "read",
  "GET /api/users/[id]": "read",
  "GET /api/users/[id]/assignments": "read",
  "GET /api/titles/[id]": "read",
  "GET /api/genres": "read",
  "GET /api/metrics": "read",
  "GET /api/experiments": "read",
  "POST /api/experiments": "experiments",
  "GET /api/experiments/[key]": "read",
  "PATCH /api/experiments/[key]": "experiments",
  "POST /api/experiments/[key]/transitions": "experiments",
  "GET /api/experiments/[key]/results": "read",
  "GET /api/experiments/[key]/results/power": "read",
  "PUT /api/experiments/[key]/analysis": "experiments",
  "POST /api/assignments": "assign",
  "POST /api/events": "ingest",
  "GET /api/admin/accounts": "admin",
  "POST /api/admin/accounts": "admin",
  "GET /api/admin/tokens": "admin",
  "POST /api/admin/tokens": "admin",
  "DELETE /api/admin/tokens/[id]": "admin",
};

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? routeFiles(path.join(dir, e.name)) : e.name === "route.ts" ? [path.join(dir, e.name)] : [],
  );
}

const apiDir = path.resolve("app/api");
const routes: { name: string; method: string; file: string; params: Record<string, string> }[] = [];
for (const file of routeFiles(apiDir)) {
  const urlPath = "/api/" + path.relative(apiDir, path.dirname(file)).split(path.sep).join("/");
  const source = await import(pathToFileURL(file).href);
  const params = Object.fromEntries([...urlPath.matchAll(/\[(\w+)\]/g)].map((m) => [m[1]!, "no-such-thing"]));
  for (const method of METHODS) if (typeof source[method] === "function") routes.push({ name: `${method} ${urlPath}`, method, file, params });
}

let database: TestDatabase;
let services: Services;
const callers: Record<string, { credentials: Credentials; principal: Principal | null }> = {};

beforeAll(async () => {
  database = await createTestDatabase("sr_authz");
  services = await installTestServices(database);
  callers.anonymous = { credentials: { headers: {} }, principal: null };
  for (const role of ["viewer", "editor", "admin"] as const) {
    const c = await signedIn(database, role);
    callers[role] = { credentials: c, principal: { kind: "account", accountId: 0, email: c.email, role } };
  }
  for (const kind of ["service", "wall"] as const) {
    callers[`${kind} token`] = { credentials: await tokenHolder(database, kind), principal: { kind: "token", tokenId: 0, name: kind, tokenKind: kind } };
  }
});

afterAll(async () => {
  await services.exposures.close();
  await database.drop();
});

describe("authorization matrix", () => {
  it("knows every route and every route in the table exists", () => {
    const found = routes.map((r) => r.name).sort();
    expect(found).toEqual(Object.keys(ROUTES).sort());
  });

  for (const r of routes) {
    describe(r.name, () => {
      const need = ROUTES[r.name];
      for (const who of ["anonymous", "viewer", "editor", "admin", "service token", "wall token"]) {
        it(who, async () => {
          const handler = (await import(pathToFileURL(r.file).href))[r.method] as Handler;
          let caller = callers[who]!;
          // Signing out ends the session: give it one of its own, so later routes keep theirs.
          if (r.name === "POST /api/auth/logout" && caller.principal?.kind === "account") {
            caller = { ...caller, credentials: await signedIn(database, caller.principal.role) };
          }
          const mutating = r.method !== "GET";
          const res = await call(handler, {
            method: r.method,
            path: r.name.split(" ")[1]!.replace(/\[(\w+)\]/g, "no-such-thing"),
            headers: caller.credentials.headers,
            params: r.params,
            // An empty object: enough to reach validation (400) once authorised, never a change.
            body: mutating ? {} : undefined,
          });
          if (need === undefined) throw new Error(`${r.name} is not in the table above: add the permission it must need`);
          if (need === "public") {
            expect([401, 403]).not.toContain(res.status);
          } else if (caller.principal === null) {
            expect(res.status, JSON.stringify(res.body)).toBe(401);
          } else if (can(caller.principal, need)) {
            expect([401, 403], `${who} should pass: ${JSON.stringify(res.body)}`).not.toContain(res.status);
            expect(res.status).toBeLessThan(500);
          } else {
            expect(res.status, JSON.stringify(res.body)).toBe(403);
          }
        });
      }
    });
  }
});

describe("CSRF", () => {
  it("refuses a cookie-authenticated mutation without the session's CSRF token, accepts it with", async () => {
    const editor = await signedIn(database, "editor", { csrf: false });
    const body = {
      key: "csrf-check",
      name: "CSRF",
      owner: "me",
      variants: [
        { key: "control", name: "A", weight: 1, isControl: true },
        { key: "treatment", name: "B", weight: 1 },
      ],
      trafficPercent: 50,
      primaryMetric: "watch_time",
    };
    const without = await call(experimentsRoute.POST, { method: "POST", body, headers: editor.headers });
    expect(without.status).toBe(403);
    expect(without.body.error).toMatch(/CSRF/);
    const wrong = await call(experimentsRoute.POST, { method: "POST", body, headers: { ...editor.headers, "x-csrf-token": "guess" } });
    expect(wrong.status).toBe(403);
    const csrf = /sr_csrf=([^;]+)/.exec(editor.headers.cookie!)![1]!;
    const right = await call(experimentsRoute.POST, { method: "POST", body, headers: { ...editor.headers, "x-csrf-token": csrf } });
    expect(right.status, JSON.stringify(right.body)).toBe(201);
  });

  it("needs no CSRF token for bearer tokens (no ambient credentials to ride on)", async () => {
    const service = await tokenHolder(database, "service");
    const res = await call((await import("../../app/api/assignments/route")).POST, { method: "POST", body: { userId: "u1" }, headers: service.headers });
    expect(res.status).toBe(200);
  });
});
