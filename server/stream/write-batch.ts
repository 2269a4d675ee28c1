import type { BatchIncrements, UserState } from "../../lib/aggregate/fold";
import type pg from "pg";

/**
 * A node-postgres client inside an open transaction. The ingest path talks to Postgres directly:
 * through Prisma's raw-query path each statement cost ~15 ms more at 5,000-event batches, most of
 * the budget (measured in bench/ingest-embedded.ts); reads and the schema stay with Prisma.
 */
export type Tx = pg.PoolClient;

export interface DeadLetterRow {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  raw: Buffer | null;
  reason: string;
}

/** Raised when another consumer advanced the partition's stored offset under us: retry the batch. */
export class OffsetConflictError extends Error {
  constructor(topic: string, partition: number) {
    super(`stored offset of ${topic}/${partition} moved during the batch (another consumer owns it now)`);
    this.name = "OffsetConflictError";
  }
}

/** Reads (and row-locks) the next offset stored for a partition; null if none yet. */
export async function lockStoredOffset(tx: Tx, groupId: string, topic: string, partition: number): Promise<number | null> {
  const { rows } = await tx.query<{ next_offset: string }>(
    `
    SELECT next_offset FROM consumer_offset
    WHERE group_id = $1 AND topic = $2 AND partition = $3
    FOR UPDATE`,
    [groupId, topic, partition],
  );
  return rows[0] ? Number(rows[0].next_offset) : null;
}

export async function loadUserStates(tx: Tx, userIds: string[]): Promise<Map<string, UserState>> {
  const states = new Map<string, UserState>();
  if (userIds.length === 0) return states;
  const { rows } = await tx.query<{ user_id: string; first_watch_day: string; last_watch_at: Date }>(
    `
    SELECT user_id, to_char(first_watch_day, 'YYYY-MM-DD') AS first_watch_day, last_watch_at FROM user_activity WHERE user_id = ANY($1::text[])`,
    [userIds],
  );
  for (const r of rows) {
    states.set(r.user_id, { firstWatchDay: r.first_watch_day, lastWatchAt: r.last_watch_at.getTime() });
  }
  return states;
}

/**
 * Applies one batch's increments. Distinct counts stay exact: a set row inserted for the first time
 * (ON CONFLICT DO NOTHING ... RETURNING) is what increments the count, in the same statement.
 */
export async function writeIncrements(tx: Tx, inc: BatchIncrements): Promise<void> {
  if (inc.userDays.length > 0) {
    const w = inc.watched;
    const u = inc.userDays;
    const d = inc.titleDays;
    // One round trip: a (user, day, title) row inserted for the first time counts once towards the
    // user-day's distinct titles and once towards the title-day's unique viewers.
    await tx.query(
      `WITH new_rows AS (
         INSERT INTO user_day_title (user_id, day, title_id)
         SELECT * FROM unnest($1::text[], $2::date[], $3::text[])
         ON CONFLICT DO NOTHING
         RETURNING user_id, day, title_id
       ), new_titles AS (
         SELECT user_id, day, count(*)::int AS n FROM new_rows GROUP BY user_id, day
       ), new_viewers AS (
         SELECT title_id, day, count(*)::int AS n FROM new_rows GROUP BY title_id, day
       ), user_inc AS (
         SELECT * FROM unnest($4::text[], $5::date[], $6::float8[], $7::int[], $8::int[], $9::int[], $10::int[], $11::int[],
                              $12::int[], $13::int[])
           AS t(user_id, day, watch_seconds, watch_count, sessions, likes, dislikes, searches, ratings, rating_sum)
       ), users_done AS (
         INSERT INTO user_daily_stat AS s
           (user_id, day, watch_seconds, watch_count, distinct_titles, sessions, likes, dislikes, searches, ratings, rating_sum)
         SELECT i.user_id, i.day, i.watch_seconds, i.watch_count, coalesce(n.n, 0), i.sessions, i.likes, i.dislikes,
                i.searches, i.ratings, i.rating_sum
         FROM user_inc i LEFT JOIN new_titles n ON n.user_id = i.user_id AND n.day = i.day
         ORDER BY i.user_id, i.day
         ON CONFLICT (user_id, day) DO UPDATE SET
           watch_seconds = s.watch_seconds + excluded.watch_seconds,
           watch_count = s.watch_count + excluded.watch_count,
           distinct_titles = s.distinct_titles + excluded.distinct_titles,
           sessions = s.sessions + excluded.sessions,
           likes = s.likes + excluded.likes,
           dislikes = s.dislikes + excluded.dislikes,
           searches = s.searches + excluded.searches,
           ratings = s.ratings + excluded.ratings,
           rating_sum = s.rating_sum + excluded.rating_sum
         RETURNING 1
       ), title_inc AS (
         SELECT * FROM unnest($14::text[], $15::date[], $16::float8[], $17::int[], $18::int[], $19::int[])
           AS t(title_id, day, watch_seconds, views, likes, dislikes)
       )
       INSERT INTO title_daily_stat AS s (title_id, day, watch_seconds, views, unique_viewers, likes, dislikes)
       SELECT i.title_id, i.day, i.watch_seconds, i.views, coalesce(n.n, 0), i.likes, i.dislikes
       FROM title_inc i LEFT JOIN new_viewers n ON n.title_id = i.title_id AND n.day = i.day
       -- Referencing users_done runs it first (an InitPlan): every transaction then locks user rows
       -- before title rows; left unreferenced, Postgres may run it after, and two transactions
       -- could take the two tables in opposite orders (seen as a deadlock in CI).
       WHERE (SELECT count(*) FROM users_done) >= 0
       ORDER BY i.title_id, i.day
       ON CONFLICT (title_id, day) DO UPDATE SET
         watch_seconds = s.watch_seconds + excluded.watch_seconds,
         views = s.views + excluded.views,
         unique_viewers = s.unique_viewers + excluded.unique_viewers,
         likes = s.likes + excluded.likes,
         dislikes = s.dislikes + excluded.dislikes`,
      [
        w.map((r) => r.userId),
        w.map((r) => r.day),
        w.map((r) => r.titleId),
        u.map((r) => r.userId),
        u.map((r) => r.day),
        u.map((r) => r.watchSeconds),
        u.map((r) => r.watchCount),
        u.map((r) => r.sessions),
        u.map((r) => r.likes),
        u.map((r) => r.dislikes),
        u.map((r) => r.searches),
        u.map((r) => r.ratings),
        u.map((r) => r.ratingSum),
        d.map((r) => r.titleId),
        d.map((r) => r.day),
        d.map((r) => r.watchSeconds),
        d.map((r) => r.views),
        d.map((r) => r.likes),
        d.map((r) => r.dislikes),
      ],
    );
  }

  if (inc.minutes.length > 0) {
    const m = inc.minutes;
    await tx.query(
    `
      INSERT INTO minute_stat AS s (minute, events, watch_count, watch_seconds)
      SELECT to_timestamp(minute_ms / 1000.0), events, watch_count, watch_seconds
      FROM unnest($1::float8[], $2::int[], $3::int[],
                  $4::float8[]) AS t(minute_ms, events, watch_count, watch_seconds)
      ON CONFLICT (minute) DO UPDATE SET
        events = s.events + excluded.events,
        watch_count = s.watch_count + excluded.watch_count,
        watch_seconds = s.watch_seconds + excluded.watch_seconds`,
    [m.map((r) => r.minute), m.map((r) => r.events), m.map((r) => r.watchCount), m.map((r) => r.watchSeconds)],
  );
  }

  if (inc.users.length > 0) {
    const u = inc.users;
    await tx.query(
    `
      INSERT INTO user_activity AS a (user_id, first_watch_day, last_watch_at, country, device)
      SELECT user_id, first_watch_day, to_timestamp(last_ms / 1000.0), country, device
      FROM unnest($1::text[], $2::date[], $3::float8[],
                  $4::text[], $5::text[])
           AS t(user_id, first_watch_day, last_ms, country, device)
      ON CONFLICT (user_id) DO UPDATE SET
        first_watch_day = least(a.first_watch_day, excluded.first_watch_day),
        last_watch_at = greatest(a.last_watch_at, excluded.last_watch_at),
        country = coalesce(excluded.country, a.country),
        device = coalesce(excluded.device, a.device)`,
    [u.map((r) => r.userId), u.map((r) => r.firstWatchDay), u.map((r) => r.lastWatchAt), u.map((r) => r.country ?? null), u.map((r) => r.device ?? null)],
  );
  }
}

