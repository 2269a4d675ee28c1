import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint, RuleTester, type Linter } from "eslint";
import tseslint from "typescript-eslint";
import { describe, expect, it } from "vitest";
import rule from "./no-string-built-sql.js";

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const RULE_ID = "showrunner/no-string-built-sql";
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const tester = new RuleTester({
  languageOptions: { parser: tseslint.parser as Linter.Parser, ecmaVersion: "latest", sourceType: "module" },
});

tester.run("no-string-built-sql", rule, {
  valid: [
    // Fixed text, values as bind parameters.
    'pool.query("SELECT * FROM t WHERE id = $1", [id]);',
    "client.query(`SELECT *\n FROM t WHERE id = $1`, [id]);",
    'pool.query({ text: "SELECT $1::int AS n", values: [1] });',
    'const SQL_TEXT = "SELECT 1"; pool.query({ name: "one", text: SQL_TEXT });',
    // Prisma's tagged templates bind what they interpolate.
    "db.$queryRaw`SELECT * FROM t WHERE id = ${id}`;",
    "tx.$executeRaw`UPDATE t SET a = ${a} WHERE id = ${id}`;",
    "const cohort = grain ? Prisma.sql`a.week` : Prisma.sql`a.day`; db.$queryRaw`SELECT ${cohort} FROM a WHERE x = ${x}`;",
    // Allowlisted interpolations: module constants, a constant list joined, quoteIdent.
    "const WORK_MEM = \"128MB\"; async function f(db) { await db.query(`SET LOCAL work_mem = '${WORK_MEM}'`); }",
    'import { EMBEDDED_DATABASE } from "./embedded"; admin.query(`CREATE DATABASE ${EMBEDDED_DATABASE}`);',
    'export const AGGREGATION_TABLES = ["a", "b"] as const; tx.query(`TRUNCATE ${AGGREGATION_TABLES.join(", ")}`);',
    'import { quoteIdent } from "./sql"; for (const [table, column] of PAIRS) tx.query(`DELETE FROM ${quoteIdent(table)} WHERE ${quoteIdent(column)} >= $1`, [day]);',
    "admin.query(`CREATE DATABASE ${quoteIdent(`bench_${randomBytes(3).toString(\"hex\")}`)}`);",
    // Text the code alone decides: a constant's member, a choice between literals, a const of fixed text.
    "const SQL = { capped: snapshotSql(true) }; db.query(SQL.capped, [id]);",
    'db.query(`SELECT * FROM o WHERE g = $1 ORDER BY t ${lock ? "FOR UPDATE" : ""}`, [g]);',
    'const sql = "SELECT 1"; pool.query(sql);',
    'function f(flag) { const scope = flag ? `AND e.key = $2` : ""; return pool.query(`SELECT * FROM a WHERE d > $1 ${scope}`, [d, k]); }',
    "const workMem = '128MB'; db.query(`SET work_mem = '${workMem}'`);",
    // Not SQL calls.
    "useQuery({ queryKey: ['x'], queryFn });",
    "router.query;",
    "x.query();",
  ],
  invalid: [
    { code: 'pool.query("SELECT * FROM t WHERE id = " + id);', errors: [{ messageId: "concatenated" }] },
    { code: "pool.query(`SELECT * FROM t WHERE name = '${userInput}'`);", errors: [{ messageId: "interpolated", data: { expression: "userInput" } }] },
    { code: "db.$queryRawUnsafe(q);", errors: [{ messageId: "unsafeApi", data: { name: "$queryRawUnsafe" } }] },
    { code: 'db.$executeRawUnsafe("DELETE FROM t");', errors: [{ messageId: "unsafeApi", data: { name: "$executeRawUnsafe" } }] },
    { code: 'db["$queryRawUnsafe"](q);', errors: [{ messageId: "unsafeApi" }] },
    { code: "const { $queryRawUnsafe } = db;", errors: [{ messageId: "unsafeApi" }] },
    { code: "db.$queryRaw`SELECT * FROM ${Prisma.raw(x)}`;", errors: [{ messageId: "unsafeApi", data: { name: "Prisma.raw" } }] },
    { code: "Prisma.raw(x);", errors: [{ messageId: "unsafeApi", data: { name: "Prisma.raw" } }] },
    // Not fixed text as a whole.
    { code: "function f(sql) { return pool.query(sql); }", errors: [{ messageId: "notFixed" }] },
    { code: 'let sql = "SELECT 1"; pool.query(sql);', errors: [{ messageId: "notFixed" }] },
    { code: 'const sql = "SELECT * FROM t WHERE id = " + id; pool.query(sql);', errors: [{ messageId: "notFixed" }] },
    { code: "pool.query(buildSql(x), []);", errors: [{ messageId: "notFixed" }] },
    { code: "pool.query(req.body.sql);", errors: [{ messageId: "notFixed" }] },
    { code: "pool.query(...args);", errors: [{ messageId: "notFixed" }] },
    { code: "pool.query({ ...config });", errors: [{ messageId: "notFixed" }] },
    { code: "pool.query(sql`SELECT 1`);", errors: [{ messageId: "notFixed" }] },
    // Interpolations off the allowlist.
    { code: "pool.query({ text: `SELECT * FROM t WHERE id = ${id}`, values: [] });", errors: [{ messageId: "interpolated" }] },
    { code: "c.query(`SELECT setseed(${0.11 + part * 0.4})`);", errors: [{ messageId: "interpolated", data: { expression: "0.11 + part * 0.4" } }] },
    { code: "function f(USER_INPUT) { return pool.query(`SELECT * FROM ${USER_INPUT}`); }", errors: [{ messageId: "interpolated" }] },
    { code: 'let TABLE = "t"; pool.query(`SELECT * FROM ${TABLE}`);', errors: [{ messageId: "interpolated" }] },
    { code: "function f(x) { const TABLE = x; return pool.query(`SELECT * FROM ${TABLE}`); }", errors: [{ messageId: "interpolated" }] },
    { code: 'pool.query(`TRUNCATE ${tables.join(", ")}`);', errors: [{ messageId: "interpolated" }] },
    { code: "const TABLES = ['a']; pool.query(`TRUNCATE ${TABLES.join(sep)}`);", errors: [{ messageId: "interpolated" }] },
    { code: 'pool.query(`SELECT * FROM t ${flag ? name : ""}`);', errors: [{ messageId: "interpolated" }] },
    { code: "pool.query(`SELECT * FROM ${table} WHERE ${column} >= $1`, [d]);", errors: [{ messageId: "interpolated" }, { messageId: "interpolated" }] },
    { code: 'client["query"](`DELETE FROM t WHERE id = ${id}`);', errors: [{ messageId: "interpolated" }] },
    { code: "pool?.query(`DELETE FROM t WHERE id = ${id as string}`);", errors: [{ messageId: "interpolated" }] },
    { code: "(t.pool.query as any)(`SELECT ${x}`);", errors: [{ messageId: "interpolated" }] },
  ],
});

