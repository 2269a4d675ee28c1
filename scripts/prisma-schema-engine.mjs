#!/usr/bin/env node
// A stand-in for Prisma's native schema-engine binary, which this network cannot download.
// prisma.config.ts names this file in PRISMA_SCHEMA_ENGINE_BINARY; the stock CLI then spawns it and
// speaks the same protocol as to the native engine:
//   schema-engine --version
//   schema-engine --datasource '{"url":…}' cli <can-connect-to-database|create-database|drop-database>
//   schema-engine --datasource '{"url":…}' [--datamodels <path>]…   → JSON-RPC 2.0, one message a line
// The work is done by Prisma's own WebAssembly build of the engine (@prisma/schema-engine-wasm),
// which talks to Postgres through @prisma/adapter-pg. Where that pairing falls short of the native
// engine, this file fills in and says why next to the code.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory, ColumnTypeEnum } from "@prisma/driver-adapter-utils";
import pg from "pg";

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

// ---------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------

function parseArgs(argv) {
  const args = { datamodels: [], datasource: undefined, cli: undefined, version: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--version" || arg === "-V") args.version = true;
    else if (arg === "--datamodels") args.datamodels.push(argv[++i]);
    else if (arg === "--datasource") args.datasource = JSON.parse(argv[++i]);
    else if (arg === "--enabled-preview-features" || arg === "--extension-types") i++;
    else if (arg === "cli") args.cli = argv[++i];
  }
  return args;
}

// ---------------------------------------------------------------------------------------------
// Postgres connection settings
// ---------------------------------------------------------------------------------------------

/**
 * Splits a Prisma-style Postgres URL into pg fields. Separate fields rather than a
 * connectionString: pg lets connectionString override `database`, which would point the shadow
 * database at the main one.
 */
