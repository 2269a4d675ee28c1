import { describe, expect, it } from "vitest";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import type { RandomGenerator } from "pure-rand/types/RandomGenerator";
import type { EventType, ParsedEvent } from "../events/view-event";
import { foldEvents, mergeIncrements, SESSION_GAP_MS, utcDay, type BatchIncrements, type UserDayIncrement, type UserState, type UserStateUpdate } from "./fold";

const M = 60_000;
const H = 60 * M;
const DAY = 24 * H;
/** 2026-09-09T00:00:00Z. */
const D = Date.UTC(2026, 8, 9);

let seq = 0;
function ev(p: Partial<ParsedEvent> & { time: number }): ParsedEvent {
  const type = p.type ?? "watch";
  return { eventId: `e_${++seq}`, userId: "u1", titleId: "t1", type, watchSeconds: type === "watch" ? 60 : 0, ...p };
}

const NONE = new Map<string, UserState>();
const zeroDay = { watchSeconds: 0, watchCount: 0, sessions: 0, likes: 0, dislikes: 0, searches: 0, ratings: 0, ratingSum: 0 };

function userDay(inc: BatchIncrements, userId: string, day: string): UserDayIncrement | undefined {
  return inc.userDays.find((u) => u.userId === userId && u.day === day);
}
function userState(inc: BatchIncrements, userId: string): UserStateUpdate | undefined {
  return inc.users.find((u) => u.userId === userId);
}
const totalSessions = (inc: BatchIncrements) => inc.userDays.reduce((n, u) => n + u.sessions, 0);

describe("utcDay", () => {
  it.each([
    [D, "2026-09-09"],
    [D + DAY - 1, "2026-09-09"],
    [D + DAY, "2026-09-10"],
    [Date.UTC(2024, 1, 29, 12), "2024-02-29"],
    [Date.UTC(2026, 11, 31, 23, 59, 59, 999), "2026-12-31"],
    [Date.parse("2026-09-10T01:30:00+02:00"), "2026-09-09"],
  ])("utcDay(%i) is %s", (ms, day) => {
    expect(utcDay(ms)).toBe(day);
  });
});

describe("foldEvents: per user-day", () => {
  it("sums watch seconds and counts each event type in its own column", () => {
    const inc = foldEvents(
      [
        ev({ time: D + 10 * H, titleId: "t1", watchSeconds: 100 }),
        ev({ time: D + 10 * H + 5 * M, titleId: "t2", watchSeconds: 50.5 }),
        ev({ time: D + 11 * H, titleId: "t1", type: "like" }),
        ev({ time: D + 11 * H, titleId: "t2", type: "dislike" }),
        ev({ time: D + 12 * H, type: "search" }),
        ev({ time: D + 13 * H, type: "rating", rating: 4 }),
        ev({ time: D + 13 * H, type: "rating", rating: 2 }),
        ev({ time: D + DAY + 1 * H, titleId: "t1", watchSeconds: 30 }),
        ev({ time: D + 9 * H, userId: "u2", type: "search" }),
      ],
      NONE,
    );
    expect(inc.userDays).toHaveLength(3);
    expect(userDay(inc, "u1", "2026-09-09")).toEqual({
      userId: "u1",
      day: "2026-09-09",
      watchSeconds: 150.5,
      watchCount: 2,
      sessions: 1,
      likes: 1,
      dislikes: 1,
      searches: 1,
      ratings: 2,
      ratingSum: 6,
    });
    expect(userDay(inc, "u1", "2026-09-10")).toEqual({ ...zeroDay, userId: "u1", day: "2026-09-10", watchSeconds: 30, watchCount: 1, sessions: 1 });
    expect(userDay(inc, "u2", "2026-09-09")).toEqual({ ...zeroDay, userId: "u2", day: "2026-09-09", searches: 1 });
  });

  it("lists each (user, day, title) watched once however often it was watched", () => {
    const inc = foldEvents(
      [
        ev({ time: D + 1 * H, titleId: "t1" }),
        ev({ time: D + 2 * H, titleId: "t1" }),
        ev({ time: D + 3 * H, titleId: "t2" }),
        ev({ time: D + 4 * H, titleId: "t1" }),
        ev({ time: D + DAY + H, titleId: "t1" }),
        ev({ time: D + 5 * H, titleId: "t1", userId: "u2" }),
        ev({ time: D + 6 * H, titleId: "t3", type: "like" }), // not a watch
        ev({ time: D + 6 * H, titleId: "t4", type: "rating", rating: 5 }),
      ],
      NONE,
    );
    const keys = inc.watched.map((w) => `${w.userId}/${w.day}/${w.titleId}`).sort();
    expect(keys).toEqual(["u1/2026-09-09/t1", "u1/2026-09-09/t2", "u1/2026-09-10/t1", "u2/2026-09-09/t1"]);
  });
});

