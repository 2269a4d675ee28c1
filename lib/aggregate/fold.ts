import type { ParsedEvent } from "../events/view-event";

/** Inactivity that closes a viewing session (DESIGN.md). */
export const SESSION_GAP_MS = 30 * 60_000;

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** UTC calendar day of an epoch-ms instant, as YYYY-MM-DD. */
export function utcDay(ms: number): string {
  return new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

export interface UserDayIncrement {
  userId: string;
  day: string;
  watchSeconds: number;
  watchCount: number;
  sessions: number;
  likes: number;
  dislikes: number;
  searches: number;
  ratings: number;
  ratingSum: number;
}

export interface TitleDayIncrement {
  titleId: string;
  day: string;
  watchSeconds: number;
  views: number;
  likes: number;
  dislikes: number;
}

export interface MinuteIncrement {
  /** Start of the minute, epoch ms. */
  minute: number;
  events: number;
  watchCount: number;
  watchSeconds: number;
}

/** Where a user stands before a batch: what session detection and first-watch need to know. */
export interface UserState {
  firstWatchDay: string;
  /** Latest watch event time seen (epoch ms). */
  lastWatchAt: number;
}

export interface UserStateUpdate extends UserState {
  userId: string;
  country?: string;
  device?: string;
}

/** Everything one batch adds to the aggregation tables. Set members feed exact distinct counts. */
export interface BatchIncrements {
  userDays: UserDayIncrement[];
  /** (user, day, title) watched: behind distinct titles per user-day and unique viewers per title-day. */
  watched: { userId: string; day: string; titleId: string }[];
  titleDays: TitleDayIncrement[];
  minutes: MinuteIncrement[];
  users: UserStateUpdate[];
}

function sortBy<T>(rows: T[], key: (row: T) => string): T[] {
  const keyed = rows.map((row) => ({ row, k: key(row) }));
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  return keyed.map((x) => x.row);
}

function getOrAdd<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

/**
 * Folds a batch of valid events, in arrival order, into table increments.
 *
 * Sessions: a watch more than SESSION_GAP_MS after the user's previous watch (in arrival order,
 * carried across batches through `priorUsers`) starts a session on that watch's day. Because the
 * fold is sequential with the carried state, any split of the same stream into batches yields the
 * same totals, which is what makes replays produce identical tables.
 */
export function foldEvents(events: readonly ParsedEvent[], priorUsers: ReadonlyMap<string, UserState>): BatchIncrements {
  const userDays = new Map<string, UserDayIncrement>();
  const watched = new Map<string, { userId: string; day: string; titleId: string }>();
  const titleDays = new Map<string, TitleDayIncrement>();
  const minutes = new Map<number, MinuteIncrement>();
  const users = new Map<string, UserStateUpdate>();

  for (const e of events) {
    const day = utcDay(e.time);
    const minute = Math.floor(e.time / MINUTE_MS) * MINUTE_MS;
    const m = getOrAdd(minutes, minute, () => ({ minute, events: 0, watchCount: 0, watchSeconds: 0 }));
    m.events++;
    const ud = getOrAdd(userDays, `${e.userId}\u0000${day}`, () => ({
      userId: e.userId,
      day,
      watchSeconds: 0,
      watchCount: 0,
      sessions: 0,
      likes: 0,
      dislikes: 0,
      searches: 0,
      ratings: 0,
      ratingSum: 0,
    }));
    const needsTitle = e.type === "watch" || e.type === "like" || e.type === "dislike";
    const td = needsTitle
      ? getOrAdd(titleDays, `${e.titleId}\u0000${day}`, () => ({ titleId: e.titleId, day, watchSeconds: 0, views: 0, likes: 0, dislikes: 0 }))
      : null;

    switch (e.type) {
      case "watch": {
        m.watchCount++;
        m.watchSeconds += e.watchSeconds;
        ud.watchCount++;
        ud.watchSeconds += e.watchSeconds;
        td!.views++;
        td!.watchSeconds += e.watchSeconds;
        watched.set(`${e.userId}\u0000${day}\u0000${e.titleId}`, { userId: e.userId, day, titleId: e.titleId });

        const before = users.get(e.userId) ?? priorUsers.get(e.userId);
        if (!before || e.time - before.lastWatchAt > SESSION_GAP_MS) ud.sessions++;
        users.set(e.userId, {
          userId: e.userId,
          firstWatchDay: before && before.firstWatchDay < day ? before.firstWatchDay : day,
          lastWatchAt: before ? Math.max(before.lastWatchAt, e.time) : e.time,
          country: e.country ?? (before as UserStateUpdate | undefined)?.country,
          device: e.device ?? (before as UserStateUpdate | undefined)?.device,
        });
        break;
      }
      case "like":
        ud.likes++;
        td!.likes++;
        break;
      case "dislike":
        ud.dislikes++;
        td!.dislikes++;
        break;
      case "search":
        ud.searches++;
        break;
      case "rating":
        ud.ratings++;
        ud.ratingSum += e.rating ?? 0;
        break;
    }
  }

  return sortIncrements({
    userDays: [...userDays.values()],
    watched: [...watched.values()],
    titleDays: [...titleDays.values()],
    minutes: [...minutes.values()],
    users: [...users.values()],
  });
}

/**
 * Rows in key order: concurrent transactions (other partitions) then lock shared rows in the same
 * order and cannot deadlock.
 */
function sortIncrements(inc: BatchIncrements): BatchIncrements {
  return {
    userDays: sortBy(inc.userDays, (r) => `${r.userId}\u0000${r.day}`),
    watched: sortBy(inc.watched, (r) => `${r.day}\u0000${r.titleId}\u0000${r.userId}`),
    titleDays: sortBy(inc.titleDays, (r) => `${r.titleId}\u0000${r.day}`),
    minutes: [...inc.minutes].sort((a, b) => a.minute - b.minute),
    users: sortBy(inc.users, (r) => r.userId),
  };
}

/**
 * One write out of two folds of consecutive events (`later` folded with `earlier`'s user state
 * carried), so a transaction locks each table once, in key order.
 */
export function mergeIncrements(earlier: BatchIncrements, later: BatchIncrements): BatchIncrements {
  const sum = <T extends object>(rows: T[], key: (r: T) => string, add: (into: T, r: T) => void): T[] => {
    const byKey = new Map<string, T>();
    for (const r of rows) {
      const k = key(r);
      const into = byKey.get(k);
      if (into) add(into, r);
      else byKey.set(k, { ...r });
    }
    return [...byKey.values()];
  };
  return sortIncrements({
    userDays: sum([...earlier.userDays, ...later.userDays], (r) => `${r.userId}\u0000${r.day}`, (a, r) => {
      a.watchSeconds += r.watchSeconds;
      a.watchCount += r.watchCount;
      a.sessions += r.sessions;
      a.likes += r.likes;
      a.dislikes += r.dislikes;
      a.searches += r.searches;
      a.ratings += r.ratings;
      a.ratingSum += r.ratingSum;
    }),
    watched: sum([...earlier.watched, ...later.watched], (r) => `${r.day}\u0000${r.titleId}\u0000${r.userId}`, () => undefined),
    titleDays: sum([...earlier.titleDays, ...later.titleDays], (r) => `${r.titleId}\u0000${r.day}`, (a, r) => {
      a.watchSeconds += r.watchSeconds;
      a.views += r.views;
      a.likes += r.likes;
      a.dislikes += r.dislikes;
    }),
    minutes: sum([...earlier.minutes, ...later.minutes], (r) => String(r.minute), (a, r) => {
      a.events += r.events;
      a.watchCount += r.watchCount;
      a.watchSeconds += r.watchSeconds;
    }),
    // `later` was folded with `earlier`'s user state carried in: its entry already includes it.
    users: [...new Map([...earlier.users, ...later.users].map((u) => [u.userId, u])).values()],
  });
}
