import { createHash, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { quoteIdent } from "./sql";

/**
 * Applies `prisma/migrations/<name>/migration.sql` at start-up without the Prisma CLI, keeping
 * Prisma's own bookkeeping (`_prisma_migrations`, same columns and checksums) so that
 * `prisma migrate status` / `migrate deploy` agree with what ran here.
 */

/** Prisma Migrate's advisory lock key: holding it also keeps a concurrent `prisma migrate deploy` out. */
const PRISMA_MIGRATE_LOCK_KEY = 72707369;
/** How long a second process starting at the same time waits for the first one's migrations. */
const LOCK_WAIT = "60s";

export interface Migration {
  /** Folder name, `<UTC yyyymmddHHMMSS>_<verb_phrase>`; migrations apply in this name's order. */
  name: string;
  sql: string;
  /** sha256 hex of migration.sql's bytes, as Prisma records it. */
  checksum: string;
}

export type Log = (line: string) => void;

/** This repository's `prisma/migrations`, found from this file first and the working directory second. */
export function defaultMigrationsDir(): string {
  const candidates = [fileURLToPath(new URL("../../prisma/migrations", import.meta.url)), path.resolve("prisma/migrations")];
  return candidates.find((dir) => existsSync(dir)) ?? candidates[candidates.length - 1]!;
}

/** The migrations on disk, oldest first. */
export async function readMigrations(migrationsDir: string = defaultMigrationsDir()): Promise<Migration[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return [];
    throw err;
  });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const file = path.join(migrationsDir, name, "migration.sql");
      const bytes = await readFile(file).catch((err: NodeJS.ErrnoException) => {
        throw new Error(`migration ${name} has no migration.sql (${err.code ?? err.message})`);
      });
      return { name, sql: bytes.toString("utf8"), checksum: createHash("sha256").update(bytes).digest("hex") };
    }),
  );
}

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
}

export interface MigrationStatus {
  /** On disk and recorded as finished. */
  applied: string[];
  /** On disk, not applied yet. */
  pending: string[];
  /** Recorded as started but never finished (only `prisma migrate` leaves these behind). */
  failed: string[];
  /** Applied, but migration.sql changed since. */
  edited: string[];
  /** Recorded in the database but missing from disk. */
  unknown: string[];
}

function connectionConfig(databaseUrl: string): { config: pg.ClientConfig; schema: string | undefined } {
  const url = new URL(databaseUrl);
  // `?schema=` is Prisma's, not libpq's: pg would pass it on as a startup parameter.
  const schema = url.searchParams.get("schema") ?? undefined;
  url.searchParams.delete("schema");
  return { config: { connectionString: url.toString(), application_name: "showrunner-migrate" }, schema };
}

