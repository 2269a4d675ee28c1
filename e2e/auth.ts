/**
 * Who the e2e specs act as. e2e/global-setup.ts creates the accounts and tokens; specs choose:
 *
 *   test.use(asRole("editor"));                      // a signed-in browser and `request`
 *   request.post(url, { headers: csrfHeader("editor"), data })   // cookie-authenticated mutation
 *   const { service } = e2eTokens();                 // Authorization: Bearer <service>
 */
import { readFileSync } from "node:fs";
import path from "node:path";

export type E2ERole = "viewer" | "editor" | "admin";

export const E2E_PORT = process.env.E2E_PORT ?? "3210";
/** Per port: two e2e runs in one checkout must not overwrite each other's sign-ins. */
export const AUTH_DIR = path.join("test-results", `.auth-${E2E_PORT}`);
export const TOKENS_FILE = path.join(AUTH_DIR, "tokens.json");
export const ROLES_FILE = path.join(AUTH_DIR, "roles.json");
export const E2E_PASSWORD = "e2e-password-not-secret";

export function e2eEmail(role: E2ERole): string {
  return `${role}@e2e.test`;
}

export function storageStateFor(role: E2ERole): string {
  return path.join(AUTH_DIR, `${role}.json`);
}

/** Playwright `use` options for a signed-in role; the file is read when a context opens. */
export function asRole(role: E2ERole): { storageState: string } {
  return { storageState: storageStateFor(role) };
}

/** The x-csrf-token header of a role's session, for mutating calls through the `request` fixture. */
export function csrfHeader(role: E2ERole): Record<string, string> {
  const state = JSON.parse(readFileSync(storageStateFor(role), "utf8")) as { cookies: { name: string; value: string }[] };
  return { "x-csrf-token": state.cookies.find((c) => c.name === "sr_csrf")?.value ?? "" };
}

export function e2eTokens(): { service: string; wall: string } {
  return JSON.parse(readFileSync(TOKENS_FILE, "utf8")) as { service: string; wall: string };
}

/** The environment e2e/start-server.ts gives the server on `port`, so the admin CLI finds the same database. */
export function serverEnv(port: string | number = E2E_PORT): Record<string, string> {
  if (process.env.DATABASE_URL) {
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = `/showrunner_e2e_${port}`;
    return { DATABASE_URL: url.toString() };
  }
  return { DATA_DIR: `.data/e2e-${port}`, EMBEDDED_PG_PORT: String(Number(port) + 51_121) };
}

/** A connection string for the e2e server's database (for specs that inject faults into it). */
export function e2eDatabaseUrl(port: string | number = E2E_PORT): string {
  const env = serverEnv(port);
  return env.DATABASE_URL ?? `postgresql://postgres:postgres@127.0.0.1:${env.EMBEDDED_PG_PORT}/showrunner`;
}

/** The token the admin CLI printed (srs_… service, srw_… wall). */
export function secretFrom(output: string): string {
  const match = /(sr[sw]_[A-Za-z0-9_-]+)/.exec(output);
  if (!match) throw new Error(`no token in admin output:\n${output}`);
  return match[1]!;
}
