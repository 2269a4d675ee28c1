import { beforeAll, describe, expect, it } from "vitest";
import { DEVICES, viewEventSchema, type ViewEventInput } from "../events/view-event";
import { generateCatalog } from "./catalog";
import { Rng } from "./rng";
import { createSimulator, type SessionStart, type SimulatorOptions } from "./simulator";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.UTC(2026, 5, 1);
const catalog = generateCatalog(11);

const small = (overrides: Partial<SimulatorOptions> = {}) =>
  createSimulator({ seed: 7, catalog, startMs: START, users: 2_000, signupDays: 7, ...overrides });

function daily(sim: ReturnType<typeof createSimulator>, days: number, from = START): ViewEventInput[] {
  const out: ViewEventInput[] = [];
  for (let d = 0; d < days; d++) for (const e of sim.eventsBetween(from + d * DAY, from + (d + 1) * DAY)) out.push(e);
  return out;
}

const time = (e: ViewEventInput) => Date.parse(e.event_time);
/** Everything but the id, which depends on how many events came before. */
const behaviour = (e: ViewEventInput) => ({ ...e, event_id: undefined });

/** Retention the way the product defines it: first watch day D, another watch on day D+n. */
function retention(events: readonly ViewEventInput[], n: number, lastDay: number): number {
  const days = new Map<string, Set<number>>();
  const first = new Map<string, number>();
  for (const e of events) {
    if (e.event_type !== "watch") continue;
    const day = Math.floor((time(e) - START) / DAY);
    if (!first.has(e.user_id)) first.set(e.user_id, day);
    let set = days.get(e.user_id);
    if (!set) days.set(e.user_id, (set = new Set()));
    set.add(day);
  }
  let cohort = 0;
  let retained = 0;
  for (const [user, day] of first) {
    if (day + n > lastDay) continue;
    cohort++;
    if (days.get(user)?.has(day + n)) retained++;
  }
  return retained / cohort;
}