describe("foldEvents: title-days and minutes", () => {
  it("adds views, watch seconds, likes and dislikes per title-day; search and rating events add no title row", () => {
    const inc = foldEvents(
      [
        ev({ time: D + 1 * H, titleId: "t1", watchSeconds: 100 }),
        ev({ time: D + 2 * H, titleId: "t1", watchSeconds: 20, userId: "u2" }),
        ev({ time: D + 3 * H, titleId: "t1", type: "like" }),
        ev({ time: D + 3 * H, titleId: "t1", type: "dislike", userId: "u2" }),
        ev({ time: D + 3 * H, titleId: "t1", type: "dislike" }),
        ev({ time: D + DAY, titleId: "t1", watchSeconds: 7 }),
        ev({ time: D + 4 * H, titleId: "t2", type: "like" }),
        ev({ time: D + 4 * H, titleId: "t_search", type: "search" }),
        ev({ time: D + 4 * H, titleId: "t_rating", type: "rating", rating: 3 }),
      ],
      NONE,
    );
    const byKey = Object.fromEntries(inc.titleDays.map((t) => [`${t.titleId}/${t.day}`, t]));
    expect(byKey).toEqual({
      "t1/2026-09-09": { titleId: "t1", day: "2026-09-09", watchSeconds: 120, views: 2, likes: 1, dislikes: 2 },
      "t1/2026-09-10": { titleId: "t1", day: "2026-09-10", watchSeconds: 7, views: 1, likes: 0, dislikes: 0 },
      "t2/2026-09-09": { titleId: "t2", day: "2026-09-09", watchSeconds: 0, views: 0, likes: 1, dislikes: 0 },
    });
  });

  it("counts every event in its minute and watches with their seconds", () => {
    const t = D + 10 * H;
    const inc = foldEvents(
      [
        ev({ time: t, watchSeconds: 30 }),
        ev({ time: t + 59_999, watchSeconds: 12, userId: "u2" }),
        ev({ time: t + 30_000, type: "search" }),
        ev({ time: t + M, type: "like" }),
        ev({ time: t + M + 1, watchSeconds: 5 }),
      ],
      NONE,
    );
    const byMinute = Object.fromEntries(inc.minutes.map((m) => [m.minute, m]));
    expect(byMinute).toEqual({
      [t]: { minute: t, events: 3, watchCount: 2, watchSeconds: 42 },
      [t + M]: { minute: t + M, events: 2, watchCount: 1, watchSeconds: 5 },
    });
  });
});