function pgConfigFromUrl(url) {
  const u = new URL(url);
  if (u.protocol !== "postgresql:" && u.protocol !== "postgres:") {
    throw userError("P1013", `The provided database string is invalid. Only postgresql:// URLs are supported here.`);
  }
  const params = u.searchParams;
  const host = params.get("host") ?? (decodeURIComponent(u.hostname) || "localhost");
  const config = {
    host,
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username) || process.env.PGUSER || "postgres",
    password: u.password ? decodeURIComponent(u.password) : undefined,
    database: decodeURIComponent(u.pathname.replace(/^\//, "")) || "postgres",
    // The engine opens a handful of connections at most; keep idle ones from holding the exit.
    max: 4,
    idleTimeoutMillis: 1000,
    connectionTimeoutMillis: Number(params.get("connect_timeout") ?? 5) * 1000,
  };
  const sslmode = params.get("sslmode");
  if (sslmode && sslmode !== "disable") config.ssl = { rejectUnauthorized: sslmode === "verify-full" };
  return { config, schema: params.get("schema") ?? undefined };
}

function describeServer(config) {
  return `${config.host}:${config.port}`;
}

// ---------------------------------------------------------------------------------------------
// Driver adapter, with the fixes the wasm engine needs
// ---------------------------------------------------------------------------------------------

/**
 * adapter-pg rejects Postgres "char" (OID 18) result columns, which the engine's catalog queries
 * return (pg_constraint.contype and friends). Report them as the Character column type.
 */
function acceptCharColumns(queryable) {
  const queryRaw = queryable.queryRaw;
  const performIO = queryable.performIO;
  queryable.queryRaw = async function (query) {
    const charColumns = [];
    const view = Object.create(this, {
      performIO: {
        value: async (q) => {
          const result = await performIO.call(this, q);
          result.fields.forEach((field, index) => {
            if (field.dataTypeID === PG_CHAR_OID) {
              charColumns.push(index);
              field.dataTypeID = PG_TEXT_OID;
            }
          });
          return result;
        },
      },
    });
    const result = await queryRaw.call(view, query);
    for (const index of charColumns) result.columnTypes[index] = ColumnTypeEnum.Character;
    return result;
  };
  return queryable;
}

/**
 * adapter-pg's executeScript splits the script on every ";" (breaking $$ bodies and string
 * literals) and runs the pieces one by one. Postgres runs a parameterless multi-statement query
 * as one implicit transaction, which is what the native engine relies on for migration scripts.
 */
function runScriptsWhole(adapter) {
  adapter.executeScript = async function (script) {
    try {
      await this.client.query(script);
    } catch (error) {
      this.onError(error);
    }
  };
  return adapter;
}

function fixAdapter(adapter) {
  acceptCharColumns(adapter);
  runScriptsWhole(adapter);
  const startTransaction = adapter.startTransaction;
  adapter.startTransaction = async function (...args) {
    return acceptCharColumns(await startTransaction.apply(this, args));
  };
  return adapter;
}

/** Shadow databases this process created and has not dropped yet. */
const shadowDatabases = new Set();

async function dropShadowDatabase(config, name) {
  const admin = new pg.Client({ ...config, database: maintenanceDatabase(config) });
  try {
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    shadowDatabases.delete(name);
  } finally {
    await admin.end().catch(() => {});
  }
}

function maintenanceDatabase(config) {
  return config.database === "postgres" ? "template1" : "postgres";
}

/**
 * adapter-pg's own connectToShadowDb reuses the main database when given a connectionString and
 * drops the shadow database while its pool still holds connections (so the DROP fails and the
 * database stays behind). This one creates a throw-away database next to the main one and drops it
 * after closing its pool.
 */
class ShadowAwarePgFactory {
  provider = "postgres";
  adapterName = "@prisma/adapter-pg";

  constructor(config, schema, shadowUrl) {
    this.config = config;
    this.options = schema ? { schema } : undefined;
    this.shadow = shadowUrl ? pgConfigFromUrl(shadowUrl) : undefined;
    this.main = new PrismaPg(config, this.options);
  }

  async connect() {
    return fixAdapter(await this.main.connect());
  }

  async connectToShadowDb() {
    // A configured shadowDatabaseUrl names the server (and credentials) to create it on.
    const serverConfig = this.shadow?.config ?? this.config;
    const name = `prisma_migrate_shadow_db_${randomUUID()}`;
    const admin = new pg.Client(serverConfig);
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${name}"`);
      shadowDatabases.add(name);
    } finally {
      await admin.end().catch(() => {});
    }
    const shadowFactory = new PrismaPg({ ...serverConfig, database: name }, this.options);
    const adapter = fixAdapter(await shadowFactory.connect());
    const dispose = adapter.dispose;
    adapter.dispose = async function () {
      await dispose.call(this);
      await dropShadowDatabase(serverConfig, name);
    };
    return adapter;
  }
}

// ---------------------------------------------------------------------------------------------
// The wasm engine
// ---------------------------------------------------------------------------------------------

class WasmPanicRegistry {
  message = "";
  get() {
    return this.message;
  }
  set_message(value) {
    this.message = `RuntimeError: ${value}`;
  }
}
// The wasm build reports Rust panics through this global; without it a panic becomes a TypeError.
globalThis.PRISMA_WASM_PANIC_REGISTRY ??= new WasmPanicRegistry();

let wasmRuntime;

async function loadWasmRuntime() {
  if (wasmRuntime) return wasmRuntime;
  // Instantiated by hand: the package's entry point imports the .wasm file as an ES module, which
  // Node 20 only allows behind --experimental-wasm-modules.
  const bindingsUrl = import.meta.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
  const runtime = await import(bindingsUrl);
  const wasmPath = path.join(path.dirname(fileURLToPath(bindingsUrl)), "schema_engine_bg.wasm");
  const module = await WebAssembly.compile(readFileSync(wasmPath));
  const instance = await WebAssembly.instantiate(module, { "./schema_engine_bg.js": runtime });
  runtime.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  wasmRuntime = runtime;
  return runtime;
}

