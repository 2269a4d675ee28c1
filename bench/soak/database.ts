import pg from "pg";
import { applyMigrations } from "../../server/db/migrate";
import { quoteIdent } from "../../server/db/sql";

export interface SoakDatabase {
  url: string;
  name: string;
  /** Drops the database, whoever is still connected. */
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database on `adminUrl`'s server: server/testing/test-db.ts's
 * createTestDatabase, minus its Vitest `inject` (which throws outside a Vitest worker).
 */
export async function createSoakDatabase(adminUrl: string, name: string): Promise<SoakDatabase> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`database name ${name}: lower-case letters, digits and _ only`);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const drop = async () => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try {
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    } finally {
      await c.end();
    }
  };
  try {
    await applyMigrations(url.toString());
  } catch (err) {
    await drop().catch(() => undefined);
    throw err;
  }
  return { url: url.toString(), name, drop };
}
