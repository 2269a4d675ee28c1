import { randomUUID } from "node:crypto";
import type pg from "pg";
import { foldEvents, mergeIncrements, SESSION_GAP_MS, utcDay, type BatchIncrements, type UserState, type UserStateUpdate } from "../../lib/aggregate/fold";
import { CONSUMER_GROUPS, VIEW_EVENT_TOPICS } from "../../lib/config/topics";
import { MAX_FUTURE_SKEW_MS, parseViewEvent, type ParsedEvent } from "../../lib/events/view-event";
import { withTransaction } from "../db/pool";
import { quoteIdent } from "../db/sql";
import type { EventLog } from "../log/types";

/*
 * Replay: delete aggregate rows and move the stored offsets back, in ONE transaction, so the next
 * stream process rebuilds them from the log.
 *
 * `earliest` empties every aggregation table and rewinds every partition to the log's start: the
 * rebuild equals a first run over what the log holds (exact while retention has dropped nothing).
 *
 * `--from T` recomputes the UTC days from D = day(T) on and keeps the days before. Exact, by these
 * steps (θ = D − 30 min, the session gap):
 *  1. Read the log below the stored offsets until every counted event with event time ≥ θ is
 *     found: the count found must equal minute_stat's count since θ. Record timestamps only say
 *     where to start (θ − 25 h); if that falls short, the rest down to the log's start is read,
 *     since producers may stamp records earlier than their events. Messages read must validate as
 *     they did (dead letters where they were). S_p = the lowest offset of such an event.
 *  2. Delete the days ≥ D, the dead letters at offsets ≥ S_p, their share of the counters; move the
 *     stored offsets to S_p; persist a replay floor { fromDay: D, until: the old stored offsets }.
 *  3. The aggregator re-reads [S_p, until): events of days < D there were counted and kept, so it
 *     folds them into the users' state (sessions, last watch) without counting them again.
 *  4. Sessions: every watch before S_p is older than θ, so any carried "last watch" older than θ
 *     decides a watch on day ≥ D the same way; user_activity.last_watch_at is capped just below θ
 *     and the replay raises it back to the true latest watch (which, if ≥ θ, lies after S_p).
 *     first_watch_day is the user's earliest watch day kept (< D), or comes back with the replay.
 * Refused, rather than approximated, when any step cannot hold (see ReplayRefusedError).
 */

const DAY_MS = 86_400_000;

/** How far before θ the scan starts: producers may stamp a record up to the accepted future skew early. */
const SCAN_MARGIN_MS = MAX_FUTURE_SKEW_MS + 3_600_000;

/** Aggregation tables `earliest` empties, in the report's order. */
export const AGGREGATION_TABLES = ["user_daily_stat", "user_day_title", "title_daily_stat", "user_activity", "minute_stat"] as const;

/** system_state key of a group's replay floor. */
export const replayFloorKey = (groupId: string) => `replay:${groupId}`;

/**
 * Persisted by `--from T`, consulted by the aggregator: below `until`, events of days before
 * `fromDay` were already counted (and kept) and only feed the users' state.
 */
export interface ReplayFloor {
  /** UTC day YYYY-MM-DD: the first day the replay recomputes. */
  fromDay: string;
  /** Per "topic/partition": the next offset stored before the replay. */
  until: Record<string, number>;
}

export async function loadReplayFloor(pool: pg.Pool, groupId: string): Promise<ReplayFloor | null> {
  const { rows } = await pool.query<{ value: ReplayFloor }>("SELECT value FROM system_state WHERE key = $1", [replayFloorKey(groupId)]);
  return rows[0]?.value ?? null;
}

function dropDaysBefore(inc: BatchIncrements, fromDay: string): BatchIncrements {
  const fromMs = Date.parse(`${fromDay}T00:00:00Z`);
  return {
    userDays: inc.userDays.filter((r) => r.day >= fromDay),
    watched: inc.watched.filter((r) => r.day >= fromDay),
    titleDays: inc.titleDays.filter((r) => r.day >= fromDay),
    minutes: inc.minutes.filter((r) => r.minute >= fromMs),
    users: inc.users,
  };
}