function logEngineLine(line) {
  // The CLI reads stderr as JSON log lines (and shows the last ERROR if the process dies).
  process.stderr.write(`${typeof line === "string" ? line : JSON.stringify(line)}\n`);
}

// ---------------------------------------------------------------------------------------------
// Errors in the shapes the CLI understands
// ---------------------------------------------------------------------------------------------

function userError(code, message, meta = {}) {
  const error = new Error(message);
  error.code = code;
  error.meta = meta;
  return error;
}

/** Turns a pg / adapter / wasm failure into a Prisma user-facing error where one applies. */
function toUserError(error, config) {
  if (error?.code && /^P\d{4}$/.test(error.code)) return error;
  const server = config ? describeServer(config) : "the database server";
  const pgCode = error?.code ?? error?.cause?.originalCode;
  if (pgCode === "3D000") {
    return userError("P1003", `Database \`${config?.database}\` does not exist on the database server at \`${server}\`.`, {
      database_name: config?.database,
    });
  }
  if (pgCode === "28P01" || pgCode === "28000") {
    return userError("P1000", `Authentication failed against database server at \`${server}\`, the provided database credentials for \`${config?.user}\` are not valid.`);
  }
  if (pgCode === "ECONNREFUSED" || pgCode === "ENOTFOUND" || pgCode === "ETIMEDOUT") {
    return userError("P1001", `Can't reach database server at \`${server}\`\n\nPlease make sure your database server is running at \`${server}\`.`);
  }
  return error;
}

function isWasmPanic(error) {
  return error instanceof WebAssembly.RuntimeError || (error?.name === "RuntimeError" && /unreachable/.test(error.message));
}

function rpcError(error) {
  if (isWasmPanic(error)) {
    const message = globalThis.PRISMA_WASM_PANIC_REGISTRY.get() || String(error?.message ?? error);
    return { code: 4466, message, data: { is_panic: true, message, error: { message } } };
  }
  const message = String(error?.message ?? error);
  const data = { is_panic: false, message, meta: error?.meta ?? null };
  if (error?.code && /^P\d{4}$/.test(error.code)) data.error_code = error.code;
  return { code: 4466, message: "An error happened. Check the data field for details.", data };
}

// ---------------------------------------------------------------------------------------------
// JSON-RPC server
// ---------------------------------------------------------------------------------------------

function timestampName(date = new Date()) {
  const pad = (n) => String(n).padStart(2, "0");
  return (
    `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}` +
    `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`
  );
}

const EMPTY_MIGRATION = "-- This is an empty migration.";

function isEmptyScript(script) {
  return !script || script.trim() === "" || script.trim() === EMPTY_MIGRATION;
}

const LOCKFILE_CONTENT = `# Please do not edit this file manually
# It should be added in your version-control system (e.g., Git)
provider = "postgresql"
`;

/**
 * The wasm engine learns the connector of a migrations folder only from migration_lock.toml, which
 * does not exist before the first migration (the native engine asks its datasource instead).
 */
function withLockfile(migrationsList) {
  if (!migrationsList || migrationsList.lockfile?.content != null) return migrationsList;
  return { ...migrationsList, lockfile: { path: "migration_lock.toml", ...migrationsList.lockfile, content: LOCKFILE_CONTENT } };
}

function withLockfiles(params) {
  if (!params || typeof params !== "object") return params;
  const out = { ...params };
  if (out.migrationsList) out.migrationsList = withLockfile(out.migrationsList);
  for (const side of ["from", "to"]) if (out[side]?.tag === "migrations") out[side] = withLockfile(out[side]);
  return out;
}

class EngineServer {
  constructor(args) {
    this.args = args;
    const url = args.datasource?.url;
    if (url) {
      const { config, schema } = pgConfigFromUrl(url);
      this.config = config;
      this.factory = new ShadowAwarePgFactory(config, schema, args.datasource?.shadowDatabaseUrl);
    }
    this.engine = undefined;
  }

