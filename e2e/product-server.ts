/**
 * A second product server that a spec owns (Playwright's webServer cannot be killed mid-run):
 * started with e2e/start-server.ts on its own port and database, killed like a crashed host, and
 * started again on the same data.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { serverEnv } from "./auth";

export interface ProductServer {
  url: string;
  /** Runs the admin CLI against this server's database; returns what it printed. */
  admin(args: string[]): string;
  /** SIGKILL to the whole process group (server and, when embedded, its Postgres). */
  kill(): Promise<void>;
  /** Starts it again on the data it left. */
  restart(): Promise<void>;
}

async function waitHealthy(url: string, child: ChildProcess, output: () => string, timeoutMs = 180_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output()}`);
    const ok = await fetch(`${url}/api/health`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`server at ${url} not healthy after ${timeoutMs} ms:\n${output()}`);
}

export async function startProductServer(port: number): Promise<ProductServer> {
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess;
  let log = "";
  const start = async (keep: boolean) => {
    log = "";
    child = spawn("npx", ["tsx", "e2e/start-server.ts"], {
      env: { ...process.env, E2E_PORT: String(port), E2E_KEEP_DATA: keep ? "1" : "0" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group, so kill() reaches everything it started
    });
    const keepTail = (chunk: Buffer) => (log = (log + chunk.toString()).slice(-8_000));
    child.stdout!.on("data", keepTail);
    child.stderr!.on("data", keepTail);
    await waitHealthy(url, child, () => log);
  };
  await start(false);
  return {
    url,
    admin: (args) => execFileSync("npx", ["tsx", "scripts/admin.ts", ...args], { env: { ...process.env, ...serverEnv(port) }, encoding: "utf8" }),
    async kill() {
      if (child.exitCode !== null || child.pid === undefined) return;
      const exited = new Promise((r) => child.once("exit", r));
      process.kill(-child.pid, "SIGKILL");
      await exited;
    },
    restart: () => start(true),
  };
}
