/**
 * `POST /api/assignments` over loopback at a fixed 2,000 requests/s (autocannon in this process,
 * the real server — Next route, auth, Postgres — in a child process): latency p50/p99 for
 * first-time users (every call stores assignments) and for returning users (every call reads
 * stored ones). Baseline in the same run: a bare Node HTTP server in its own process at the same
 * rate and connections (bench/noop-server.ts), i.e. the floor of loopback + autocannon on this
 * machine; `GET /api/health` (a Next route with one database round trip) is noted beside it.
 */
import { randomBytes } from "node:crypto";
import autocannon from "autocannon";
import pg from "pg";
import { createAccessToken } from "../server/auth/tokens";
import { createDb } from "../server/db/client";
import { applyMigrations } from "../server/db/migrate";
import { createExperiment, transitionExperiment } from "../server/experiments/repository";
import { runTs } from "../server/testing/child-process";
import type { BenchResult } from "./report";
import { quoteIdent } from "../server/db/sql";

const RATE = Number(process.env.BENCH_ASSIGN_RATE ?? 2_000);
const SECONDS = Number(process.env.BENCH_ASSIGN_SECONDS ?? 15);
const PORT = Number(process.env.BENCH_ASSIGN_PORT ?? 3295);

const EXPERIMENTS = [
  { key: "bench-autoplay", trafficPercent: 100, targeting: [] },
  { key: "bench-artwork", trafficPercent: 50, targeting: [], layer: { key: "home", ranges: [[0, 0.5]] as [number, number][] } },
  { key: "bench-ranker", trafficPercent: 100, targeting: [{ attribute: "country", op: "in", value: ["GB", "DE", "FR"] }] },
];

interface Latency {
  p50: number;
  p99: number;
  requests: number;
  errors: number;
}

async function load(url: string, init: { method: "GET" | "POST"; headers: Record<string, string>; body?: (i: number) => string }): Promise<Latency> {
  let i = 0;
  const result = await autocannon({
    url,
    method: init.method,
    headers: init.headers,
    connections: 32,
    overallRate: RATE,
    duration: SECONDS,
    requests: [{ setupRequest: (req) => (init.body ? { ...req, body: init.body(i++) } : req) }],
  });
  return { p50: result.latency.p50, p99: result.latency.p99, requests: result.requests.total, errors: result.errors + result.non2xx };
}

async function measureFloor(body: (i: number) => string): Promise<Latency> {
  const port = PORT + 1;
  const noop = runTs("noop", "bench/noop-server.ts", [], { PORT: String(port) });
  try {
    await noop.waitForLine(/noop server on/, 30_000);
    return await load(`http://127.0.0.1:${port}/`, { method: "POST", headers: { "content-type": "application/json" }, body });
  } finally {
    await noop.stop("SIGTERM");
  }
}

export async function benchAssignmentApi(adminUrl: string): Promise<BenchResult[]> {
  const name = `bench_assign_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await applyMigrations(url.toString());
  const db = createDb(url.toString(), { poolSize: 2 });
  const server = runTs("server", "scripts/start.ts", [], {
    DATABASE_URL: url.toString(),
    PORT: String(PORT),
    SIMULATOR: "false",
    KAFKA_BROKERS: undefined,
    LOG_LEVEL: "info", // "Showrunner is up" is an info line
  });
  try {
    for (const e of EXPERIMENTS) {
      const created = await createExperiment(
        db,
        {
          ...e,
          name: e.key,
          owner: "bench",
          variants: [
            { key: "control", name: "Control", weight: 1, isControl: true },
            { key: "treatment", name: "Treatment", weight: 1 },
          ],
          primaryMetric: "watch_time",
        },
        "bench",
      );
      await transitionExperiment(db, e.key, { action: "start", version: created.version }, "bench");
    }
    const { token } = await createAccessToken(db, { kind: "service", name: "bench", createdBy: "bench" });
    await server.waitForLine(/Showrunner is up/, 240_000);
    const base = `http://127.0.0.1:${PORT}`;
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const body = (prefix: string) => (i: number) => JSON.stringify({ userId: `${prefix}_${i}`, attributes: { country: ["GB", "US", "DE"][i % 3], device: "tv" } });

    // Warm-up (JIT, connection pools, Next's route compilation), then the three measured loads.
    await autocannon({ url: `${base}/api/assignments`, method: "POST", headers, connections: 8, amount: 2_000, requests: [{ setupRequest: (r) => ({ ...r, body: body("warm")(Math.floor(Math.random() * 1e9)) }) }] });
    const floor = await measureFloor(body("floor"));
    const health = await load(`${base}/api/health`, { method: "GET", headers: {} });
    const first = await load(`${base}/api/assignments`, { method: "POST", headers, body: body("new") });
    const returning = await load(`${base}/api/assignments`, { method: "POST", headers, body: body("new") }); // the same ids again
    const stored = await db.assignment.count();

    const rows = (label: string, l: Latency, notes: string): BenchResult[] => [
      {
        name: `POST /api/assignments p99, ${label}, ${RATE.toLocaleString("en")} req/s`,
        value: l.p99,
        unit: "ms",
        baseline: { name: "bare Node HTTP server p99", value: Math.max(floor.p99, 0.01) },
        target: "p99 ≤ 5 ms",
        ok: l.p99 <= 5 && l.errors === 0,
        notes: `p50 ${l.p50} ms; ${l.requests.toLocaleString("en")} requests, ${l.errors} errors; ${notes}; bare server p50 ${floor.p50} ms; GET /api/health p50/p99 ${health.p50}/${health.p99} ms`,
      },
    ];
    return [
      ...rows("first-time users", first, `3 running experiments; ${stored.toLocaleString("en")} assignments stored`),
      ...rows("returning users", returning, "stored assignments read back"),
    ];
  } finally {
    await server.stop("SIGTERM");
    await db.$disconnect();
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    await admin.end();
  }
}