  /**
   * The wasm engine connects as soon as it is constructed. The native one connects lazily, so
   * `migrate diff` between files works before the database exists: for such calls
   * (`mainDatabase: false`) fall back to the server's maintenance database.
   */
  async getEngine({ mainDatabase = true } = {}) {
    if (this.engine && (this.engineOnMainDatabase || !mainDatabase)) return this.engine;
    if (!this.factory) throw userError("P1012", "No datasource URL was given to the schema engine (set datasource.url in prisma.config.ts).");
    const runtime = await loadWasmRuntime();
    const datamodels = this.args.datamodels.length
      ? this.args.datamodels.map((file) => [file, readFileSync(file, "utf8")])
      : undefined;
    const construct = async (factory) => {
      this.adapterFactory = bindMigrationAwareSqlAdapterFactory(factory);
      return runtime.SchemaEngine.new({ datamodels }, logEngineLine, this.adapterFactory);
    };
    try {
      if (!mainDatabase && !(await databaseExists(this.config))) {
        const fallback = { ...this.config, database: maintenanceDatabase(this.config) };
        this.engine = await construct(new ShadowAwarePgFactory(fallback, undefined, this.args.datasource?.shadowDatabaseUrl));
        this.engineOnMainDatabase = false;
      } else {
        this.engine?.free();
        this.engine = await construct(this.factory);
        this.engineOnMainDatabase = true;
      }
    } catch (error) {
      throw toUserError(this.lookupAdapterError(error), this.config);
    }
    return this.engine;
  }

  /** JS errors thrown inside the adapter reach us as "External error id#N", N indexing the registry. */
  lookupAdapterError(error) {
    const message = String(error?.message ?? "");
    const match = /External error id#(\d+)/.exec(message);
    const found = match && this.adapterFactory?.errorRegistry?.consumeError(Number(match[1]));
    if (!found?.error) return error;
    if (message.trim() === match[0]) return found.error;
    return new Error(message.replace(match[0], String(found.error?.message ?? found.error)));
  }

  async call(method, rawParams) {
    const params = withLockfiles(rawParams);
    switch (method) {
      case "getDatabaseVersion":
        return (await this.getEngine()).version(undefined);
      case "createDatabase":
        return this.createDatabase(params);
      case "dbExecute":
        return this.dbExecute(params);
      case "createMigration":
        return this.createMigration(params);
      case "evaluateDataLoss":
        return this.evaluateDataLoss(params);
      case "diff":
        return this.diff(params);
      case "applyMigrations":
      case "devDiagnostic":
      case "diagnoseMigrationHistory":
      case "ensureConnectionValidity":
      case "introspect":
      case "introspectSql":
      case "markMigrationApplied":
      case "markMigrationRolledBack":
      case "reset":
      case "schemaPush": {
        const engine = await this.getEngine();
        // Called on the engine object itself: wasm-bindgen methods lose their binding otherwise.
        const result = await engine[method](params ?? {});
        return method === "reset" ? {} : result;
      }
      case "debugPanic":
        (await this.getEngine()).debugPanic();
        return {};
      default:
        throw userError("P1012", `The schema engine shim does not implement the RPC method \`${method}\`.`);
    }
  }

  async diff(params) {
    const live = (target) => target.tag === "schemaDatasource" || target.tag === "url";
    const engine = await this.getEngine({ mainDatabase: live(params.from) || live(params.to) });
    const result = await engine.diff(params);
    // The native engine prints the diff itself; the CLI expects stdout to be null then.
    if (result.stdout) await writeStdout(result.stdout);
    return { exitCode: result.exitCode, stdout: null };
  }

  async createDatabase(params) {
    const url = params?.datasource?.url ?? this.args.datasource?.url;
    const { config } = pgConfigFromUrl(url);
    await createDatabase(config);
    return { databaseName: config.database };
  }

  async dbExecute(params) {
    const url = params?.datasourceType?.url ?? this.args.datasource?.url;
    const { config } = pgConfigFromUrl(url);
    const client = new pg.Client(config);
    try {
      await client.connect();
      await client.query(params.script);
    } catch (error) {
      throw toUserError(error, config);
    } finally {
      await client.end().catch(() => {});
    }
    return {};
  }

