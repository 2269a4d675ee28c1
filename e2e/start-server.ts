/**
 * Starts the product for e2e on a clean slate: a fresh database (on DATABASE_URL's server when set,
 * as on CI; else a fresh embedded one), 3 days of simulated history for 2,000 users, then the same
 * entry point as `npm start`. With E2E_KEEP_DATA=1 it starts again on the database it left (a restart).
 */
import { rmSync } from "node:fs";
import pg from "pg";
import { quoteIdent } from "../server/db/sql.ts";

const port = process.env.E2E_PORT ?? "3210";
Object.assign(process.env, {
  PORT: port,
  HOST: "127.0.0.1",
  SIM_USERS: "2000",
  SIM_BACKFILL_DAYS: "3",
  SIM_RATE: "1",
  LOG_LEVEL: "warn",
  NODE_ENV: "production",
});

const keep = process.env.E2E_KEEP_DATA === "1";
if (process.env.DATABASE_URL) {
  const admin = new URL(process.env.DATABASE_URL);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  // Named by port, so two e2e runs (two checkouts) can share one Postgres server.
  const database = `showrunner_e2e_${port}`;
  if (!keep) {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${quoteIdent(database)}`);
  }
  await client.end();
  admin.pathname = `/${database}`;
  process.env.DATABASE_URL = admin.toString();
} else {
  if (!keep) rmSync(`.data/e2e-${port}`, { recursive: true, force: true });
  process.env.DATA_DIR = `.data/e2e-${port}`;
  process.env.EMBEDDED_PG_PORT = String(Number(port) + 51_121); // 3210 → 54331
}

await import("../scripts/start.ts");
