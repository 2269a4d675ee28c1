import type pg from "pg";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { expect } from "vitest";
import { CONSUMER_GROUPS, LOCAL_PARTITIONS, TOPICS, VIEW_EVENT_TOPICS } from "../../lib/config/topics";
import type { ViewEventInput } from "../../lib/events/view-event";
import { generateCatalog } from "../../lib/sim/catalog";
import { createSimulator } from "../../lib/sim/simulator";
import { deleteConsumerGroups } from "../log/kafka-admin";
import { createKafkaLog, deleteKafkaTopics } from "../log/kafka-log";
import type { EventLog } from "../log/types";
import { withTopicPrefix } from "../log/with-topic-prefix";
import { diffTables, expectedTables, readTables, tableSizes } from "./aggregate-truth";
import type { RunningProcess } from "./child-process";

/*
 * What the Kafka end-to-end suites share: a scope (topic prefix + database) per test, simulated
 * traffic, and waits on the offsets the stream processor stores with its aggregates.
 */

export const DAY = 86_400_000;
export const AGGREGATOR_GROUP = CONSUMER_GROUPS.aggregator;
const quiet = () => undefined;

/**
 * Traffic starts 6 UTC days ago. Records carry their event time, and the broker deletes records
 * older than its retention (7 days) whatever their offsets: older traffic would vanish mid-test.
 */
export const RECENT = Math.floor(Date.now() / DAY) * DAY - 6 * DAY;

export interface Scope {
  prefix: string;
  log: EventLog;
  pool: pg.Pool;
  env: { DATABASE_URL: string; KAFKA_BROKERS: string; KAFKA_TOPIC_PREFIX: string };
  /** Closes the log, deletes the topics and groups (not the database: its owner drops it). */
  cleanup(): Promise<void>;
}

/** A topic prefix with the application's topics (local partition counts) on `brokers`, over `database`. */
export async function createScope(options: { brokers: string[]; prefix: string; clientId: string; database: { url: string; pool: pg.Pool } }): Promise<Scope> {
  const { brokers, prefix } = options;
  const log = withTopicPrefix(createKafkaLog({ brokers, clientId: options.clientId, log: quiet }), prefix);
  await log.ensureTopics(Object.values(TOPICS).map((topic) => ({ topic, partitions: LOCAL_PARTITIONS[topic] })));
  return {
    prefix,
    log,
    pool: options.database.pool,
    env: { DATABASE_URL: options.database.url, KAFKA_BROKERS: brokers.join(","), KAFKA_TOPIC_PREFIX: prefix },
    async cleanup() {
      await log.close();
      await deleteKafkaTopics({ brokers, log: quiet }, Object.values(TOPICS).map((t) => `${prefix}${t}`));
      await deleteConsumerGroups({ brokers, log: quiet }, [`${prefix}${AGGREGATOR_GROUP}`, `${prefix}analytics-test`]);
    },
  };
}

/**
 * Simulated traffic (lib/sim) from RECENT until at least `count` events, then seeded late arrivals:
 * about 2% of the events are produced up to ~2,000 positions after their neighbours.
 */
export function simulatedEvents(seed: number, users: number, count: number, rateMultiplier = 1): ViewEventInput[] {
  const start = RECENT;
  const sim = createSimulator({ seed, catalog: generateCatalog(seed), startMs: start, users, signupDays: 4, rateMultiplier });
  const events: ViewEventInput[] = [];
  for (let d = 0; events.length < count; d++) events.push(...sim.eventsBetween(start + d * DAY, start + (d + 1) * DAY));
  const rng = xoroshiro128plus(seed);
  const out = events.slice(0, count);
  for (let i = out.length - 1; i >= 0; i--) {
    if (uniformInt(rng, 0, 49) !== 0) continue;
    const to = Math.min(out.length - 1, i + uniformInt(rng, 1, 2_000));
    out.splice(to, 0, out.splice(i, 1)[0]!);
  }
  return out;
}

/** The aggregator's next offsets as stored with its aggregates, by "topic/partition". */
export async function storedOffsets(pool: pg.Pool): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ topic: string; partition: number; next_offset: number }>(
    "SELECT topic, partition, next_offset FROM consumer_offset WHERE group_id = $1",
    [AGGREGATOR_GROUP],
  );
  return new Map(rows.map((r) => [`${r.topic}/${r.partition}`, Number(r.next_offset)]));
}

export const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

export async function endOffsets(log: EventLog): Promise<Map<string, number>> {
  const ends = (await Promise.all(VIEW_EVENT_TOPICS.map((t) => log.endOffsets(t)))).flat();
  return new Map(ends.map((o) => [`${o.topic}/${o.partition}`, o.offset]));
}

/** Waits until `ok(stored offsets)`, failing early if a watched process exits. */
export async function waitForOffsets(
  pool: pg.Pool,
  ok: (stored: Map<string, number>) => boolean,
  what: string,
  watch: RunningProcess[],
  timeoutMs = 120_000,
): Promise<Map<string, number>> {
  const deadline = Date.now() + timeoutMs;
  const gone: RunningProcess[] = [];
  for (const p of watch) void p.exited.then(() => gone.push(p));
  for (;;) {
    const stored = await storedOffsets(pool).catch(() => null); // the database may be the fault under test
    if (stored && ok(stored)) return stored;
    const exited = gone[0];
    if (exited) throw new Error(`${exited.name} exited while waiting for ${what}:\n${exited.lines.slice(-20).join("\n")}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stored ${stored ? sum(stored) : "unreadable"}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Until every partition's stored next offset is its end offset. */
export async function waitForDrain(scope: Pick<Scope, "log" | "pool">, watch: RunningProcess[], timeoutMs = 150_000) {
  const ends = await endOffsets(scope.log);
  return waitForOffsets(scope.pool, (s) => [...ends].every(([k, end]) => end === 0 || s.get(k) === end), `the stored offsets to reach ${sum(ends)}`, watch, timeoutMs);
}

/** The aggregation tables equal, row for row, what `events` (and `deadLettered` bad messages) must give. */
export async function expectTables(pool: pg.Pool, events: ViewEventInput[], deadLettered = 0) {
  const want = expectedTables(events, deadLettered);
  const got = await readTables(pool);
  expect(diffTables(want, got), `tables ${JSON.stringify(tableSizes(got))}`).toEqual([]);
  return got;
}