  /**
   * The wasm build's createMigration and evaluateDataLoss read the migrations' schema only from a
   * cache that an earlier shadow-database command of the same process fills (devDiagnostic, in
   * `migrate dev`); otherwise they fail with "PostgreSQL shadow DB must be provided through an
   * external factory". So: try, warm the cache with diagnoseMigrationHistory and retry, and as a
   * last resort use the diff `migrate diff --from-migrations --to-schema` computes.
   */
  async withMigrationsCache(method, params) {
    const engine = await this.getEngine();
    try {
      return await engine[method](params);
    } catch (error) {
      if (isWasmPanic(error)) throw error;
    }
    try {
      await engine.diagnoseMigrationHistory({ migrationsList: params.migrationsList, optInToShadowDatabase: true, filters: params.filters });
      return await engine[method](params);
    } catch (error) {
      if (isWasmPanic(error)) throw error;
      logEngineLine({ level: "INFO", fields: { message: `${method} falls back to a diff: ${error?.message}` }, target: "shim" });
      return undefined;
    }
  }

  async createMigration(params) {
    const native = await this.withMigrationsCache("createMigration", params);
    if (native) return native;
    const { draft, migrationName, migrationsList, schema, filters } = params;
    const script = await this.diffScript(migrationsList, schema, filters);
    const empty = isEmptyScript(script);
    const generatedMigrationName = migrationName ? `${timestampName()}_${migrationName}` : timestampName();
    return {
      connectorType: "postgresql",
      generatedMigrationName,
      migrationScript: empty ? (draft ? `${EMPTY_MIGRATION}\n` : null) : script,
      extension: "sql",
    };
  }

  async evaluateDataLoss(params) {
    const native = await this.withMigrationsCache("evaluateDataLoss", params);
    if (native) return native;
    // Without the engine's own evaluation there are no data-loss warnings, only a step count.
    const script = await this.diffScript(params.migrationsList, params.schema, params.filters);
    const steps = isEmptyScript(script) ? 0 : script.split(/\n(?=-- )/).filter((s) => s.trim()).length;
    return { migrationSteps: steps, warnings: [], unexecutableSteps: [] };
  }

  async diffScript(migrationsList, schema, filters) {
    const engine = await this.getEngine();
    const result = await engine.diff({
      from: { tag: "migrations", ...withLockfile(migrationsList) },
      to: { tag: "schemaDatamodel", files: schema.files },
      script: true,
      exitCode: null,
      filters: filters ?? { externalTables: [], externalEnums: [] },
    });
    return result.stdout ?? "";
  }
}

function writeStdout(text) {
  // stdout carries JSON-RPC: the CLI prints anything sent as a "print" request.
  return sendRequest("print", { content: text.replace(/\n$/, "") });
}

let nextOutgoingId = 1;
const pendingOutgoing = new Map();

function send(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function sendRequest(method, params) {
  const id = `engine-${nextOutgoingId++}`;
  return new Promise((resolve) => {
    pendingOutgoing.set(id, resolve);
    send({ jsonrpc: "2.0", id, method, params });
  });
}

async function serveJsonRpc(args) {
  const server = new EngineServer(args);
  // The wasm engine takes &mut self: one call at a time.
  let queue = Promise.resolve();
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on("line", (line) => {
    if (!line.trim()) return;
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      send({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } });
      return;
    }
    if (message.method === undefined && pendingOutgoing.has(message.id)) {
      pendingOutgoing.get(message.id)(message.result);
      pendingOutgoing.delete(message.id);
      return;
    }
    queue = queue.then(async () => {
      try {
        const result = await server.call(message.method, message.params);
        send({ jsonrpc: "2.0", id: message.id, result: result ?? {} });
      } catch (error) {
        const cause = toUserError(server.lookupAdapterError(error), server.config);
        send({ jsonrpc: "2.0", id: message.id, error: rpcError(cause) });
        if (isWasmPanic(error)) await shutDown(101);
      }
    });
  });
  lines.on("close", () => {
    queue.then(() => shutDown(0));
  });
}