/** Creates the URL's database if the server lacks it (what `prisma migrate deploy` also does). */
async function createDatabaseIfMissing(databaseUrl: string, log: Log): Promise<void> {
  const url = new URL(databaseUrl);
  const database = decodeURIComponent(url.pathname.slice(1));
  url.pathname = database === "postgres" ? "/template1" : "/postgres";
  url.searchParams.delete("schema");
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${quoteIdent(database)}`);
    log(`created database ${database}`);
  } catch (err) {
    // Another process got there first.
    const code = (err as { code?: string }).code;
    if (code !== "42P04" && code !== "23505") throw err;
  } finally {
    await admin.end().catch(() => undefined);
  }
}

async function connect(databaseUrl: string, log: Log): Promise<pg.Client> {
  const { config, schema } = connectionConfig(databaseUrl);
  let client = new pg.Client(config);
  try {
    await client.connect();
  } catch (err) {
    if ((err as { code?: string }).code !== "3D000") throw err;
    await client.end().catch(() => undefined);
    await createDatabaseIfMissing(databaseUrl, log);
    client = new pg.Client(config);
    await client.connect();
  }
  if (schema) {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await client.query(`SET search_path TO ${quoteIdent(schema)}`);
  }
  return client;
}

async function migrationsTableExists(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ present: boolean }>(
    `SELECT to_regclass(quote_ident(current_schema()) || '._prisma_migrations') IS NOT NULL AS present`,
  );
  return rows[0]?.present === true;
}

async function readRows(client: pg.Client): Promise<MigrationRow[]> {
  if (!(await migrationsTableExists(client))) return [];
  const { rows } = await client.query<MigrationRow>(
    `SELECT migration_name, checksum, finished_at, rolled_back_at, logs FROM "_prisma_migrations" ORDER BY started_at`,
  );
  return rows;
}

function compare(onDisk: Migration[], rows: MigrationRow[]): MigrationStatus {
  const live = rows.filter((r) => r.rolled_back_at === null);
  const finished = new Map(live.filter((r) => r.finished_at !== null).map((r) => [r.migration_name, r]));
  const failed = live.filter((r) => r.finished_at === null).map((r) => r.migration_name);
  const names = new Set(onDisk.map((m) => m.name));
  return {
    applied: onDisk.filter((m) => finished.has(m.name)).map((m) => m.name),
    pending: onDisk.filter((m) => !finished.has(m.name) && !failed.includes(m.name)).map((m) => m.name),
    failed,
    edited: onDisk.filter((m) => finished.has(m.name) && finished.get(m.name)!.checksum !== m.checksum).map((m) => m.name),
    unknown: [...finished.keys()].filter((name) => !names.has(name)),
  };
}

/** Compares `prisma/migrations` with the database's `_prisma_migrations`, read-only. */
export async function getMigrationStatus(databaseUrl: string, migrationsDir: string = defaultMigrationsDir()): Promise<MigrationStatus> {
  const onDisk = await readMigrations(migrationsDir);
  const { config, schema } = connectionConfig(databaseUrl);
  const client = new pg.Client(config);
  await client.connect();
  try {
    if (schema) await client.query(`SET search_path TO ${quoteIdent(schema)}`);
    return compare(onDisk, await readRows(client));
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Brings the database up to `prisma/migrations`: each pending migration runs in its own
 * transaction together with its `_prisma_migrations` row, in folder-name order. A failing
 * migration rolls back completely and throws, leaving no row behind, so fixing the SQL and
 * starting again is enough (unlike `prisma migrate deploy`, no `migrate resolve` is needed).
 *
 * Processes starting at once serialise on Prisma's advisory lock; the losers then find nothing to
 * do. Creates the database itself if the server lacks it.
 */
export async function applyMigrations(
  databaseUrl: string,
  log: Log = () => undefined,
  migrationsDir: string = defaultMigrationsDir(),
): Promise<{ applied: string[] }> {
  const onDisk = await readMigrations(migrationsDir);
  const client = await connect(databaseUrl, log);
  const applied: string[] = [];
  try {
    await client.query(`SET lock_timeout = '${LOCK_WAIT}'`);
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_MIGRATE_LOCK_KEY]).catch((err: { code?: string }) => {
      if (err.code !== "55P03") throw err;
      throw new Error(`another process has held the migration lock for over ${LOCK_WAIT}; is a migration stuck?`, { cause: err });
    });
    await client.query("SET lock_timeout = 0");
    try {
      if (!(await migrationsTableExists(client))) {
        // Prisma's own definition (sql-schema-connector), so its CLI reads it unchanged.
        await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
          "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
          "checksum"            VARCHAR(64) NOT NULL,
          "finished_at"         TIMESTAMPTZ,
          "migration_name"      VARCHAR(255) NOT NULL,
          "logs"                TEXT,
          "rolled_back_at"      TIMESTAMPTZ,
          "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
          "applied_steps_count" INTEGER NOT NULL DEFAULT 0
        )`);
      }
      const status = compare(onDisk, await readRows(client));
      if (status.failed.length > 0) {
        throw new Error(
          `migration ${status.failed.join(", ")} failed earlier under \`prisma migrate\` and is marked unfinished; ` +
            `fix the database, then run \`npx prisma migrate resolve --rolled-back <name>\` (or --applied)`,
        );
      }
      for (const name of status.edited) log(`warning: ${name}/migration.sql changed after it was applied`);
      for (const name of status.unknown) log(`warning: the database has migration ${name}, which is not on disk`);

      for (const migration of onDisk.filter((m) => status.pending.includes(m.name))) {
        const started = Date.now();
        await client.query("BEGIN");
        try {
          const startedAt = new Date();
          // eslint-disable-next-line showrunner/no-string-built-sql -- a migration file from prisma/migrations, reviewed like code
          await client.query(migration.sql);
          await client.query(
            `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
             VALUES ($1, $2, $3, $4, clock_timestamp(), 1)`,
            [randomUUID(), migration.checksum, migration.name, startedAt],
          );
          await client.query("COMMIT");
        } catch (err) {
          await client.query("ROLLBACK").catch(() => undefined);
          const reason = err instanceof Error ? err.message : String(err);
          throw new Error(`migration ${migration.name} failed and was rolled back: ${reason}`, { cause: err });
        }
        applied.push(migration.name);
        log(`applied migration ${migration.name} (${Date.now() - started} ms)`);
      }
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_MIGRATE_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  return { applied };
}