describe("foldEvents: sessions", () => {
  const t = D + 12 * H;

  it("the first watch ever starts a session", () => {
    expect(userDay(foldEvents([ev({ time: t })], NONE), "u1", "2026-09-09")?.sessions).toBe(1);
  });

  it.each([
    ["5 min", 5 * M, 1],
    ["exactly 30 min (same session)", SESSION_GAP_MS, 1],
    ["30 min + 1 ms (new session)", SESSION_GAP_MS + 1, 2],
    ["3 h", 3 * H, 2],
  ])("two watches %s apart make the expected number of sessions", (_label, gap, sessions) => {
    expect(totalSessions(foldEvents([ev({ time: t }), ev({ time: t + gap })], NONE))).toBe(sessions);
  });

  it("SESSION_GAP_MS is 30 minutes", () => {
    expect(SESSION_GAP_MS).toBe(1_800_000);
  });

  it.each([
    ["exactly 30 min", SESSION_GAP_MS, 0],
    ["30 min + 1 ms", SESSION_GAP_MS + 1, 1],
  ])("a watch %s after the prior batch's last watch makes %i new sessions", (_label, gap, sessions) => {
    const prior = new Map([["u1", { firstWatchDay: "2026-09-01", lastWatchAt: t - gap }]]);
    expect(userDay(foldEvents([ev({ time: t })], prior), "u1", "2026-09-09")?.sessions).toBe(sessions);
  });

  it("counts a session on the day its first watch falls on, also when it runs past midnight", () => {
    const late = D + DAY - 10 * M; // 23:50
    const inc = foldEvents([ev({ time: late }), ev({ time: late + 20 * M }), ev({ time: late + 20 * M + SESSION_GAP_MS + 1 })], NONE);
    expect(userDay(inc, "u1", "2026-09-09")?.sessions).toBe(1);
    expect(userDay(inc, "u1", "2026-09-10")?.sessions).toBe(1);
  });

  it("an out-of-order watch starts no session and does not move lastWatchAt back", () => {
    const inc = foldEvents(
      [
        ev({ time: t }), // session 1
        ev({ time: t - 2 * H }), // arrives late: no session
        ev({ time: t + 20 * M }), // 20 min after the latest watch: same session
      ],
      NONE,
    );
    expect(totalSessions(inc)).toBe(1);
    expect(userState(inc, "u1")?.lastWatchAt).toBe(t + 20 * M);
  });

  it("an out-of-order watch against the prior state keeps lastWatchAt", () => {
    const prior = new Map([["u1", { firstWatchDay: "2026-09-01", lastWatchAt: t }]]);
    const inc = foldEvents([ev({ time: t - 3 * H })], prior);
    expect(totalSessions(inc)).toBe(0);
    expect(userState(inc, "u1")?.lastWatchAt).toBe(t);
  });

  it("non-watch events neither start sessions nor count as activity that continues one", () => {
    const prior = new Map([["u1", { firstWatchDay: "2026-09-01", lastWatchAt: t - 10 * M }]]);
    const inc = foldEvents(
      [
        ev({ time: t + H, type: "like" }),
        ev({ time: t + H + 1 * M, type: "search" }),
        ev({ time: t + H + 2 * M, type: "rating", rating: 3 }),
        ev({ time: t + H + 5 * M }), // 1 h 15 min after the last watch: a new session
      ],
      prior,
    );
    expect(totalSessions(inc)).toBe(1);
    expect(userState(inc, "u1")?.lastWatchAt).toBe(t + H + 5 * M);
  });
});