// ---------------------------------------------------------------------------------------------
// `cli` subcommands: used by the CLI before it starts the RPC engine
// ---------------------------------------------------------------------------------------------

async function canConnect(config) {
  const client = new pg.Client(config);
  try {
    await client.connect();
    await client.query("SELECT 1");
  } finally {
    await client.end().catch(() => {});
  }
}

async function databaseExists(config) {
  const client = new pg.Client(config);
  try {
    await client.connect();
    return true;
  } catch (error) {
    if (error?.code === "3D000") return false;
    throw toUserError(error, config);
  } finally {
    await client.end().catch(() => {});
  }
}

async function createDatabase(config) {
  const admin = new pg.Client({ ...config, database: maintenanceDatabase(config) });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE "${config.database.replaceAll('"', '""')}"`);
  } catch (error) {
    if (error?.code === "42P04") return; // already exists
    throw toUserError(error, config);
  } finally {
    await admin.end().catch(() => {});
  }
}

async function dropDatabase(config) {
  const admin = new pg.Client({ ...config, database: maintenanceDatabase(config) });
  try {
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${config.database.replaceAll('"', '""')}" WITH (FORCE)`);
  } catch (error) {
    throw toUserError(error, config);
  } finally {
    await admin.end().catch(() => {});
  }
}

async function runCliCommand(args) {
  const url = args.datasource?.url;
  // The CLI skips the first stderr line (the native engine's start-up banner) when parsing.
  logEngineLine({ timestamp: new Date().toISOString(), level: "INFO", fields: { message: `Starting schema engine CLI: ${args.cli}` }, target: "schema_engine_cli" });
  const { config } = pgConfigFromUrl(url);
  try {
    if (args.cli === "can-connect-to-database") await canConnect(config).catch((e) => Promise.reject(toUserError(e, config)));
    else if (args.cli === "create-database") await createDatabase(config);
    else if (args.cli === "drop-database") await dropDatabase(config);
    else throw userError("P1012", `Unknown cli subcommand \`${args.cli}\`.`);
    return 0;
  } catch (error) {
    // The CLI looks for an ERROR line from schema_engine::logger carrying error_code and message.
    const fields = { message: String(error?.message ?? error) };
    if (error?.code && /^P\d{4}$/.test(error.code)) fields.error_code = error.code;
    logEngineLine({ timestamp: new Date().toISOString(), level: "ERROR", fields, target: "schema_engine::logger" });
    return 1;
  }
}

// ---------------------------------------------------------------------------------------------
// Process lifetime
// ---------------------------------------------------------------------------------------------

let shuttingDown = false;
let engineConfig;

/** The engine and adapter keep pools open, so the process ends explicitly, strays dropped first. */
async function shutDown(code) {
  if (shuttingDown) return;
  shuttingDown = true;
  if (engineConfig) {
    await Promise.all([...shadowDatabases].map((name) => dropShadowDatabase(engineConfig, name).catch(() => {})));
  }
  process.exit(code);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.version) {
    const runtime = await loadWasmRuntime();
    process.stdout.write(`schema-engine-cli ${runtime.version()}\n`);
    process.exit(0);
  }
  if (args.cli) process.exit(await runCliCommand(args));
  if (args.datasource?.url) {
    const { config } = pgConfigFromUrl(args.datasource.shadowDatabaseUrl ?? args.datasource.url);
    engineConfig = config;
  }
  process.on("SIGTERM", () => shutDown(143));
  process.on("SIGINT", () => shutDown(130));
  await serveJsonRpc(args);
}

main().catch((error) => {
  logEngineLine({ level: "ERROR", fields: { message: String(error?.stack ?? error) }, target: "schema_engine::logger" });
  process.exit(1);
});