/**
 * Folds one partition's batch under a replay floor. The first `replayed` events lie below the
 * floor's `until`: of those only days ≥ `fromDay` count, the rest update the users' state alone.
 * Returns the increments to write, in order, and the events counted.
 */
export function foldUnderFloor(
  events: ParsedEvent[],
  replayed: number,
  prior: ReadonlyMap<string, UserState>,
  fromDay: string,
): { increments: BatchIncrements[]; counted: ParsedEvent[] } {
  if (replayed === 0) return { increments: [foldEvents(events, prior)], counted: events };
  const below = events.slice(0, replayed);
  const rest = events.slice(replayed);
  const first = foldEvents(below, prior);
  const counted = below.filter((e) => utcDay(e.time) >= fromDay).concat(rest);
  if (rest.length === 0) return { increments: [dropDaysBefore(first, fromDay)], counted };
  const carried = new Map<string, UserState>(prior);
  for (const u of first.users) carried.set(u.userId, u satisfies UserStateUpdate);
  return { increments: [mergeIncrements(dropDaysBefore(first, fromDay), foldEvents(rest, carried))], counted };
}

/** Why a replay did not run. Nothing was changed. */
export class ReplayRefusedError extends Error {
  constructor(
    /**
     * - group-alive:        a member of the group is alive (processes must be stopped first)
     * - retention:          the log no longer holds records the tables were built from
     * - floor-in-progress:  an earlier `--from` replay has not been consumed to its end yet
     * - not-verifiable:     the log and the tables disagree on what was counted (scan found fewer or
     *                       more events than minute_stat, or messages validate differently now)
     * - changed:            the stored offsets moved between plan and apply (a process ran)
     */
    readonly code: "group-alive" | "retention" | "floor-in-progress" | "not-verifiable" | "changed",
    message: string,
  ) {
    super(message);
    this.name = "ReplayRefusedError";
  }
}

export type ReplayFrom = { kind: "earliest" } | { kind: "time"; atMs: number };

/** Consumer-group facts replay needs from the broker (server/log/kafka-admin.ts: kafkaGroupAdmin). Group ids as the application names them. */
export interface GroupAdmin {
  /** Member ids of the group's live members (empty when no process consumes as the group). */
  liveMembers(groupId: string): Promise<string[]>;
  /** Best-effort removal of a finished, empty helper group. */
  remove(groupId: string): Promise<void>;
}

export interface ReplayDeps {
  pool: pg.Pool;
  /** The log as the stream processor sees it (topic prefix applied). */
  log: EventLog;
  groups: GroupAdmin;
  groupId?: string;
  topics?: readonly string[];
  /** Validation clock for the scan ("more than 24 h in the future"), epoch ms. */
  clock?: () => number;
  /** Progress lines (scans can take a while). */
  onProgress?: (line: string) => void;
  /** Give up a scan that makes no progress for this long, ms. */
  scanStallMs?: number;
}

export interface PartitionMove {
  topic: string;
  partition: number;
  /** Stored next offset before the replay; null when the group never stored one. */
  before: number | null;
  after: number;
}

export interface ReplayPlan {
  from: ReplayFrom;
  groupId: string;
  /** `--from`: the first UTC day recomputed. */
  fromDay: string | null;
  /** Partitions whose stored offset moves (or is created). */
  moves: PartitionMove[];
  /** `--from`: events since θ = D − 30 min the tables hold, and messages the scan read. */
  verification: { eventsSinceTheta: number; found: number; scanned: number; passes: 1 | 2 } | null;
  /** Dead letters at offsets the replay re-reads, per "topic/partition" ≥ offset. */
  deadLetterFrom: Record<string, number>;
  /** The stored offsets the plan was made from, per "topic/partition"; apply refuses if any moved. */
  stored: Record<string, number>;
}

export interface ReplayReport extends ReplayPlan {
  /** Rows deleted per table. */
  deleted: Record<string, number>;
  /** Amounts subtracted from pipeline_counter (`earliest`: the group's counters are deleted). */
  countersReduced: Record<string, number>;
  /** user_activity rows whose first_watch_day / last_watch_at were rewritten (`--from`). */
  usersAdjusted: number;
  /** Group members that appeared while the replay committed: they resumed from the old offsets. */
  raced: string[];
}