export async function writeDeadLetters(tx: Tx, groupId: string, rows: DeadLetterRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO dead_letter (group_id, topic, partition, "offset", key, raw_value, reason)
     SELECT $1, $2, partition, "offset", key, decode(raw_hex, 'hex'), reason
     FROM unnest($3::int[], $4::bigint[], $5::text[], $6::text[], $7::text[]) AS t(partition, "offset", key, raw_hex, reason)
     ON CONFLICT (group_id, topic, partition, "offset") DO NOTHING`,
    [
      groupId,
      rows[0]!.topic,
      rows.map((r) => r.partition),
      rows.map((r) => r.offset),
      rows.map((r) => r.key),
      rows.map((r) => r.raw?.toString("hex") ?? null),
      rows.map((r) => r.reason),
    ],
  );
}

export async function addCounters(tx: Tx, groupId: string, counters: Record<string, number>): Promise<void> {
  const entries = Object.entries(counters).filter(([, v]) => v > 0);
  if (entries.length === 0) return;
  await tx.query(
    `
    INSERT INTO pipeline_counter AS c (group_id, name, value)
    SELECT $1, name, value FROM unnest($2::text[], $3::bigint[]) AS t(name, value)
    ON CONFLICT (group_id, name) DO UPDATE SET value = c.value + excluded.value`,
    [groupId, entries.map(([k]) => k), entries.map(([, v]) => v)],
  );
}

/**
 * Stores the next offset, but only if nobody moved it since we locked it: the guard that keeps two
 * consumers briefly owning one partition (during a rebalance) from both counting a batch.
 */
export async function storeOffset(
  tx: Tx,
  groupId: string,
  topic: string,
  partition: number,
  expected: number | null,
  next: number,
): Promise<void> {
  const { rowCount } =
    expected === null
      ? await tx.query(
    `
          INSERT INTO consumer_offset (group_id, topic, partition, next_offset, updated_at)
          VALUES ($1, $2, $3, $4, now())
          ON CONFLICT DO NOTHING`,
    [groupId, topic, partition, next],
  )
      : await tx.query(
    `
          UPDATE consumer_offset SET next_offset = $1, updated_at = now()
          WHERE group_id = $2 AND topic = $3 AND partition = $4 AND next_offset = $5`,
    [next, groupId, topic, partition, expected],
  );
  if (rowCount !== 1) throw new OffsetConflictError(topic, partition);
}