describe("foldEvents: user state", () => {
  it("firstWatchDay of a new user is the day of their first watch", () => {
    expect(userState(foldEvents([ev({ time: D + H })], NONE), "u1")).toMatchObject({ firstWatchDay: "2026-09-09", lastWatchAt: D + H });
  });

  it("keeps an earlier firstWatchDay from the prior state", () => {
    const prior = new Map([["u1", { firstWatchDay: "2026-09-01", lastWatchAt: D - 3 * DAY }]]);
    expect(userState(foldEvents([ev({ time: D + H })], prior), "u1")?.firstWatchDay).toBe("2026-09-01");
  });

  it("a late watch on an earlier day moves firstWatchDay earlier (prior state)", () => {
    const prior = new Map([["u1", { firstWatchDay: "2026-09-09", lastWatchAt: D + 10 * H }]]);
    const inc = foldEvents([ev({ time: D - 2 * H })], prior);
    expect(userState(inc, "u1")).toMatchObject({ firstWatchDay: "2026-09-08", lastWatchAt: D + 10 * H });
  });

  it("a late watch on an earlier day moves firstWatchDay earlier (same batch)", () => {
    const inc = foldEvents([ev({ time: D + 10 * H }), ev({ time: D - 2 * DAY })], NONE);
    expect(userState(inc, "u1")).toMatchObject({ firstWatchDay: "2026-09-07", lastWatchAt: D + 10 * H });
  });

  it("non-watch events leave the user state alone", () => {
    const prior = new Map([["u1", { firstWatchDay: "2026-09-09", lastWatchAt: D + 10 * H }]]);
    const inc = foldEvents(
      [ev({ time: D - 5 * DAY, type: "like" }), ev({ time: D + 20 * H, type: "search" }), ev({ time: D, userId: "u2", type: "rating", rating: 1 })],
      prior,
    );
    expect(inc.users).toEqual([]);
  });

  it("carries the latest known country and device", () => {
    const inc = foldEvents([ev({ time: D + H, country: "DE", device: "tv" }), ev({ time: D + 2 * H, device: "mobile" })], NONE);
    expect(userState(inc, "u1")).toMatchObject({ country: "DE", device: "mobile" });
  });
});

/* ------------------------------------------------------------------------------------------------
 * Replay property: any split of a stream into batches, with user state carried between batches the
 * way the processor does, adds up to the same tables as one batch.
 * ---------------------------------------------------------------------------------------------- */

const pick = <T>(rng: RandomGenerator, xs: readonly T[]): T => xs[uniformInt(rng, 0, xs.length - 1)]!;

/** Gaps chosen to land on both sides of the session boundary, often exactly on it. */
const GAPS = [0, 1_000, 29 * M, SESSION_GAP_MS, SESSION_GAP_MS + 1, 45 * M, 3 * H, 20 * H];
/** How far back an out-of-order event lands, some across a day boundary. */
const LATE_BY = [1, M, 31 * M, 2 * H, 26 * H];
const TYPES: EventType[] = ["watch", "watch", "watch", "watch", "watch", "watch", "like", "dislike", "search", "search", "rating"];

function randomStream(seed: number, n: number): ParsedEvent[] {
  const rng = xoroshiro128plus(seed);
  const users = ["u0", "u1", "u2", "u3", "u4"];
  const cursor = new Map(users.map((u) => [u, D + uniformInt(rng, 0, 23) * H]));
  const events: ParsedEvent[] = [];
  for (let i = 0; i < n; i++) {
    const userId = pick(rng, users);
    let time: number;
    if (uniformInt(rng, 0, 5) === 0) time = cursor.get(userId)! - pick(rng, LATE_BY);
    else {
      time = cursor.get(userId)! + pick(rng, GAPS);
      cursor.set(userId, time);
    }
    const type = pick(rng, TYPES);
    events.push({
      eventId: `e_${seed}_${i}`,
      userId,
      titleId: pick(rng, ["t0", "t1", "t2", "t3", "t4", "t5"]),
      type,
      time,
      watchSeconds: type === "watch" ? uniformInt(rng, 0, 3600) : 0,
      rating: type === "rating" ? uniformInt(rng, 1, 5) : undefined,
      device: uniformInt(rng, 0, 2) === 0 ? pick(rng, ["tv", "mobile"]) : undefined,
      country: uniformInt(rng, 0, 2) === 0 ? pick(rng, ["DE", "US"]) : undefined,
    });
  }
  return events;
}

