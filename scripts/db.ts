/**
 * Database chores behind the `db:*` npm scripts (run with tsx):
 *
 *   migrate            apply pending prisma/migrations to DATABASE_URL (what `npm start` also does)
 *   status             applied / pending migrations, plus two checks through the schema engine:
 *                      schema.prisma vs prisma/migrations, and the database vs prisma/migrations
 *   reset              drop and recreate schema "public", then migrate (refused when NODE_ENV=production)
 *   new <verb_phrase>  write prisma/migrations/<timestamp>_<verb_phrase>/migration.sql with the SQL
 *                      that takes prisma/migrations to schema.prisma; nothing when they already agree
 *   seed               placeholder: seeding happens on first `npm start`
 *
 * Diffs go through the stock Prisma CLI, whose schema engine is scripts/prisma-schema-engine.mjs
 * (see prisma.config.ts); it needs a reachable Postgres server for a throw-away shadow database.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import pg from "pg";
import { applyMigrations, getMigrationStatus, readMigrations } from "../server/db/migrate.ts";

export const DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/showrunner";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const migrationsDir = path.join(repoRoot, "prisma", "migrations");
const schemaFile = path.join(repoRoot, "prisma", "schema.prisma");
const prismaCli = path.join(repoRoot, "node_modules", "prisma", "build", "index.js");

/** One side of `prisma migrate diff`. */
export type DiffSource =
  | { kind: "migrations"; dir?: string }
  | { kind: "schema"; file?: string }
  /** The database at the `databaseUrl` passed alongside. */
  | { kind: "database" }
  | { kind: "empty" };

export interface SchemaDiff {
  /** True when the two sides describe different database schemas. */
  differs: boolean;
  /** SQL that takes `from` to `to` (empty when they agree). */
  script: string;
}

function diffFlags(side: "from" | "to", source: DiffSource): string[] {
  switch (source.kind) {
    case "migrations":
      return [`--${side}-migrations`, source.dir ?? migrationsDir];
    case "schema":
      return [`--${side}-schema`, source.file ?? schemaFile];
    case "database":
      return [`--${side}-config-datasource`];
    case "empty":
      return [`--${side}-empty`];
  }
}

/** Runs the repository's Prisma CLI with DATABASE_URL set (prisma.config.ts reads it). */
export function runPrisma(args: string[], databaseUrl: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [prismaCli, ...args], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl, CHECKPOINT_DISABLE: "1", PRISMA_HIDE_UPDATE_MESSAGE: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

async function diffOnce(from: DiffSource, to: DiffSource, databaseUrl: string, script: boolean): Promise<{ differs: boolean; text: string }> {
  const args = ["migrate", "diff", ...diffFlags("from", from), ...diffFlags("to", to), "--exit-code"];
  if (script) args.push("--script");
  const { code, stdout, stderr } = await runPrisma(args, databaseUrl);
  // --exit-code: 0 no difference, 2 difference, anything else an error.
  if (code !== 0 && code !== 2) throw new Error(`prisma ${args.join(" ")} failed (exit ${code}):\n${stderr || stdout}`);
  return { differs: code === 2, text: stdout.trim() };
}

/**
 * Asks Prisma's schema engine for the SQL difference between two schema sources. `databaseUrl` is
 * the datasource for `{ kind: "database" }` and the server that hosts the shadow database.
 */
export async function schemaDiff(from: DiffSource, to: DiffSource, databaseUrl: string): Promise<SchemaDiff> {
  const { differs, text } = await diffOnce(from, to, databaseUrl, true);
  return { differs, script: differs ? text : "" };
}

/** `yyyymmddHHMMSS` in UTC, later than every existing migration even if the clock is behind. */
function nextTimestamp(existing: string[]): string {
  const now = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
  const latest = existing.map((name) => name.slice(0, 14)).sort().at(-1);
  if (!latest || now > latest) return now;
  return String(BigInt(latest) + 1n);
}

async function createMigration(verbPhrase: string | undefined, databaseUrl: string): Promise<void> {
  if (!verbPhrase || !/^[a-z][a-z0-9_]*$/.test(verbPhrase)) {
    throw new Error("usage: npm run db:new -- <verb_phrase>   (snake_case, e.g. add_variant_daily_stats)");
  }
  const existing = await readMigrations(migrationsDir);
  const { script: sql } = await schemaDiff({ kind: "migrations" }, { kind: "schema" }, databaseUrl);
  if (!sql) {
    console.log("schema.prisma matches prisma/migrations: no migration created.");
    return;
  }
  const name = `${nextTimestamp(existing.map((m) => m.name))}_${verbPhrase}`;
  const dir = path.join(migrationsDir, name);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "migration.sql"), `${sql}\n`);
  const lockfile = path.join(migrationsDir, "migration_lock.toml");
  if (!existsSync(lockfile)) {
    await writeFile(
      lockfile,
      `# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n`,
    );
  }
  console.log(`created ${path.relative(repoRoot, path.join(dir, "migration.sql"))}:\n\n${sql}\n`);
  console.log("review it, then `npm run db:migrate` (or restart the server) to apply it.");
}

