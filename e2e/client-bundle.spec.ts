import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { E2E_PASSWORD, e2eTokens, serverEnv, storageStateFor, type E2ERole } from "./auth";

/**
 * [SECURITY] Nothing of the server reaches the browser. Scans every byte a browser can download:
 * the build's `<distDir>/static/**` (the server e2e/start-server.ts built and runs) and the HTML and
 * RSC payloads of the pages as served to an anonymous visitor and a signed-in viewer. None may hold
 * this run's secrets, a token of any shape, server-only env names, connection strings, or code of
 * server-only modules (pg, kafkajs, argon2, Prisma's client, server/auth, server SQL).
 *
 * Every needle is proven able to fail: the self-test finds each code marker in the file it comes from.
 */

// Playwright runs from the repository root (playwright.config.ts, e2e/auth.ts paths are relative to it).
const ROOT = process.cwd();
const DIST_DIR = path.resolve(ROOT, process.env.NEXT_DIST_DIR || ".next");
const STATIC_DIR = path.join(DIST_DIR, "static");

interface Needle {
  what: string;
  /** Index of the first match, or -1. */
  find(text: string): number;
}

const literal = (what: string, value: string): Needle => ({ what, find: (t) => t.indexOf(value) });
const pattern = (what: string, re: RegExp): Needle => ({ what, find: (t) => t.search(re) });
const word = (name: string) => new RegExp(`(?<![A-Za-z0-9_])${name}(?![A-Za-z0-9_])`);

/** What matched in `text`, each with a little context. */
function findLeaks(text: string, needles: readonly Needle[]): string[] {
  return needles.flatMap((n) => {
    const at = n.find(text);
    return at < 0 ? [] : [`${n.what}: …${text.slice(Math.max(0, at - 40), at + 60).replace(/\s+/g, " ")}…`];
  });
}

/**
 * Strings found only in server-only modules, each with the file it is taken from (the self-test
 * checks it is really there). Error messages and names are string literals: minifiers keep them.
 */
function serverCodeMarkers(): { marker: string; from: string }[] {
  const prismaClass = "server/generated/prisma/internal/class.ts";
  const engine = /"engineVersion": "([0-9a-f]{40})"/.exec(readFileSync(path.join(ROOT, prismaClass), "utf8"))?.[1];
  return [
    { marker: "Client has already been connected. You cannot reuse a client.", from: "node_modules/pg/lib/client.js" },
    { marker: "SASL: SCRAM-SERVER-FIRST-MESSAGE", from: "node_modules/pg/lib/crypto/sasl.js" },
    { marker: "Unknown authenticationOk message type", from: "node_modules/pg-protocol/dist/parser.js" },
    { marker: "KafkaJSNonRetriableError", from: "node_modules/kafkajs/src/errors.js" },
    { marker: "@node-rs/argon2-linux-x64-gnu", from: "node_modules/@node-rs/argon2/index.js" },
    // Absent from @prisma/client/runtime/index-browser.js, which the browser may legitimately get.
    { marker: "PrismaClientKnownRequestError", from: "node_modules/@prisma/client/runtime/client.js" },
    // The generated client embeds the schema and its engine's version.
    { marker: "model AuthSession {", from: prismaClass },
    { marker: engine ?? "(engineVersion not found in the generated client)", from: prismaClass },
    { marker: "You are trying to attach socket.io to an express", from: "node_modules/socket.io/dist/index.js" },
    { marker: "abcdefghjkmnpqrstuvwxyz23456789", from: "server/auth/secrets.ts" },
    { marker: "admin@showrunner.local", from: "server/auth/accounts.ts" },
    { marker: "_prisma_migrations", from: "server/db/migrate.ts" },
    { marker: "pg_advisory_xact_lock", from: "server/results/snapshots.ts" },
    { marker: "consumer_offset", from: "server/stream/replay-aggregates.ts" },
  ];
}

/**
 * Env names only the server reads: server/env.ts's schema and every `process.env.X` in server/ and
 * scripts/. Leaves out names that client code legitimately mentions or that are plain words.
 */
const NOT_SERVER_ONLY = new Map([
  ["NODE_ENV", "React and Next read it in client code (inlined at build)"],
  ["PORT", "a plain word"],
  ["HOST", "a plain word"],
  ["USER", "a plain word"],
  ["CI", "a plain word"],
]);

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => /\.(ts|tsx|js|mjs)$/.test(f) && !f.includes("generated"))
    .map((f) => path.join(ROOT, dir, f));
}

