import type pg from "pg";
import { CONSUMER_GROUPS } from "../../lib/config/topics";
import type { ViewEventInput } from "../../lib/events/view-event";

/*
 * The aggregation tables as plain maps, computed two ways: straight from the event list (none of
 * the processor's code: not the fold, not the SQL) and read back from Postgres. Tests compare them
 * row for row.
 */

const GAP_MS = 30 * 60_000;
const MINUTE_MS = 60_000;

/** Table name → row key → the row's values, as one canonical string. */
export type Tables = Record<"user_daily_stat" | "user_day_title" | "title_daily_stat" | "user_activity" | "minute_stat" | "pipeline_counter", Map<string, string>>;

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * What the tables must hold after consuming `events`, given in arrival order per user (the order
 * they were produced: a user's events of one topic keep it in their partition). Sessions follow the
 * documented rule: a watch more than 30 minutes after the user's latest earlier-arrived watch starts
 * one, on the watch's day. `deadLettered` is the number of malformed messages also consumed.
 */
export function expectedTables(events: readonly ViewEventInput[], deadLettered = 0): Tables {
  const userDay = new Map<string, number[]>(); // watchSeconds, watchCount, sessions, likes, dislikes, searches, ratings, ratingSum
  const titles = new Map<string, Set<string>>();
  const titleDay = new Map<string, number[]>(); // watchSeconds, views, likes, dislikes
  const viewers = new Map<string, Set<string>>();
  const users = new Map<string, { first: string; last: number; country: string | null; device: string | null }>();
  const minutes = new Map<number, number[]>(); // events, watchCount, watchSeconds
  const get = <K>(m: Map<K, number[]>, k: K, n: number) => m.get(k) ?? (m.set(k, new Array<number>(n).fill(0)), m.get(k)!);

  for (const e of events) {
    const time = Date.parse(e.event_time);
    const d = day(time);
    const seconds = e.event_type === "watch" ? (e.watch_duration ?? 0) : 0;
    const u = get(userDay, `${e.user_id}|${d}`, 8);
    const m = get(minutes, Math.floor(time / MINUTE_MS) * MINUTE_MS, 3);
    m[0]!++;
    const t = e.event_type === "watch" || e.event_type === "like" || e.event_type === "dislike" ? get(titleDay, `${e.title_id}|${d}`, 4) : null;
    switch (e.event_type) {
      case "watch": {
        m[1]!++;
        m[2]! += seconds;
        u[0]! += seconds;
        u[1]!++;
        t![0]! += seconds;
        t![1]!++;
        (titles.get(`${e.user_id}|${d}`) ?? titles.set(`${e.user_id}|${d}`, new Set()).get(`${e.user_id}|${d}`)!).add(e.title_id);
        (viewers.get(`${e.title_id}|${d}`) ?? viewers.set(`${e.title_id}|${d}`, new Set()).get(`${e.title_id}|${d}`)!).add(e.user_id);
        const prev = users.get(e.user_id);
        if (!prev || time - prev.last > GAP_MS) u[2]!++;
        users.set(e.user_id, {
          first: prev && prev.first < d ? prev.first : d,
          last: prev ? Math.max(prev.last, time) : time,
          country: e.country ?? prev?.country ?? null,
          device: e.device ?? prev?.device ?? null,
        });
        break;
      }
      case "like":
        u[3]!++;
        t![2]!++;
        break;
      case "dislike":
        u[4]!++;
        t![3]!++;
        break;
      case "search":
        u[5]!++;
        break;
      case "rating":
        u[6]!++;
        u[7]! += e.rating ?? 0;
        break;
    }
  }

  const out: Tables = {
    user_daily_stat: new Map(),
    user_day_title: new Map(),
    title_daily_stat: new Map(),
    user_activity: new Map(),
    minute_stat: new Map(),
    pipeline_counter: new Map(),
  };
  for (const [k, v] of userDay) {
    const [ws, wc, sessions, likes, dislikes, searches, ratings, ratingSum] = v;
    out.user_daily_stat.set(k, [ws, wc, titles.get(k)?.size ?? 0, sessions, likes, dislikes, searches, ratings, ratingSum].join(","));
  }
  for (const [k, set] of titles) {
    const [user, d] = k.split("|");
    for (const title of set) out.user_day_title.set(`${user}|${d}|${title}`, "");
  }
  for (const [k, v] of titleDay) out.title_daily_stat.set(k, [v[0], v[1], viewers.get(k)?.size ?? 0, v[2], v[3]].join(","));
  for (const [k, u] of users) out.user_activity.set(k, [u.first, u.last, u.country ?? "", u.device ?? ""].join(","));
  for (const [k, v] of minutes) out.minute_stat.set(String(k), v.join(","));
  if (events.length > 0) out.pipeline_counter.set("counted", String(events.length));
  if (deadLettered > 0) out.pipeline_counter.set("dead_lettered", String(deadLettered));
  return out;
}

/** The tables as Postgres holds them, in the same shape. */
export async function readTables(pool: pg.Pool, groupId: string = CONSUMER_GROUPS.aggregator): Promise<Tables> {
  // eslint-disable-next-line showrunner/no-string-built-sql -- only the literal statements below come through
  const q = async (sql: string, params: unknown[] = []) => new Map((await pool.query<{ k: string; v: string }>(sql, params)).rows.map((r) => [r.k, r.v]));
  const [userDaily, userDayTitle, titleDaily, activity, minute, counters] = await Promise.all([
    q(`SELECT user_id || '|' || to_char(day, 'YYYY-MM-DD') AS k,
              concat_ws(',', watch_seconds, watch_count, distinct_titles, sessions, likes, dislikes, searches, ratings, rating_sum) AS v
       FROM user_daily_stat`),
    q(`SELECT user_id || '|' || to_char(day, 'YYYY-MM-DD') || '|' || title_id AS k, '' AS v FROM user_day_title`),
    q(`SELECT title_id || '|' || to_char(day, 'YYYY-MM-DD') AS k, concat_ws(',', watch_seconds, views, unique_viewers, likes, dislikes) AS v
       FROM title_daily_stat`),
    q(`SELECT user_id AS k, concat_ws(',', to_char(first_watch_day, 'YYYY-MM-DD'), (extract(epoch FROM last_watch_at) * 1000)::bigint,
              coalesce(country, ''), coalesce(device, '')) AS v
       FROM user_activity`),
    q(`SELECT ((extract(epoch FROM minute) * 1000)::bigint)::text AS k, concat_ws(',', events, watch_count, watch_seconds) AS v FROM minute_stat`),
    q(`SELECT name AS k, value::text AS v FROM pipeline_counter WHERE group_id = $1 AND value <> 0`, [groupId]),
  ]);
  return {
    user_daily_stat: userDaily,
    user_day_title: userDayTitle,
    title_daily_stat: titleDaily,
    user_activity: activity,
    minute_stat: minute,
    pipeline_counter: counters,
  };
}

/** Differences between two table sets, at most `limit` per table ([] when identical). */
export function diffTables(want: Tables, got: Tables, limit = 5): string[] {
  const out: string[] = [];
  for (const table of Object.keys(want) as (keyof Tables)[]) {
    const w = want[table];
    const g = got[table];
    const problems: string[] = [];
    let count = 0;
    for (const [k, v] of w) {
      const actual = g.get(k);
      if (actual === v) continue;
      count++;
      if (problems.length < limit) problems.push(actual === undefined ? `missing ${k} (want ${v})` : `${k}: want ${v}, got ${actual}`);
    }
    for (const [k, v] of g) {
      if (w.has(k)) continue;
      count++;
      if (problems.length < limit) problems.push(`extra ${k} = ${v}`);
    }
    if (count > 0) out.push(`${table}: ${count} row(s) differ (want ${w.size} rows, got ${g.size}); ${problems.join("; ")}`);
  }
  return out;
}

/** Row counts per table, for logs. */
export function tableSizes(t: Tables): Record<string, number> {
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.size]));
}
