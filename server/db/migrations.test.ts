import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPrisma, schemaDiff } from "../../scripts/db.ts";
import { applyMigrations, readMigrations } from "./migrate.ts";
import { quoteIdent } from "./sql.ts";

// The oracle for "the migrations build the schema" is Prisma's own schema engine, reached through
// the stock CLI (scripts/prisma-schema-engine.mjs), comparing a live database with schema.prisma.

const serverUrl = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
const created: string[] = [];

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function createDatabase(): Promise<string> {
  const name = `sr_migrations_test_${randomBytes(4).toString("hex")}`;
  await admin((c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
  created.push(name);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function query<R extends pg.QueryResultRow>(url: string, sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // eslint-disable-next-line showrunner/no-string-built-sql -- the tests' own literal statements, passed through
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("prisma/migrations", () => {
  let migratedUrl: string;
  let emptyUrl: string;

  beforeAll(async () => {
    [migratedUrl, emptyUrl] = await Promise.all([createDatabase(), createDatabase()]);
  });

  afterAll(async () => {
    await admin(async (c) => {
      for (const name of created) await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    });
  });

  it("applies every migration to an empty database, in order", async () => {
    const onDisk = await readMigrations();
    expect(onDisk.length).toBeGreaterThan(0);
    const { applied } = await applyMigrations(migratedUrl);
    expect(applied).toEqual(onDisk.map((m) => m.name));
  });

  it("leaves no drift: the migrated database equals schema.prisma", async () => {
    const diff = await schemaDiff({ kind: "database" }, { kind: "schema" }, migratedUrl);
    expect(diff).toEqual({ differs: false, script: "" });
  });

  it("drift check can fail: an empty database differs from schema.prisma", async () => {
    const diff = await schemaDiff({ kind: "database" }, { kind: "schema" }, emptyUrl);
    expect(diff.differs).toBe(true);
    expect(diff.script).toContain('CREATE TABLE "consumer_offset"');
  });

  it("records Prisma's bookkeeping: one finished row per migration, checksum = sha256 of the file", async () => {
    const rows = await query<{ migration_name: string; checksum: string; finished: boolean; applied_steps_count: number }>(
      migratedUrl,
      `SELECT migration_name, checksum, finished_at IS NOT NULL AS finished, applied_steps_count
         FROM _prisma_migrations ORDER BY migration_name`,
    );
    const onDisk = await readMigrations();
    expect(rows).toEqual(onDisk.map((m) => ({ migration_name: m.name, checksum: m.checksum, finished: true, applied_steps_count: 1 })));
  });

  it("prisma migrate status agrees that nothing is pending", async () => {
    const { code, stdout } = await runPrisma(["migrate", "status"], migratedUrl);
    expect(stdout).toContain("Database schema is up to date!");
    expect(code).toBe(0);
  });

  it("is idempotent and quick when there is nothing to do", async () => {
    const started = performance.now();
    const { applied } = await applyMigrations(migratedUrl);
    const elapsed = performance.now() - started;
    expect(applied).toEqual([]);
    expect(elapsed).toBeLessThan(1000);
    const [{ count }] = (await query<{ count: string }>(migratedUrl, "SELECT count(*) FROM _prisma_migrations")) as [{ count: string }];
    expect(Number(count)).toBe((await readMigrations()).length);
  });

  it("two processes starting at once apply each migration exactly once", async () => {
    const [a, b] = await Promise.all([applyMigrations(emptyUrl), applyMigrations(emptyUrl)]);
    const onDisk = (await readMigrations()).map((m) => m.name);
    expect([...a.applied, ...b.applied].sort()).toEqual(onDisk);
    const rows = await query<{ migration_name: string }>(emptyUrl, "SELECT migration_name FROM _prisma_migrations");
    expect(rows).toHaveLength(onDisk.length);
  });
});