function serverEnvNames(): string[] {
  const names = new Set<string>();
  for (const m of readFileSync(path.join(ROOT, "server/env.ts"), "utf8").matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)) names.add(m[1]!);
  for (const file of [...sourceFiles("server"), ...sourceFiles("scripts")]) {
    for (const m of readFileSync(file, "utf8").matchAll(/process\.env(?:\.|\[["'])([A-Za-z_][A-Za-z0-9_]*)/g)) names.add(m[1]!);
  }
  return [...names].filter((n) => !NOT_SERVER_ONLY.has(n)).sort();
}

/** NEXT_PUBLIC_ variables are inlined into the bundle; each one used must be listed here with why it is harmless. */
const HARMLESS_PUBLIC_ENV = new Map<string, string>([]);

function cookieValues(role: E2ERole): string[] {
  const state = JSON.parse(readFileSync(storageStateFor(role), "utf8")) as { cookies: { name: string; value: string }[] };
  return state.cookies.filter((c) => c.name === "sr_session").map((c) => c.value);
}

/** This run's secrets and every shape of secret the product makes. */
function secretNeedles(): Needle[] {
  const { service, wall } = e2eTokens();
  const databaseUrl = serverEnv().DATABASE_URL ?? `postgresql://postgres:postgres@127.0.0.1:${serverEnv().EMBEDDED_PG_PORT}/showrunner`;
  const values: [string, string | undefined][] = [
    ["DATABASE_URL of this run", process.env.DATABASE_URL],
    ["the e2e server's database URL", databaseUrl],
    ["the e2e accounts' password", E2E_PASSWORD],
    ["the service token", service],
    ["the wall token", wall],
    ...(["viewer", "editor", "admin"] as const).flatMap((role) => cookieValues(role).map((v): [string, string] => [`the ${role}'s session token`, v])),
  ];
  const password = new URL(databaseUrl).password;
  if (password.length >= 6) values.push(["the database password", decodeURIComponent(password)]);
  return [
    ...values.filter((v): v is [string, string] => Boolean(v[1])).map(([what, value]) => literal(what, value)),
    // server/auth/secrets.ts: 32 random bytes, base64url, behind srs_ / srw_ / srp_.
    pattern("a service, wall or session token", /(?<![A-Za-z0-9_])sr[swp]_[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/),
    pattern("an argon2 password hash", /\$argon2(?:id|i|d)\$/),
    pattern("a Postgres connection string", /postgres(?:ql)?:\/\//i),
    pattern("a Redis connection string", /rediss?:\/\/[^\s"'`]/i),
  ];
}

const markerNeedle = ({ marker, from }: { marker: string; from: string }) => literal(`server-only code (${from})`, marker);

function allNeedles(): Needle[] {
  return [
    ...secretNeedles(),
    ...serverEnvNames().map((name) => pattern(`server-only env name ${name}`, word(name))),
    pattern("a NEXT_PUBLIC_ variable name", /NEXT_PUBLIC_[A-Z0-9_]+/),
    ...serverCodeMarkers().map(markerNeedle),
  ];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile());
}

/** Bytes as text: latin1 keeps every byte, so ASCII needles match in any file (js, css, fonts, maps). */
const readAll = (file: string) => readFileSync(file).toString("latin1");

test.describe("client bundle", () => {
  test("[SECURITY] the leak check finds each needle where it really is (self-test)", async () => {
    const needles = allNeedles();
    for (const source of serverCodeMarkers()) {
      expect(existsSync(path.join(ROOT, source.from)), source.from).toBe(true);
      expect(source.marker.length).toBeGreaterThan(10);
      expect(findLeaks(readAll(path.join(ROOT, source.from)), [markerNeedle(source)]), `${source.marker} in ${source.from}`).toHaveLength(1);
    }
    // The env-name list is read from the code: make sure it still is.
    expect(serverEnvNames()).toEqual(expect.arrayContaining(["DATABASE_URL", "KAFKA_SASL_PASSWORD", "REDIS_URL", "KAFKA_BROKERS", "DATA_DIR"]));
    expect(findLeaks(readAll(path.join(ROOT, "server/env.ts")), needles).join("\n")).toContain("server-only env name KAFKA_SASL_PASSWORD");

    // Secrets in the shapes a bundler would leave them.
    const { service, wall } = e2eTokens();
    const bundled = [
      `var e={url:${JSON.stringify(process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres")}}`,
      `headers:{authorization:"Bearer ${service}"}`,
      `let t="${wall}"`,
      `let p="${E2E_PASSWORD}"`,
      `let t="srp_${"A".repeat(43)}"`,
      'let h="$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"',
      "let u=process.env.REDIS_URL",
      'let u="redis://cache:6379"',
      `let s=${JSON.stringify(cookieValues("viewer")[0])}`,
    ];
    for (const text of bundled) expect(findLeaks(text, needles), text).not.toEqual([]);
    // …and nothing for what the client legitimately holds.
    expect(findLeaks('if("production"!==process.env.NODE_ENV)document.cookie.match(/sr_csrf=/);fetch("/api/overview")', needles)).toEqual([]);
  });

  test("[SECURITY] no secret, server-only env name, connection string or server code in the built static files", async () => {
    expect(existsSync(path.join(DIST_DIR, "BUILD_ID")), `no build at ${DIST_DIR}`).toBe(true);
    const files = [...filesUnder(STATIC_DIR), ...(existsSync(path.join(ROOT, "public")) ? filesUnder(path.join(ROOT, "public")) : [])];
    const needles = allNeedles();
    let bytes = 0;
    const leaks: string[] = [];
    const kinds = new Map<string, number>();
    for (const file of files) {
      const text = readAll(file);
      bytes += text.length;
      const ext = path.extname(file) || "(none)";
      kinds.set(ext, (kinds.get(ext) ?? 0) + 1);
      for (const leak of findLeaks(text, needles)) leaks.push(`${path.relative(ROOT, file)}: ${leak}`);
    }
    expect(files.filter((f) => f.endsWith(".js")).length).toBeGreaterThan(5);
    console.log(
      `client-bundle: scanned ${files.length} static files (${[...kinds].map(([k, n]) => `${n} ${k}`).join(", ")}), ${(bytes / 1024).toFixed(0)} KiB, ${needles.length} needles: ${leaks.length} leaks`,
    );
    expect(leaks).toEqual([]);
  });

  test("[SECURITY] no secret or server detail in the HTML and RSC of pages, anonymous or signed in as a viewer", async ({ playwright, baseURL }) => {
    const { wall } = e2eTokens();
    const viewer = await playwright.request.newContext({ baseURL, storageState: storageStateFor("viewer") });
    const anonymous = await playwright.request.newContext({ baseURL });
    const experimentKey = ((await (await viewer.get("/api/experiments")).json()) as { experiments: { key: string }[] }).experiments[0]?.key;
    const titleId = ((await (await viewer.get("/api/titles/top")).json()) as { titles: { titleId: string }[] }).titles[0]?.titleId;
    expect(experimentKey, "the simulator's experiments").toBeTruthy();
    expect(titleId, "the backfill's titles").toBeTruthy();
    const dashboard = [
      "/",
      "/experiments",
      "/experiments/new",
      `/experiments/${experimentKey}`,
      `/experiments/${experimentKey}/results`,
      `/experiments/${experimentKey}/edit`,
      "/titles",
      `/titles/${titleId}`,
      "/retention",
      "/pipeline",
      "/users",
      "/users/u_000001",
    ];
    const wallPage = `/wall?token=${wall}`;
    const pages = [...dashboard, "/login", wallPage, "/wall", "/no-such-page"];

    const needles = allNeedles();
    const staticFiles = new Set(filesUnder(STATIC_DIR).map((f) => path.relative(STATIC_DIR, f)));
    const leaks: string[] = [];
    const missingAssets = new Set<string>();
    const referencedAssets = new Set<string>();
    let documents = 0;
    let bytes = 0;
    const scan = async (who: string, request: APIRequestContext, page: string) => {
      for (const [kind, headers] of [
        ["html", {}],
        ["rsc", { RSC: "1" }],
      ] as const) {
        const res = await request.get(page, { headers });
        expect(res.status(), `${who} ${kind} ${page}`).toBeLessThan(500);
        if (who === "viewer" && dashboard.includes(page)) expect(new URL(res.url()).pathname, `${who} ${page} was not signed in`).not.toBe("/login");
        let text = (await res.body()).toString("latin1");
        if (page === wallPage) {
          // The wall is opened with its token in the address and hands it to its client component
          // for the live socket (Next also echoes the URL). The browser's own key, so let through
          // here only; every other needle, other tokens included, still applies. Never cached.
          expect(res.headers()["cache-control"], `${who} ${kind} ${page}`).toContain("no-store");
          text = text.replaceAll(wall, "(this wall's own token)");
        }
        documents += 1;
        bytes += text.length;
        for (const leak of findLeaks(text, needles)) leaks.push(`${who} ${kind} ${page}: ${leak}`);
        // The assets these pages load must be files of the build scanned above (same build, same dir).
        for (const m of text.matchAll(/\/_next\/static\/([^"'\s\\)?#]+)/g)) {
          referencedAssets.add(m[1]!);
          if (!staticFiles.has(decodeURIComponent(m[1]!))) missingAssets.add(m[1]!);
        }
      }
    };
    for (const page of pages) {
      await scan("anonymous", anonymous, page);
      await scan("viewer", viewer, page);
    }
    await viewer.dispose();
    await anonymous.dispose();
    console.log(
      `client-bundle: scanned ${documents} documents (${pages.length} pages × anonymous/viewer × HTML/RSC), ${(bytes / 1024).toFixed(0)} KiB, ${referencedAssets.size} assets referenced: ${leaks.length} leaks`,
    );
    expect(referencedAssets.size).toBeGreaterThan(5);
    expect([...missingAssets]).toEqual([]);
    expect(leaks).toEqual([]);
  });

  test("[SECURITY] every NEXT_PUBLIC_ variable, in the code or this run's environment, is listed as harmless", async () => {
    const used = new Set<string>();
    const files = [...["app", "components", "lib", "server", "scripts"].flatMap(sourceFiles), path.join(ROOT, "next.config.js"), path.join(ROOT, "proxy.ts")];
    for (const file of files) for (const m of readFileSync(file, "utf8").matchAll(/NEXT_PUBLIC_[A-Z0-9_]+/g)) used.add(m[0]);
    for (const name of Object.keys(process.env)) if (name.startsWith("NEXT_PUBLIC_")) used.add(name);
    expect([...used].filter((name) => !HARMLESS_PUBLIC_ENV.has(name))).toEqual([]);
  });
});
