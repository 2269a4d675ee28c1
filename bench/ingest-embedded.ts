/**
 * Embedded ingest: 1M simulated events from the in-process log to committed aggregates (exactly-once
 * transactions) on a real Postgres, against a baseline measured in the same run: appending the same
 * raw events, in the same batches, to an unindexed table — the cheapest durable write of the input.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { LOCAL_PARTITIONS, VIEW_EVENT_TOPICS } from "../lib/config/topics";
import { topicForEventType } from "../lib/events/view-event";
import { generateCatalog } from "../lib/sim/catalog";
import { createSimulator } from "../lib/sim/simulator";
import { applyMigrations } from "../server/db/migrate";
import { createPool } from "../server/db/pool";
import { createMemoryLog } from "../server/log/memory-log";
import type { ProducerRecord } from "../server/log/types";
import { logger } from "../server/logger";
import { createAggregator } from "../server/stream/create-aggregator";
import { memorySampler, type BenchResult } from "./report";
import { quoteIdent } from "../server/db/sql";

const DAY_MS = 86_400_000;

export async function benchIngestEmbedded(adminUrl: string, total = Number(process.env.BENCH_EVENTS ?? 1_000_000)): Promise<BenchResult[]> {
  const name = `bench_ingest_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await applyMigrations(url.toString());
  const pool = createPool(url.toString());

  try {
    // Input: simulated traffic, encoded as producers would send it (not timed).
    const start = Date.UTC(2026, 8, 1);
    const sim = createSimulator({ seed: 11, catalog: generateCatalog(11), startMs: start, users: 40_000 });
    const records: { topic: string; record: ProducerRecord }[] = [];
    for (let day = 0; records.length < total; day++) {
      for (const e of sim.eventsBetween(start + day * DAY_MS, start + (day + 1) * DAY_MS)) {
        if (records.length === total) break;
        records.push({ topic: topicForEventType(e.event_type), record: { key: e.user_id, value: JSON.stringify(e) } });
      }
    }
    const inputMb = records.reduce((n, r) => n + (r.record.value as string).length, 0) / 2 ** 20;

    // Baseline: the same bytes appended raw, 5,000 per transaction.
    await pool.query("CREATE TABLE raw_event (topic text, key text, value text)");
    let t0 = performance.now();
    for (let i = 0; i < records.length; i += 5_000) {
      const chunk = records.slice(i, i + 5_000);
      await pool.query("INSERT INTO raw_event SELECT * FROM unnest($1::text[], $2::text[], $3::text[])", [
        chunk.map((r) => r.topic),
        chunk.map((r) => r.record.key),
        chunk.map((r) => r.record.value as string),
      ]);
    }
    const baselineRate = records.length / ((performance.now() - t0) / 1000);
    await pool.query("DROP TABLE raw_event");

    // Measured: produce with backpressure and aggregate concurrently, until all is committed.
    const log = createMemoryLog();
    await log.ensureTopics(VIEW_EVENT_TOPICS.map((topic) => ({ topic, partitions: LOCAL_PARTITIONS[topic] })));
    const aggregator = createAggregator({ log, pool, logger });
    await aggregator.start();
    const memory = memorySampler();
    t0 = performance.now();
    for (let i = 0; i < records.length; i += 20_000) {
      const byTopic = new Map<string, ProducerRecord[]>();
      for (const r of records.slice(i, i + 20_000)) {
        if (!byTopic.has(r.topic)) byTopic.set(r.topic, []);
        byTopic.get(r.topic)!.push(r.record);
      }
      for (const [topic, recs] of byTopic) await log.produce(topic, recs);
      while (i + 20_000 - aggregator.stats().counted > 100_000) await new Promise((r) => setTimeout(r, 5));
    }
    while (aggregator.stats().counted + aggregator.stats().deadLettered < records.length) await new Promise((r) => setTimeout(r, 5));
    const seconds = (performance.now() - t0) / 1000;
    const peak = memory.stop();
    await aggregator.stop();
    const rate = records.length / seconds;
    const check = await pool.query<{ n: number }>("SELECT sum(events)::bigint AS n FROM minute_stat");
    if (Number(check.rows[0]!.n) !== records.length) throw new Error(`counted ${check.rows[0]!.n} of ${records.length} events`);

    return [
      {
        name: `embedded ingest, ${records.length.toLocaleString("en")} events → committed aggregates`,
        value: rate,
        unit: "events/s",
        baseline: { name: "raw append of the same events", value: baselineRate },
        target: "≥ 100,000 events/s",
        ok: rate >= 100_000,
        notes: `${seconds.toFixed(1)} s; exactly-once transactions of ≤ 5,000 events`,
      },
      {
        name: "embedded ingest, peak memory",
        value: peak.rssMb,
        unit: "MB RSS",
        notes: `peak heap ${peak.heapMb.toFixed(0)} MB, of which the 1M-event input held in memory ≈ ${inputMb.toFixed(0)} MB of JSON`,
      },
    ];
  } finally {
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    await admin.end();
  }
}