describe("createSimulator: a three-week world of 5,000 users", () => {
  const DAYS = 21;
  let events: ViewEventInput[];
  let sim: ReturnType<typeof createSimulator>;

  beforeAll(() => {
    sim = createSimulator({ seed: 99, catalog, startMs: START, users: 5_000, signupDays: DAYS });
    events = daily(sim, DAYS);
  });

  it("produces events that all pass viewEventSchema, with type-specific fields right", () => {
    expect(events.length).toBeGreaterThan(100_000);
    const rng = Rng.fromSeed(1);
    const sample = Array.from({ length: 5_000 }, () => events[rng.int(events.length)] as ViewEventInput);
    for (const type of ["like", "dislike", "rating", "search"] as const) {
      sample.push(...events.filter((e) => e.event_type === type).slice(0, 500));
    }
    for (const e of sample) {
      const parsed = viewEventSchema.safeParse(e);
      expect(parsed.success, JSON.stringify(e)).toBe(true);
      expect(DEVICES).toContain(e.device);
      expect(e.country).toMatch(/^[A-Z]{2}$/);
      expect(e.user_id).toMatch(/^u_\d{6}$/);
      expect(e.event_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(e.rating !== undefined).toBe(e.event_type === "rating");
      expect(e.query !== undefined).toBe(e.event_type === "search");
      if (e.event_type === "watch") {
        expect(e.watch_duration).toBeGreaterThan(0);
        expect(e.watch_duration).toBeLessThanOrEqual(4 * 3600);
      } else {
        expect(e.watch_duration).toBe(0);
      }
    }
  });

  it("sorts events by event_time and never repeats an event_id", () => {
    for (let i = 1; i < events.length; i++) expect(time(events[i] as ViewEventInput) >= time(events[i - 1] as ViewEventInput)).toBe(true);
    expect(new Set(events.map((e) => e.event_id)).size).toBe(events.length);
  });

  it("is dominated by watches (~75%) with likes, dislikes, ratings and searches in between", () => {
    const share = (type: string) => events.filter((e) => e.event_type === type).length / events.length;
    expect(share("watch")).toBeGreaterThan(0.7);
    expect(share("watch")).toBeLessThan(0.82);
    for (const type of ["like", "dislike", "rating", "search"]) expect(share(type)).toBeGreaterThan(0.01);
    expect(share("like")).toBeGreaterThan(share("dislike"));
  });

  it("gives watch durations mostly between 5 and 60 minutes, some feature-length", () => {
    const seconds = events.filter((e) => e.event_type === "watch").map((e) => e.watch_duration as number);
    seconds.sort((a, b) => a - b);
    const within = seconds.filter((s) => s >= 300 && s <= 3600).length / seconds.length;
    expect(within).toBeGreaterThan(0.55);
    expect(seconds[seconds.length >> 1]).toBeGreaterThan(15 * 60);
    expect(seconds[seconds.length >> 1]).toBeLessThan(50 * 60);
    expect(seconds.filter((s) => s > 90 * 60).length / seconds.length).toBeGreaterThan(0.03);
  });

  it("concentrates watches on a Zipf head: the top 1% of titles take a large share", () => {
    const counts = new Map<string, number>();
    for (const e of events) if (e.event_type === "watch") counts.set(e.title_id, (counts.get(e.title_id) ?? 0) + 1);
    const sorted = [...counts.values()].sort((a, b) => b - a);
    const total = sorted.reduce((a, b) => a + b, 0);
    const top1pct = sorted.slice(0, Math.ceil(catalog.length / 100)).reduce((a, b) => a + b, 0) / total;
    const rank1 = (sorted[0] as number) / total;
    // Pure Zipf(1) over 600 titles: rank 1 takes 14%, the top 6 take 35%; genre taste dilutes it.
    expect(top1pct).toBeGreaterThan(0.15);
    expect(top1pct).toBeLessThan(0.45);
    expect(rank1).toBeGreaterThan(0.04);
    expect(rank1).toBeLessThan(0.2);
    // …and the tail is still watched.
    expect(counts.size).toBeGreaterThan(catalog.length * 0.95);
  });

  it("follows a daily rhythm: 19:00–23:00 UTC at least twice as busy as 04:00–06:00 UTC", () => {
    const byHour = new Array<number>(24).fill(0);
    for (const e of events) byHour[new Date(time(e)).getUTCHours()]! += 1;
    const mean = (hours: number[]) => hours.reduce((a, h) => a + (byHour[h] as number), 0) / hours.length;
    expect(mean([19, 20, 21, 22]) / mean([4, 5])).toBeGreaterThan(2);
  });

  it("follows local time: British evenings are 3x busier than British early mornings", () => {
    const byHour = new Array<number>(24).fill(0);
    for (const e of events) if (e.country === "GB") byHour[new Date(time(e)).getUTCHours()]! += 1;
    const mean = (hours: number[]) => hours.reduce((a, h) => a + (byHour[h] as number), 0) / hours.length;
    expect(mean([20, 21, 22]) / mean([4, 5, 6])).toBeGreaterThan(3);
  });

  it("loses users over time: 100% > D1 > D7 > D14, with a loyal tail", () => {
    const last = DAYS - 1;
    const [d1, d7, d14] = [retention(events, 1, last), retention(events, 7, last), retention(events, 14, last)];
    expect(d1).toBeLessThan(0.6);
    expect(d1).toBeGreaterThan(0.35);
    expect(d7).toBeLessThan(d1);
    expect(d7).toBeGreaterThan(0.15);
    expect(d7).toBeLessThan(0.35);
    expect(d14).toBeLessThan(d7);
    expect(d14 / d7).toBeGreaterThan(0.6);
  });

  it("brings in a new cohort every day of the signup window", () => {
    const firstDay = new Map<string, number>();
    for (const e of events) if (!firstDay.has(e.user_id)) firstDay.set(e.user_id, Math.floor((time(e) - START) / DAY));
    const cohortSizes = new Array<number>(DAYS).fill(0);
    for (const day of firstDay.values()) cohortSizes[day]! += 1;
    expect(cohortSizes.every((n) => n > 20)).toBe(true);
  });

  it("groups watches into sessions of 1–6 watches separated by more than 30 minutes", () => {
    // Sessionise as the stream processor would, from each event's activity interval.
    const byUser = new Map<string, ViewEventInput[]>();
    for (const e of events) {
      let list = byUser.get(e.user_id);
      if (!list) byUser.set(e.user_id, (list = []));
      list.push(e);
    }
    const sessionWatches: number[] = [];
    const sessionGaps: number[] = [];
    for (const list of byUser.values()) {
      let lastEnd = Number.NEGATIVE_INFINITY;
      let watches = 0;
      for (const e of list) {
        const end = time(e);
        const start = end - (e.watch_duration ?? 0) * 1000;
        if (start - lastEnd > 30 * 60_000) {
          if (lastEnd > Number.NEGATIVE_INFINITY) {
            sessionWatches.push(watches);
            sessionGaps.push(start - lastEnd);
          }
          watches = 0;
        }
        if (e.event_type === "watch") watches++;
        lastEnd = Math.max(lastEnd, end);
      }
    }
    expect(sessionWatches.reduce((a, b) => Math.min(a, b))).toBe(1);
    expect(sessionWatches.reduce((a, b) => Math.max(a, b))).toBe(6);
    sessionGaps.sort((a, b) => a - b);
    expect(sessionGaps[sessionGaps.length >> 1]).toBeGreaterThan(2 * HOUR);
  });

  it("keeps device and country fixed per user, matching userAttributes", () => {
    for (const e of events.slice(0, 20_000)) {
      const attrs = sim.userAttributes(e.user_id);
      expect(attrs?.country).toBe(e.country);
      expect(attrs?.device).toBe(e.device);
    }
    expect(sim.userIds).toHaveLength(5_000);
    expect(sim.userIds[122]).toBe("u_000123");
    expect(sim.userAttributes("u_999999")).toBeUndefined();
    expect(sim.userAttributes("nobody")).toBeUndefined();
  });

  it("starts each user's activity on their signup day", () => {
    const firstSeen = new Map<string, number>();
    for (const e of events) if (!firstSeen.has(e.user_id)) firstSeen.set(e.user_id, time(e));
    let sameDay = 0;
    for (const [user, t] of firstSeen) {
      const signupDay = sim.userAttributes(user)?.signupDay as string;
      const signupStart = Date.parse(`${signupDay}T00:00:00Z`);
      expect(t).toBeGreaterThanOrEqual(signupStart);
      if (t < signupStart + DAY) sameDay++;
    }
    expect(sameDay / firstSeen.size).toBeGreaterThan(0.9);
  });
});

describe("createSimulator: determinism and intervals", () => {
  it("generates identical events for the same seed and different ones for another seed", () => {
    const a = daily(small(), 2);
    expect(daily(small(), 2)).toEqual(a);
    const b = daily(small({ seed: 8 }), 2);
    expect(b.map(behaviour)).not.toEqual(a.map(behaviour));
    expect(b.slice(0, 100).map((e) => e.user_id)).not.toEqual(a.slice(0, 100).map((e) => e.user_id));
  });

  it("gives the same events however the time line is cut into adjacent intervals", () => {
    const whole = small().eventsBetween(START, START + 3 * DAY);
    const sim = small();
    const rng = Rng.fromSeed(5);
    const pieces: ViewEventInput[] = [];
    let t = START;
    while (t < START + 3 * DAY) {
      // Live-loop-sized pieces near the start, hour-sized after.
      const to = Math.min(START + 3 * DAY, t + (t < START + 2 * HOUR ? 250 : 1 + rng.int(2 * HOUR)));
      for (const e of sim.eventsBetween(t, to)) {
        expect(time(e)).toBeGreaterThanOrEqual(t);
        expect(time(e)).toBeLessThan(to);
        pieces.push(e);
      }
      t = to;
    }
    expect(whole.length).toBeGreaterThan(10_000);
    expect(pieces).toEqual(whole);
  });

  it("skips a gap without changing what happens after it, and never re-emits an overlap", () => {
    const reference = small();
    reference.eventsBetween(START, START + DAY);
    const expectedDay2 = reference.eventsBetween(START + DAY, START + 2 * DAY);

    const skipping = small();
    expect(skipping.eventsBetween(START + DAY, START + 2 * DAY)).toEqual(expectedDay2);

    const overlapping = small();
    overlapping.eventsBetween(START, START + 1.5 * DAY);
    const secondHalf = expectedDay2.filter((e) => time(e) >= START + 1.5 * DAY);
    expect(overlapping.eventsBetween(START + DAY, START + 2 * DAY)).toEqual(secondHalf);
    expect(overlapping.cursorMs).toBe(START + 2 * DAY);
    expect(overlapping.eventsBetween(START, START + DAY)).toEqual([]);
  });

  it("rejects invalid options and intervals", () => {
    expect(() => small({ seed: 1.5 })).toThrow(RangeError);
    expect(() => small({ users: 0 })).toThrow(RangeError);
    expect(() => small({ catalog: [] })).toThrow(RangeError);
    expect(() => small().eventsBetween(START + 1, START)).toThrow(RangeError);
    expect(() => small().eventsBetween(Number.NaN, START)).toThrow(RangeError);
    expect(() => small().setRateMultiplier(0)).toThrow(RangeError);
  });
});

describe("createSimulator: experiments hook and rate", () => {
  const treated = (userId: string) => Number(userId.slice(2)) % 2 === 0;

  it("calls the hook at each session start and applies its effect to that user only", () => {
    const calls: SessionStart[] = [];
    const hooked = small({
      experimentsHook: (s) => {
        calls.push(s);
        return treated(s.userId) ? { durationMultiplier: 1.5 } : undefined;
      },
    });
    const withHook = daily(hooked, 4);
    const without = daily(small(), 4);

    expect(calls.length).toBeGreaterThan(1_000);
    for (const c of calls.slice(0, 200)) expect(c.attributes).toEqual(hooked.userAttributes(c.userId));
    for (let i = 1; i < calls.length; i++) expect((calls[i] as SessionStart).atMs).toBeGreaterThanOrEqual((calls[i - 1] as SessionStart).atMs);

    // Each user has an own random stream, so untreated users behave exactly as without the hook.
    const control = (list: ViewEventInput[]) => list.filter((e) => !treated(e.user_id)).map(behaviour);
    expect(control(withHook)).toEqual(control(without));

    const meanWatch = (list: ViewEventInput[]) => {
      const w = list.filter((e) => e.event_type === "watch" && treated(e.user_id)).map((e) => e.watch_duration as number);
      return w.reduce((a, b) => a + b, 0) / w.length;
    };
    expect(meanWatch(withHook) / meanWatch(without)).toBeCloseTo(1.5, 1);
  });

  it("lets a churn effect retain treated users better", () => {
    const sim = small({ users: 4_000, experimentsHook: (s) => (treated(s.userId) ? { churnMultiplier: 0.1 } : undefined) });
    const events = daily(sim, 14);
    const d7 = (arm: boolean) => retention(events.filter((e) => treated(e.user_id) === arm), 7, 13);
    expect(d7(true)).toBeGreaterThan(d7(false) * 1.3);
  });

  it("scales traffic with rateMultiplier, from creation or changed mid-run", () => {
    const day = (sim: ReturnType<typeof createSimulator>) => sim.eventsBetween(START + 8 * DAY, START + 9 * DAY).length;
    const base = small();
    base.eventsBetween(START, START + 8 * DAY);
    const baseline = day(base);

    const busy = small({ rateMultiplier: 5 });
    busy.eventsBetween(START, START + 8 * DAY);
    const busyDay = day(busy);
    expect(busyDay / baseline).toBeGreaterThan(3.5);
    expect(busyDay / baseline).toBeLessThan(6.5);

    const switched = small();
    switched.eventsBetween(START, START + 8 * DAY);
    switched.setRateMultiplier(5);
    const switchedDay = day(switched);
    expect(switchedDay / baseline).toBeGreaterThan(3);
    switched.setRateMultiplier(1);
    switched.eventsBetween(START + 9 * DAY, START + 10 * DAY); // let busy sessions finish
    const calmed = switched.eventsBetween(START + 10 * DAY, START + 11 * DAY).length;
    expect(calmed / switchedDay).toBeLessThan(0.4);

    const ids = new Set(busy.userIds);
    expect(busy.eventsBetween(START + 9 * DAY, START + 9 * DAY + HOUR).every((e) => ids.has(e.user_id))).toBe(true);
  });
});