async function printStatus(databaseUrl: string): Promise<boolean> {
  let healthy = true;
  const shown = new URL(databaseUrl);
  if (shown.password) shown.password = "***";
  console.log(`database: ${shown.toString()}`);
  try {
    const status = await getMigrationStatus(databaseUrl, migrationsDir);
    for (const name of status.applied) console.log(`  applied  ${name}${status.edited.includes(name) ? "  (edited since!)" : ""}`);
    for (const name of status.pending) console.log(`  pending  ${name}`);
    for (const name of status.failed) console.log(`  FAILED   ${name}`);
    for (const name of status.unknown) console.log(`  unknown  ${name}  (in the database, not on disk)`);
    if (status.pending.length > 0) console.log("→ `npm run db:migrate` applies the pending migrations.");
    healthy = status.pending.length === 0 && status.failed.length === 0 && status.edited.length === 0;
    if (healthy) {
      const drift = await diffOnce({ kind: "migrations" }, { kind: "database" }, databaseUrl, false);
      console.log(drift.differs ? `drift: the database differs from prisma/migrations:\n${drift.text}` : "drift: none");
      healthy = !drift.differs;
    }
  } catch (err) {
    if ((err as { code?: string }).code !== "3D000") throw err;
    console.log("  the database does not exist yet: `npm run db:migrate` creates it.");
    healthy = false;
  }
  const unmigrated = await diffOnce({ kind: "migrations" }, { kind: "schema" }, databaseUrl, false);
  if (unmigrated.differs) {
    console.log(`schema.prisma has changes no migration contains:\n${unmigrated.text}\n→ \`npm run db:new -- <verb_phrase>\``);
    healthy = false;
  } else {
    console.log("schema.prisma: every change is in a migration");
  }
  return healthy;
}

async function resetDatabase(databaseUrl: string): Promise<void> {
  if (process.env.NODE_ENV === "production") throw new Error("refusing to reset with NODE_ENV=production");
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public; GRANT USAGE ON SCHEMA public TO PUBLIC`);
    console.log("dropped and recreated schema public");
  } catch (err) {
    if ((err as { code?: string }).code !== "3D000") throw err; // applyMigrations creates it
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const databaseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const log = (line: string) => console.log(line);
  const started = performance.now();
  switch (command) {
    case "migrate": {
      const { applied } = await applyMigrations(databaseUrl, log, migrationsDir);
      console.log(applied.length ? `${applied.length} migration(s) applied` : "already up to date");
      break;
    }
    case "status":
      return (await printStatus(databaseUrl)) ? 0 : 1;
    case "reset": {
      await resetDatabase(databaseUrl);
      const { applied } = await applyMigrations(databaseUrl, log, migrationsDir);
      console.log(`${applied.length} migration(s) applied`);
      break;
    }
    case "new":
      await createMigration(rest[0], databaseUrl);
      break;
    case "seed":
      console.log("seeding happens on first `npm start`");
      break;
    default:
      console.error("usage: tsx scripts/db.ts <migrate|status|reset|new <verb_phrase>|seed>");
      return 2;
  }
  console.log(`done in ${Math.round(performance.now() - started)} ms`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