const tpKey = (topic: string, partition: number) => `${topic}/${partition}`;

async function storedOffsets(db: pg.Pool | pg.PoolClient, groupId: string, topics: readonly string[], lock = false) {
  const { rows } = await db.query<{ topic: string; partition: number; next_offset: number }>(
    `SELECT topic, partition, next_offset FROM consumer_offset WHERE group_id = $1 AND topic = ANY($2::text[])
     ORDER BY topic, partition ${lock ? "FOR UPDATE" : ""}`,
    [groupId, [...topics]],
  );
  return new Map(rows.map((r) => [tpKey(r.topic, r.partition), Number(r.next_offset)]));
}

async function refuseIfAlive(deps: ReplayDeps, groupId: string): Promise<void> {
  const members = await deps.groups.liveMembers(groupId);
  if (members.length > 0) {
    throw new ReplayRefusedError(
      "group-alive",
      `consumer group ${groupId} has ${members.length} live member(s): ${members.join(", ")}. Stop every stream process first ` +
        "(a process killed without a clean stop stays listed until its Kafka session times out, about 30 s).",
    );
  }
}

/**
 * Reads [from, to) of each listed partition with a throw-away consumer group and hands every
 * message to `visit`. Other partitions are not read.
 */
async function scanLog(
  deps: ReplayDeps,
  topics: readonly string[],
  ranges: Map<string, { from: number; to: number }>,
  visit: (topic: string, partition: number, offset: number, value: Buffer | null) => void,
): Promise<number> {
  const work = [...ranges].filter(([, r]) => r.from < r.to);
  if (work.length === 0) return 0;
  const ends = new Map((await Promise.all(topics.map((t) => deps.log.endOffsets(t)))).flat().map((o) => [tpKey(o.topic, o.partition), o.offset]));
  const position = new Map(work.map(([k, r]) => [k, r.from]));
  const groupId = `showrunner-replay-scan-${randomUUID().slice(0, 8)}`;
  const consumer = deps.log.createConsumer({ groupId, topics, maxBatchSize: 10_000 });
  let scanned = 0;
  let lastProgress = Date.now();
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const finished = () => work.every(([k, r]) => (position.get(k) ?? 0) >= r.to);
  try {
    await consumer.run({
      onAssign: async (partitions) =>
        partitions.map((p) => {
          const k = tpKey(p.topic, p.partition);
          return { ...p, offset: ranges.get(k)?.from ?? ends.get(k) ?? 0 };
        }),
      eachBatch: async (batch) => {
        const k = tpKey(batch.topic, batch.partition);
        const range = ranges.get(k);
        if (!range) return;
        for (const m of batch.messages) {
          if (m.offset < (position.get(k) ?? range.from) || m.offset >= range.to) continue;
          visit(batch.topic, batch.partition, m.offset, m.value);
          position.set(k, m.offset + 1);
          scanned++;
        }
        lastProgress = Date.now();
        if (finished()) resolveDone();
      },
    });
    const stallMs = deps.scanStallMs ?? 60_000;
    for (;;) {
      const settled = await Promise.race([done.then(() => true), consumer.crashed, new Promise<false>((r) => setTimeout(() => r(false), 1_000))]);
      if (settled) break;
      if (Date.now() - lastProgress > stallMs) {
        const behind = work.filter(([k, r]) => (position.get(k) ?? 0) < r.to).map(([k, r]) => `${k} at ${position.get(k)} of ${r.to}`);
        throw new Error(`the scan of the log stalled for ${stallMs / 1000} s (${behind.join(", ")})`);
      }
      deps.onProgress?.(`  scanned ${scanned.toLocaleString("en")} messages…`);
    }
  } finally {
    await consumer.stop().catch(() => undefined);
    await deps.groups.remove(groupId).catch(() => undefined);
  }
  return scanned;
}

/**
 * Works out what a replay would do, without changing anything. Refuses (ReplayRefusedError) when it
 * cannot be exact or while the group is alive.
 */