/** What the tables hold after applying increments: sums per key, set members, and user state. */
interface Tables {
  userDays: Record<string, Omit<UserDayIncrement, "userId" | "day">>;
  watched: string[];
  titleDays: Record<string, number[]>;
  minutes: Record<string, number[]>;
  users: Record<string, UserStateUpdate>;
}

function replay(events: readonly ParsedEvent[], cuts: readonly number[], carryState: boolean): Tables {
  const t: Tables = { userDays: {}, watched: [], titleDays: {}, minutes: {}, users: {} };
  const watched = new Set<string>();
  let state = new Map<string, UserState>();
  const bounds = [0, ...cuts, events.length];
  for (let b = 0; b + 1 < bounds.length; b++) {
    const inc = foldEvents(events.slice(bounds[b], bounds[b + 1]), state);
    for (const { userId, day, ...sums } of inc.userDays) {
      const row = (t.userDays[`${userId}/${day}`] ??= { ...zeroDay });
      for (const k of Object.keys(sums) as (keyof typeof sums)[]) row[k] += sums[k];
    }
    for (const w of inc.watched) watched.add(`${w.userId}/${w.day}/${w.titleId}`);
    for (const d of inc.titleDays) {
      const row = (t.titleDays[`${d.titleId}/${d.day}`] ??= [0, 0, 0, 0]);
      [d.watchSeconds, d.views, d.likes, d.dislikes].forEach((v, i) => (row[i]! += v));
    }
    for (const m of inc.minutes) {
      const row = (t.minutes[m.minute] ??= [0, 0, 0]);
      [m.events, m.watchCount, m.watchSeconds].forEach((v, i) => (row[i]! += v));
    }
    // The processor's merge: each returned user state replaces the prior one.
    if (carryState) for (const u of inc.users) state.set(u.userId, u);
    else state = new Map();
    for (const u of inc.users) t.users[u.userId] = u;
  }
  t.watched = [...watched].sort();
  return t;
}

function randomCuts(seed: number, n: number): number[] {
  const rng = xoroshiro128plus(seed ^ 0x5bd1e995);
  const count = uniformInt(rng, 1, 12);
  const cuts = new Set<number>();
  for (let i = 0; i < count; i++) cuts.add(uniformInt(rng, 1, n - 1));
  return [...cuts].sort((a, b) => a - b);
}

describe("foldEvents: replay in batches", () => {
  const SEEDS = Array.from({ length: 25 }, (_, i) => i + 1);
  const N = 400;

  it.each(SEEDS)("seed %i: folding a stream in random batches with carried user state equals one batch", (seed) => {
    const events = randomStream(seed, N);
    const whole = replay(events, [], true);
    expect(replay(events, randomCuts(seed, N), true)).toEqual(whole);
    expect(replay(events, Array.from({ length: N - 1 }, (_, i) => i + 1), true)).toEqual(whole); // one event per batch
  });

  it("the random streams exercise the session rule: dropping the carried state changes the totals", () => {
    // Guards the property above against streams too tame to tell a broken carry from a working one.
    const differing = SEEDS.filter((seed) => {
      const events = randomStream(seed, N);
      const cuts = randomCuts(seed, N);
      const whole = replay(events, [], true);
      const split = replay(events, cuts, false);
      return JSON.stringify(split.userDays) !== JSON.stringify(whole.userDays);
    });
    expect(differing.length).toBeGreaterThan(SEEDS.length / 2);
  });
});

describe("mergeIncrements", () => {
  it.each([1, 2, 3, 4, 5])("merging the folds of two consecutive parts equals folding the whole stream at once (seed %i)", (seed) => {
    const events = randomStream(seed, 400);
    const cut = 100 + seed * 37;
    const earlier = foldEvents(events.slice(0, cut), NONE);
    const carried = new Map<string, UserState>(earlier.users.map((u) => [u.userId, u]));
    const merged = mergeIncrements(earlier, foldEvents(events.slice(cut), carried));
    expect(merged).toEqual(foldEvents(events, NONE));
  });
});
