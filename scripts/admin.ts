/**
 * Accounts and tokens from the command line (`npm run admin -- <command>`): how the first people
 * and machines get access. Secrets are printed once and stored only as hashes.
 *
 *   create-user --email E --role viewer|editor|admin [--password P]   (a strong one is generated)
 *   create-key --role service [--name N]        a service token for POST /api/assignments, /api/events
 *   create-wall-token [--name N]                a read-only token for /wall?token=… (live channels only)
 *   list                                        accounts and tokens
 *   revoke-token --id N
 *
 * Database: DATABASE_URL, else the embedded one (the running server's, or started for the command).
 */
import { parseArgs } from "node:util";
import pg from "pg";
import { ACCOUNT_ROLES } from "../lib/auth/roles.ts";
import { AccountExistsError, createAccount } from "../server/auth/accounts.ts";
import { createAccessToken, revokeAccessToken } from "../server/auth/tokens.ts";
import { createDb, type Db } from "../server/db/client.ts";
import { EMBEDDED_DATABASE, startEmbeddedPostgres } from "../server/db/embedded.ts";
import { applyMigrations } from "../server/db/migrate.ts";
import { parseEnv } from "../server/env.ts";
import { logger } from "../server/logger.ts";

const USAGE = `usage: npm run admin -- <command> [options]
  create-user --email E --role ${ACCOUNT_ROLES.join("|")} [--password P]
  create-key --role service [--name N]
  create-wall-token [--name N]
  list
  revoke-token --id N`;

const ACTOR = `cli:${process.env.USER ?? "admin"}`;

async function openDatabase(): Promise<{ url: string; close: () => Promise<void> }> {
  const env = parseEnv();
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, close: async () => undefined };
  const url = `postgresql://postgres:postgres@127.0.0.1:${env.EMBEDDED_PG_PORT}/${EMBEDDED_DATABASE}`;
  const probe = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await probe.connect(); // the server is running: use its database
    await probe.end();
    return { url, close: async () => undefined };
  } catch {
    const embedded = await startEmbeddedPostgres({ dataDir: env.DATA_DIR, port: env.EMBEDDED_PG_PORT, log: logger });
    return { url: embedded.url, close: () => embedded.stop() };
  }
}

async function run(db: Db, command: string | undefined, values: Record<string, string | undefined>): Promise<number> {
  switch (command) {
    case "create-user": {
      if (!values.email || !values.role) break;
      try {
        const account = await createAccount(db, { email: values.email, role: values.role, password: values.password });
        console.log(`created ${account.role} ${account.email}`);
        if (!values.password) console.log(`password: ${account.password}    (shown once)`);
        return 0;
      } catch (err) {
        if (err instanceof AccountExistsError) {
          console.error(err.message);
          return 1;
        }
        throw err;
      }
    }
    case "create-key": {
      if (values.role !== "service") {
        console.error("create-key makes service tokens: pass --role service (wall screens: create-wall-token)");
        return 2;
      }
      const token = await createAccessToken(db, { kind: "service", name: values.name ?? "recommendation-service", createdBy: ACTOR });
      console.log(`service token "${token.name}" (id ${token.id}): ${token.token}    (shown once)`);
      console.log("send it as: Authorization: Bearer <token>");
      return 0;
    }
    case "create-wall-token": {
      const token = await createAccessToken(db, { kind: "wall", name: values.name ?? "wall screen", createdBy: ACTOR });
      console.log(`wall token "${token.name}" (id ${token.id}): ${token.token}    (shown once)`);
      console.log(`open: http://<host>:<port>/wall?token=${token.token}`);
      return 0;
    }
    case "list": {
      const [accounts, tokens] = await Promise.all([db.account.findMany({ orderBy: { id: "asc" } }), db.accessToken.findMany({ orderBy: { id: "asc" } })]);
      console.log("accounts:");
      for (const a of accounts) console.log(`  ${a.id}\t${a.role}\t${a.email}${a.disabledAt ? "\t(disabled)" : ""}`);
      console.log("tokens:");
      for (const t of tokens) console.log(`  ${t.id}\t${t.kind}\t${t.prefix}…\t${t.name}${t.revokedAt ? "\t(revoked)" : ""}`);
      return 0;
    }
    case "revoke-token": {
      const id = Number(values.id);
      if (!Number.isInteger(id) || id <= 0) break;
      const revoked = await revokeAccessToken(db, id);
      console.log(revoked ? `revoked token ${id}` : `no live token ${id}`);
      return revoked ? 0 : 1;
    }
  }
  console.error(USAGE);
  return 2;
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { email: { type: "string" }, role: { type: "string" }, password: { type: "string" }, name: { type: "string" }, id: { type: "string" }, help: { type: "boolean" } },
  });
  if (values.help || positionals.length !== 1) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const database = await openDatabase();
  await applyMigrations(database.url);
  const db = createDb(database.url, { poolSize: 2 });
  try {
    return await run(db, positionals[0], values as Record<string, string | undefined>);
  } finally {
    await db.$disconnect();
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