export async function planReplay(deps: ReplayDeps, from: ReplayFrom, options: { allowRetentionLoss?: boolean } = {}): Promise<ReplayPlan> {
  const groupId = deps.groupId ?? CONSUMER_GROUPS.aggregator;
  const topics = deps.topics ?? VIEW_EVENT_TOPICS;
  await refuseIfAlive(deps, groupId);
  const stored = await storedOffsets(deps.pool, groupId, topics);
  const starts = (await Promise.all(topics.map((t) => deps.log.startOffsets(t)))).flat();

  if (from.kind === "earliest") {
    const lost = starts.filter((s) => s.offset > 0);
    if (lost.length > 0 && !options.allowRetentionLoss) {
      throw new ReplayRefusedError(
        "retention",
        `the log no longer holds its oldest records (${lost.map((s) => `${tpKey(s.topic, s.partition)} starts at ${s.offset}`).join(", ")}): ` +
          "rebuilding from earliest would drop what was counted from them. Replay --from a time the log still holds, or accept the loss explicitly.",
      );
    }
    const moves = starts.map((s) => ({ topic: s.topic, partition: s.partition, before: stored.get(tpKey(s.topic, s.partition)) ?? null, after: s.offset }));
    return { from, groupId, fromDay: null, moves, verification: null, deadLetterFrom: {}, stored: Object.fromEntries(stored) };
  }

  const dayStart = Math.floor(from.atMs / DAY_MS) * DAY_MS;
  const fromDay = utcDay(dayStart);
  const theta = dayStart - SESSION_GAP_MS;

  const floor = await loadReplayFloor(deps.pool, groupId);
  const unfinished = Object.entries(floor?.until ?? {}).filter(([k, until]) => (stored.get(k) ?? 0) < until);
  if (floor && unfinished.length > 0) {
    throw new ReplayRefusedError(
      "floor-in-progress",
      `the replay from ${floor.fromDay} has not been consumed to its end (${unfinished.map(([k, u]) => `${k} at ${stored.get(k)} of ${u}`).join(", ")}). ` +
        "Run a stream process until it catches up, or replay from earliest.",
    );
  }

  const [{ rows: sinceTheta }, { rows: deadRows }] = await Promise.all([
    deps.pool.query<{ n: number }>("SELECT coalesce(sum(events), 0)::bigint AS n FROM minute_stat WHERE minute >= $1", [new Date(theta)]),
    deps.pool.query<{ topic: string; partition: number; offset: number }>(
      `SELECT topic, partition, "offset" FROM dead_letter WHERE group_id = $1 AND topic = ANY($2::text[])`,
      [groupId, [...topics]],
    ),
  ]);
  const expected = Number(sinceTheta[0]?.n ?? 0);
  const deadLettered = new Set(deadRows.map((r) => `${tpKey(r.topic, r.partition)}@${Number(r.offset)}`));

  const startOf = new Map(starts.map((s) => [tpKey(s.topic, s.partition), s.offset]));
  const hints = new Map(
    (await Promise.all(topics.map((t) => deps.log.offsetsForTime(t, theta - SCAN_MARGIN_MS)))).flat().map((o) => [tpKey(o.topic, o.partition), o.offset]),
  );
  const lowest = new Map<string, number>();
  const changed: string[] = [];
  let found = 0;
  let scanned = 0;
  const clock = deps.clock ?? Date.now;
  const visit = (topic: string, partition: number, offset: number, value: Buffer | null) => {
    const k = tpKey(topic, partition);
    const parsed = parseViewEvent(value, clock());
    const wasDead = deadLettered.has(`${k}@${offset}`);
    if (parsed.ok === wasDead) changed.push(`${k}@${offset}`);
    if (!parsed.ok || parsed.event.time < theta) return;
    found++;
    if (!lowest.has(k)) lowest.set(k, offset);
    else lowest.set(k, Math.min(lowest.get(k)!, offset));
  };

  // Pass 1 from where record timestamps say θ − margin begins; pass 2 down to the log's start if short.
  const pass1 = new Map<string, { from: number; to: number }>();
  const pass2 = new Map<string, { from: number; to: number }>();
  for (const [k, until] of stored) {
    const start = startOf.get(k) ?? 0;
    const hint = Math.min(Math.max(hints.get(k) ?? start, start), until);
    pass1.set(k, { from: hint, to: until });
    pass2.set(k, { from: start, to: hint });
  }
  deps.onProgress?.(`Scanning the log from about ${new Date(theta - SCAN_MARGIN_MS).toISOString()} for events since ${new Date(theta).toISOString()}…`);
  scanned += await scanLog(deps, topics, pass1, visit);
  let passes: 1 | 2 = 1;
  if (found < expected && changed.length === 0) {
    passes = 2;
    deps.onProgress?.(`  found ${found} of ${expected} events since θ; scanning the rest of the log…`);
    scanned += await scanLog(deps, topics, pass2, visit);
  }
  if (changed.length > 0) {
    throw new ReplayRefusedError(
      "not-verifiable",
      `${changed.length} message(s) validate differently now than when they were consumed (e.g. ${changed.slice(0, 3).join(", ")}): ` +
        "the days before the replay would no longer match them. Replay from earliest.",
    );
  }
  if (found !== expected) {
    const why =
      found < expected
        ? "the log no longer holds some of them (retention)"
        : "the tables hold fewer than the log (were they changed by hand, or are the topics not those the tables were built from?)";
    throw new ReplayRefusedError(
      found < expected ? "retention" : "not-verifiable",
      `the tables count ${expected} events since ${new Date(theta).toISOString()} but the log holds ${found}: ${why}. Replay from earliest, or from a later day.`,
    );
  }

  const moves: PartitionMove[] = [];
  const deadLetterFrom: Record<string, number> = {};
  for (const [k, until] of stored) {
    const low = lowest.get(k);
    if (low === undefined || low >= until) continue;
    const [topic, partition] = [k.slice(0, k.lastIndexOf("/")), Number(k.slice(k.lastIndexOf("/") + 1))];
    moves.push({ topic, partition, before: until, after: low });
    deadLetterFrom[k] = low;
  }
  return { from, groupId, fromDay, moves, verification: { eventsSinceTheta: expected, found, scanned, passes }, deadLetterFrom, stored: Object.fromEntries(stored) };
}

