/**
 * Runs once the e2e server is up (Playwright starts webServer first): creates one account per role
 * and a service and a wall token through the admin CLI, as an operator would, then signs each
 * account in and saves its cookies, so specs pick a role with `test.use(asRole("editor"))`.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { request, type FullConfig } from "@playwright/test";
import { AUTH_DIR, E2E_PASSWORD, ROLES_FILE, TOKENS_FILE, e2eEmail, secretFrom, serverEnv, storageStateFor, type E2ERole } from "./auth";

function admin(args: string[]): string {
  return execFileSync("npx", ["tsx", "scripts/admin.ts", ...args], { env: { ...process.env, ...serverEnv() }, encoding: "utf8" });
}


export default async function globalSetup(config: FullConfig): Promise<void> {
  const baseURL = config.projects[0]!.use.baseURL!;
  mkdirSync(AUTH_DIR, { recursive: true });
  const roles: E2ERole[] = ["viewer", "editor", "admin"];
  for (const role of roles) admin(["create-user", "--email", e2eEmail(role), "--role", role, "--password", E2E_PASSWORD]);
  const tokens = {
    service: secretFrom(admin(["create-key", "--role", "service", "--name", "e2e recommender"])),
    wall: secretFrom(admin(["create-wall-token", "--name", "e2e wall"])),
  };
  writeFileSync(TOKENS_FILE, JSON.stringify(tokens));
  for (const role of roles) {
    const context = await request.newContext({ baseURL });
    const res = await context.post("/api/auth/login", { data: { email: e2eEmail(role), password: E2E_PASSWORD } });
    if (!res.ok()) throw new Error(`signing in as ${role} failed: ${res.status()} ${await res.text()}`);
    await context.storageState({ path: storageStateFor(role) });
    await context.dispose();
  }
  writeFileSync(ROLES_FILE, JSON.stringify(roles));
}
