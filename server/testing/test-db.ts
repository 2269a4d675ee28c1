import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { createDb, type Db } from "../db/client";
import { applyMigrations } from "../db/migrate";
import { createPool } from "../db/pool";
import { quoteIdent } from "../db/sql";

export interface TestDatabase {
  url: string;
  db: Db;
  /** node-postgres pool on the same database, for the ingest path. */
  pool: pg.Pool;
  /** Drops the database. */
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own for one test file. */
export async function createTestDatabase(prefix = "sr_test"): Promise<TestDatabase> {
  const adminUrl = inject("postgresAdminUrl");
  const name = `${prefix}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await applyMigrations(url.toString());
  const db = createDb(url.toString(), { poolSize: 4 });
  const pool = createPool(url.toString(), 4);
  return {
    url: url.toString(),
    db,
    pool,
    async drop() {
      await db.$disconnect();
      await pool.end();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      await c.end();
    },
  };
}