/** The source text a message points at. */
function reported(file: string, m: Linter.LintMessage): string {
  const lines = readFileSync(file, "utf8").split("\n").slice(m.line - 1, (m.endLine ?? m.line));
  if (lines.length === 1) return lines[0]!.slice(m.column - 1, (m.endColumn ?? m.column) - 1);
  lines[0] = lines[0]!.slice(m.column - 1);
  lines[lines.length - 1] = lines.at(-1)!.slice(0, (m.endColumn ?? 1) - 1);
  return lines.join("\n");
}

describe("the repository's own sources", () => {
  // The repository's eslint.config.js, so this also fails if the rule is unwired or a folder is ignored.
  const eslint = new ESLint({ cwd: ROOT, ruleFilter: ({ ruleId }) => ruleId === RULE_ID });

  it("eslint.config.js applies the rule as an error to server/, lib/, scripts/, app/, components/, e2e/ and bench/", async () => {
    for (const file of ["server/x.ts", "lib/x.ts", "scripts/x.ts", "app/x/page.tsx", "components/x.tsx", "e2e/x.spec.ts", "bench/x.ts"]) {
      const config = (await eslint.calculateConfigForFile(path.join(ROOT, file))) as Linter.Config;
      expect([file, config.rules?.[RULE_ID]]).toEqual([file, [2]]);
    }
    // And the check below can fail: the same ESLint reports a string-built query in a server file.
    const [result] = await eslint.lintText("export const f = (pool, id) => pool.query(`SELECT * FROM t WHERE id = ${id}`);", {
      filePath: path.join(ROOT, "server/example.ts"),
    });
    expect(result!.messages.map((m) => m.ruleId)).toEqual([RULE_ID]);
  });

  it("send no string-built SQL: server/, lib/, scripts/, app/, components/, e2e/, bench/: none", async () => {
    const results = await eslint.lintFiles(["server", "lib", "scripts", "app", "components", "e2e", "bench", "eslint-rules", "*.ts"]);
    const files = results.map((r) => path.relative(ROOT, r.filePath));
    // Guard against a pattern or ignore that silently checks nothing.
    expect(files.length).toBeGreaterThan(250);
    expect(files).toEqual(expect.arrayContaining(["server/db/migrate.ts", "server/stream/replay-aggregates.ts", "e2e/start-server.ts", "bench/results.ts"]));
    expect(files.filter((f) => f.startsWith("server/generated/"))).toEqual([]);

    const fatal = results.flatMap((r) => r.messages.filter((m) => m.fatal).map((m) => `${path.relative(ROOT, r.filePath)}:${m.line} ${m.message}`));
    expect(fatal).toEqual([]);

    const reports = results.flatMap((r) =>
      r.messages
        .filter((m) => m.ruleId === RULE_ID)
        .map((m) => `${path.relative(ROOT, r.filePath)}:${m.line}:${m.column} ${reported(r.filePath, m)}: ${m.message}`),
    );
    expect(reports).toEqual([]);

    // Every opt-out says why its text is trusted.
    const unexplained = results.flatMap((r) =>
      (r.suppressedMessages ?? [])
        .filter((m) => m.ruleId === RULE_ID && m.suppressions.some((s) => !s.justification.trim()))
        .map((m) => `${path.relative(ROOT, r.filePath)}:${m.line}`),
    );
    expect(unexplained).toEqual([]);
    const suppressed = results.reduce((n, r) => n + (r.suppressedMessages ?? []).filter((m) => m.ruleId === RULE_ID).length, 0);
    console.log(`no-string-built-sql: ${files.length} files, ${reports.length} reports, ${suppressed} justified opt-outs`);
  });
});