/** Applies a plan in one transaction; refuses if the stored offsets moved since it was made. */
export async function applyReplay(deps: ReplayDeps, plan: ReplayPlan): Promise<ReplayReport> {
  const topics = deps.topics ?? VIEW_EVENT_TOPICS;
  const { groupId } = plan;
  await refuseIfAlive(deps, groupId);
  const result = await withTransaction(deps.pool, async (tx) => {
    const stored = await storedOffsets(tx, groupId, topics, true);
    // Every stored offset must be as planned: the verification and the moves were computed from them.
    const keys = new Set([...stored.keys(), ...Object.keys(plan.stored)]);
    const drift = [...keys].filter((k) => stored.get(k) !== plan.stored[k]);
    if (drift.length > 0) {
      throw new ReplayRefusedError("changed", `stored offsets moved since the plan (${drift.join(", ")}): a stream process ran. Plan again.`);
    }

    const deleted: Record<string, number> = {};
    const countersReduced: Record<string, number> = {};
    let usersAdjusted = 0;
    if (plan.from.kind === "earliest") {
      for (const table of AGGREGATION_TABLES) {
        const { rows } = await tx.query<{ n: number }>(`SELECT count(*)::bigint AS n FROM ${quoteIdent(table)}`);
        deleted[table] = Number(rows[0]?.n ?? 0);
      }
      await tx.query(`TRUNCATE ${AGGREGATION_TABLES.join(", ")}`);
      deleted.dead_letter = (await tx.query("DELETE FROM dead_letter WHERE group_id = $1", [groupId])).rowCount ?? 0;
      const counters = await tx.query<{ name: string; value: number }>("DELETE FROM pipeline_counter WHERE group_id = $1 RETURNING name, value", [groupId]);
      deleted.pipeline_counter = counters.rowCount ?? 0;
      for (const c of counters.rows) countersReduced[c.name] = Number(c.value);
      await tx.query("DELETE FROM system_state WHERE key = $1", [replayFloorKey(groupId)]);
    } else {
      const dayStart = new Date(`${plan.fromDay}T00:00:00Z`);
      const theta = new Date(dayStart.getTime() - SESSION_GAP_MS);
      const { rows: counted } = await tx.query<{ n: number }>("SELECT coalesce(sum(events), 0)::bigint AS n FROM minute_stat WHERE minute >= $1", [dayStart]);
      for (const [table, column] of [
        ["user_daily_stat", "day"],
        ["user_day_title", "day"],
        ["title_daily_stat", "day"],
        ["minute_stat", "minute"],
      ] as const) {
        deleted[table] = (await tx.query(`DELETE FROM ${quoteIdent(table)} WHERE ${quoteIdent(column)} >= $1`, [dayStart])).rowCount ?? 0;
      }
      // Users with no watch left before D come back with the replay; the others keep their first day.
      deleted.user_activity =
        (await tx.query("DELETE FROM user_activity a WHERE NOT EXISTS (SELECT 1 FROM user_day_title t WHERE t.user_id = a.user_id)")).rowCount ?? 0;
      usersAdjusted =
        (
          await tx.query(
            `UPDATE user_activity a SET first_watch_day = k.first_day, last_watch_at = least(a.last_watch_at, $1::timestamptz - interval '1 millisecond')
             FROM (SELECT user_id, min(day) AS first_day FROM user_day_title GROUP BY user_id) k
             WHERE a.user_id = k.user_id AND (a.first_watch_day <> k.first_day OR a.last_watch_at >= $1::timestamptz)`,
            [theta],
          )
        ).rowCount ?? 0;
      const dl = Object.entries(plan.deadLetterFrom);
      const dead = await tx.query<{ n: number }>(
        `DELETE FROM dead_letter d USING unnest($2::text[], $3::int[], $4::bigint[]) AS r(topic, partition, from_offset)
         WHERE d.group_id = $1 AND d.topic = r.topic AND d.partition = r.partition AND d."offset" >= r.from_offset`,
        [groupId, dl.map(([k]) => k.slice(0, k.lastIndexOf("/"))), dl.map(([k]) => Number(k.slice(k.lastIndexOf("/") + 1))), dl.map(([, o]) => o)],
      );
      deleted.dead_letter = dead.rowCount ?? 0;
      countersReduced.counted = Number(counted[0]?.n ?? 0);
      countersReduced.dead_lettered = deleted.dead_letter;
      await tx.query(
        `UPDATE pipeline_counter c SET value = c.value - r.amount FROM unnest($2::text[], $3::bigint[]) AS r(name, amount)
         WHERE c.group_id = $1 AND c.name = r.name`,
        [groupId, Object.keys(countersReduced), Object.values(countersReduced)],
      );
      if (plan.moves.length > 0) {
        const floor: ReplayFloor = { fromDay: plan.fromDay!, until: Object.fromEntries(plan.moves.map((m) => [tpKey(m.topic, m.partition), m.before!])) };
        await tx.query(
          `INSERT INTO system_state (key, value, updated_at) VALUES ($1, $2, now())
           ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now()`,
          [replayFloorKey(groupId), JSON.stringify(floor)],
        );
      }
    }

    await tx.query(
      `INSERT INTO consumer_offset (group_id, topic, partition, next_offset, updated_at)
       SELECT $1, topic, partition, next_offset, now() FROM unnest($2::text[], $3::int[], $4::bigint[]) AS t(topic, partition, next_offset)
       ON CONFLICT (group_id, topic, partition) DO UPDATE SET next_offset = excluded.next_offset, updated_at = now()`,
      [groupId, plan.moves.map((m) => m.topic), plan.moves.map((m) => m.partition), plan.moves.map((m) => m.after)],
    );
    return { deleted, countersReduced, usersAdjusted };
  });
  const raced = await deps.groups.liveMembers(groupId).catch(() => []);
  return { ...plan, ...result, raced };
}

/** Plans and applies a replay. */
export async function replayAggregates(
  deps: ReplayDeps,
  from: ReplayFrom,
  options: { allowRetentionLoss?: boolean } = {},
): Promise<ReplayReport> {
  return applyReplay(deps, await planReplay(deps, from, options));
}
