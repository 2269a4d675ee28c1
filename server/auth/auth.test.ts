/**
 * Accounts, sessions and tokens on a real Postgres, and the sign-in route as a browser meets it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as loginRoute from "../../app/api/auth/login/route";
import * as logoutRoute from "../../app/api/auth/logout/route";
import * as meRoute from "../../app/api/auth/me/route";
import type { Services } from "../services";
import { createTestDatabase, type TestDatabase } from "../testing/test-db";
import { call, installTestServices } from "../testing/test-services";
import { createAccount, ensureFirstAdmin, verifyLogin } from "./accounts";
import { hashSecret } from "./secrets";
import { readSession } from "./sessions";
import { createAccessToken, findAccessToken, revokeAccessToken } from "./tokens";

let database: TestDatabase;
let services: Services;

beforeAll(async () => {
  database = await createTestDatabase("sr_auth");
  services = await installTestServices(database);
});

afterAll(async () => {
  await services.exposures.close();
  await database.drop();
});

async function login(email: string, password: string, address = "10.0.0.1") {
  const request = new Request("http://localhost/api/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": address },
    body: JSON.stringify({ email, password }),
  });
  const response = await loginRoute.POST(request, { params: Promise.resolve({}) });
  return { status: response.status, cookies: response.headers.getSetCookie(), body: await response.json() };
}

describe("accounts", () => {
  it("creates the first admin once, with a generated password that signs in, and never again", async () => {
    const first = await ensureFirstAdmin(database.db);
    expect(first?.email).toBe("admin@showrunner.local");
    expect(first!.password).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
    expect(await ensureFirstAdmin(database.db)).toBeNull();
    expect(await verifyLogin(database.db, "ADMIN@Showrunner.local", first!.password)).toMatchObject({ role: "admin" });
    const stored = await database.db.account.findUniqueOrThrow({ where: { email: "admin@showrunner.local" } });
    expect(stored.passwordHash).toMatch(/^\$argon2id\$/);
    expect(stored.passwordHash).not.toContain(first!.password);
  });

  it("refuses a wrong password, an unknown email and a disabled account", async () => {
    const a = await createAccount(database.db, { email: "pat@example.com", role: "viewer", password: "a long enough password" });
    expect(await verifyLogin(database.db, "pat@example.com", "a long enough passwore")).toBeNull();
    expect(await verifyLogin(database.db, "nobody@example.com", "a long enough password")).toBeNull();
    await database.db.account.update({ where: { id: a.id }, data: { disabledAt: new Date() } });
    expect(await verifyLogin(database.db, "pat@example.com", "a long enough password")).toBeNull();
  });

  it("rejects weak input with messages", async () => {
    await expect(createAccount(database.db, { email: "x@example.com", role: "viewer", password: "short" })).rejects.toThrow(/at least 12 characters/);
    await expect(createAccount(database.db, { email: "not-an-email", role: "viewer" })).rejects.toThrow(/email/);
    await expect(createAccount(database.db, { email: "x@example.com", role: "root" })).rejects.toThrow(/viewer, editor, admin/);
  });
});

describe("sign-in route", () => {
  it("sets an httpOnly SameSite session cookie and a readable CSRF cookie; /me answers; sign-out ends it", async () => {
    await createAccount(database.db, { email: "sam@example.com", role: "editor", password: "correct horse battery" });
    const res = await login("sam@example.com", "correct horse battery");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ email: "sam@example.com", role: "editor" });
    const session = res.cookies.find((c) => c.startsWith("sr_session="))!;
    const csrf = res.cookies.find((c) => c.startsWith("sr_csrf="))!;
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);
    expect(csrf).not.toMatch(/HttpOnly/i);
    const token = /sr_session=([^;]+)/.exec(session)![1]!;
    const csrfToken = /sr_csrf=([^;]+)/.exec(csrf)![1]!;
    const cookie = `sr_session=${token}; sr_csrf=${csrfToken}`;
    // Only the hash is stored.
    expect(await database.db.authSession.count({ where: { tokenHash: token } })).toBe(0);
    expect(await database.db.authSession.count({ where: { tokenHash: hashSecret(token) } })).toBe(1);

    expect((await call(meRoute.GET, { headers: { cookie } })).body).toEqual({ email: "sam@example.com", role: "editor" });
    const out = await call(logoutRoute.POST, { method: "POST", headers: { cookie, "x-csrf-token": csrfToken } });
    expect(out.status).toBe(200);
    expect(await readSession(database.db, token)).toBeNull();
    expect((await call(meRoute.GET, { headers: { cookie } })).status).toBe(401);
  });

  it("answers a wrong password with 401 and, after 10 failures for an email, 429 even for the right one", async () => {
    await createAccount(database.db, { email: "target@example.com", role: "viewer", password: "the real password!" });
    for (let i = 0; i < 10; i++) {
      const r = await login("target@example.com", `guess number ${i}`, `10.1.0.${i}`);
      expect(r.status).toBe(401);
      expect(r.body.error).toBe("wrong email or password");
    }
    const blocked = await login("target@example.com", "the real password!", "10.2.0.1");
    expect(blocked.status).toBe(429);
    expect(blocked.body.error).toMatch(/too many failed sign-ins/);
  });

  it("rejects a malformed body with a 400", async () => {
    const request = new Request("http://localhost/api/auth/login", { method: "POST", headers: { "content-type": "application/json" }, body: '{"email":""}' });
    const res = await loginRoute.POST(request, { params: Promise.resolve({}) });
    expect(res.status).toBe(400);
  });
});

describe("access tokens", () => {
  it("finds a live token by its secret, stores only the hash, and stops finding it once revoked", async () => {
    const created = await createAccessToken(database.db, { kind: "wall", name: "ops TV", createdBy: "test" });
    expect(created.token).toMatch(/^srw_[A-Za-z0-9_-]{43}$/);
    expect(await findAccessToken(database.db, created.token)).toEqual({ id: created.id, name: "ops TV", kind: "wall" });
    expect(await findAccessToken(database.db, created.token + "x")).toBeNull();
    const row = await database.db.accessToken.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.tokenHash).toBe(hashSecret(created.token));
    expect(await revokeAccessToken(database.db, created.id)).toBe(true);
    expect(await findAccessToken(database.db, created.token)).toBeNull();
  });
});
