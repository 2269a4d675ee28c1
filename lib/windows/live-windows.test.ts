import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import type { EventType, ParsedEvent } from "../events/view-event";
import { LiveWindows } from "./live-windows";

const M = 60_000;
/** A minute boundary: 2026-09-09T10:00:00Z. Every time below is T0 plus a hand-written offset. */
const T0 = Date.UTC(2026, 8, 9, 10, 0, 0);

let seq = 0;
function ev(time: number, userId: string, titleId = "t_1", watchSeconds = 60, type: EventType = "watch"): ParsedEvent {
  return { eventId: `e_${++seq}`, userId, titleId, type, time, watchSeconds: type === "watch" ? watchSeconds : 0 };
}

/** The series point of one minute in a view. */
function point(w: LiveWindows, nowMs: number, minute: number) {
  const p = w.view(nowMs).series.find((s) => s.minute === minute);
  if (!p) throw new Error(`minute ${new Date(minute).toISOString()} is not in the series`);
  return p;
}

describe("watermark", () => {
  it("is null before the first event, then the latest event time minus 10 minutes, never moving back", () => {
    const w = new LiveWindows();
    expect(w.watermark()).toBeNull();
    w.add(ev(T0 + 20 * M + 5_000, "u1"), T0 + 21 * M);
    expect(w.watermark()).toBe(T0 + 10 * M + 5_000);
    w.add(ev(T0 + 15 * M, "u1"), T0 + 21 * M);
    expect(w.watermark()).toBe(T0 + 10 * M + 5_000);
    w.add(ev(T0 + 25 * M, "u1"), T0 + 26 * M);
    expect(w.watermark()).toBe(T0 + 15 * M);
  });

  it("an event 1 ms behind the watermark is late and not counted", () => {
    const w = new LiveWindows();
    const now = T0 + 20 * M + 30_000;
    expect(w.add(ev(T0 + 20 * M, "u1"), now)).toBe("live");
    expect(w.add(ev(T0 + 10 * M - 1, "u2"), now)).toBe("late");
    expect(point(w, now, T0 + 9 * M)).toEqual({ minute: T0 + 9 * M, watchMinutes: 0, events: 0 });
    expect(w.view(now).series.reduce((n, p) => n + p.events, 0)).toBe(1);
    expect(w.userWindows("u2", now)).toEqual([]);
  });

  it("an event exactly at the watermark is live and counted", () => {
    const w = new LiveWindows();
    const now = T0 + 20 * M + 30_000;
    w.add(ev(T0 + 20 * M, "u1"), now);
    expect(w.add(ev(T0 + 10 * M, "u2", "t_1", 120), now)).toBe("live");
    expect(point(w, now, T0 + 10 * M)).toEqual({ minute: T0 + 10 * M, watchMinutes: 2, events: 1 });
  });

  it("an out-of-order event still ahead of the watermark is counted in its own minute", () => {
    const w = new LiveWindows();
    const now = T0 + 21 * M;
    expect(w.add(ev(T0 + 20 * M + 10_000, "u1", "t_1", 60), now)).toBe("live");
    expect(w.add(ev(T0 + 12 * M + 30_000, "u2", "t_2", 120), now)).toBe("live");
    expect(point(w, now, T0 + 12 * M)).toEqual({ minute: T0 + 12 * M, watchMinutes: 2, events: 1 });
    expect(point(w, now, T0 + 20 * M)).toEqual({ minute: T0 + 20 * M, watchMinutes: 1, events: 1 });
    expect(w.watermark()).toBe(T0 + 10 * M + 10_000);
  });
});

describe("history horizon", () => {
  // nowMs in minute T0+60: the history keeps minutes from T0 (60 minutes before the current one) on.
  const now = T0 + 60 * M + 30_000;

  it("an event 1 ms before the 60-minute history is outside-horizon and not counted", () => {
    const w = new LiveWindows();
    expect(w.add(ev(T0 - 1, "u1"), now)).toBe("outside-horizon");
    expect(point(w, T0 + 30_000, T0 - M).events).toBe(0);
  });

  it("an event at the first minute of the history is live", () => {
    const w = new LiveWindows();
    expect(w.add(ev(T0, "u1"), now)).toBe("live");
    expect(point(w, T0 + 30_000, T0).events).toBe(1);
  });
});

describe("view: the 5-minute sliding window", () => {
  // Current minute T0+10; the window is minutes T0+6 .. T0+10, i.e. [T0+6m, T0+11m).
  const now = T0 + 10 * M + 30_000;

  function fill(): LiveWindows {
    const w = new LiveWindows();
    const events = [
      ev(T0 + 5 * M - 1, "u_5m1ms_before_current", "t_a"), // 5 min + 1 ms before the current minute's start
      ev(T0 + 6 * M - 1, "u_1ms_before_start", "t_b"),
      ev(T0 + 6 * M, "u_at_start", "t_c"),
      ev(T0 + 8 * M + 15_000, "u_middle", "t_d"),
      ev(T0 + 10 * M + 20_000, "u_current", "t_e"),
      ev(T0 + 11 * M, "u_next_minute", "t_f"), // ahead of the clock, in the next minute
    ];
    for (const e of events) expect(w.add(e, now)).toBe("live");
    return w;
  }

  it("counts active viewers in exactly the current minute and the 4 before it", () => {
    expect(fill().view(now).activeViewers).toBe(3); // u_at_start, u_middle, u_current
  });

  it("takes top titles from exactly the current minute and the 4 before it", () => {
    expect(
      fill()
        .view(now)
        .topTitles.map((t) => t.titleId)
        .sort(),
    ).toEqual(["t_c", "t_d", "t_e"]);
  });

  it("counts a viewer once across minutes, and users with any event type", () => {
    const w = new LiveWindows();
    w.add(ev(T0 + 6 * M, "u1"), now);
    w.add(ev(T0 + 9 * M, "u1"), now);
    w.add(ev(T0 + 7 * M, "u_search", "t_1", 0, "search"), now);
    w.add(ev(T0 + 8 * M, "u_like", "t_1", 0, "like"), now);
    const view = w.view(now);
    expect(view.activeViewers).toBe(3);
    expect(view.topTitles).toEqual([{ titleId: "t_1", watchMinutes: 2, viewers: 1 }]);
  });

  it("ranks top titles by watch minutes summed over the window, with distinct viewers, ties by title id, cut at topN", () => {
    const w = new LiveWindows();
    w.add(ev(T0 + 6 * M, "u1", "t_1", 300), now);
    w.add(ev(T0 + 9 * M, "u1", "t_1", 300), now); // same viewer again, another minute
    w.add(ev(T0 + 10 * M, "u2", "t_1", 60), now);
    w.add(ev(T0 + 7 * M, "u3", "t_2", 660), now);
    w.add(ev(T0 + 8 * M, "u1", "t_3", 120), now);
    w.add(ev(T0 + 8 * M, "u2", "t_4", 30), now);
    // t_1: 660 s = 11 min by u1, u2; t_2: 660 s = 11 min by u3 (tie: t_1 first); t_3: 2 min; t_4: 0.5 min.
    expect(w.view(now, 3).topTitles).toEqual([
      { titleId: "t_1", watchMinutes: 11, viewers: 2 },
      { titleId: "t_2", watchMinutes: 11, viewers: 1 },
      { titleId: "t_3", watchMinutes: 2, viewers: 1 },
    ]);
    expect(w.view(now).topTitles).toHaveLength(4);
  });
});

describe("view: watchMinutesLastMinute", () => {
  it("is the last complete minute, not the current one", () => {
    const w = new LiveWindows();
    const now = T0 + 10 * M + 30_000;
    w.add(ev(T0 + 8 * M + 59_999, "u1", "t_1", 600), now); // two minutes ago
    w.add(ev(T0 + 9 * M, "u1", "t_1", 90), now); // first ms of the last complete minute
    w.add(ev(T0 + 9 * M + 59_999, "u2", "t_2", 30), now); // last ms of it
    w.add(ev(T0 + 10 * M + 5_000, "u1", "t_1", 600), now); // current minute
    expect(w.view(now).watchMinutesLastMinute).toBe(2);
  });

  it("is 0 when nothing happened in the last complete minute", () => {
    const w = new LiveWindows();
    const now = T0 + 10 * M + 30_000;
    w.add(ev(T0 + 10 * M, "u1", "t_1", 600), now);
    expect(w.view(now).watchMinutesLastMinute).toBe(0);
  });
});

describe("view: series", () => {
  it("has 60 points, one per minute, oldest first, with zeros where nothing happened", () => {
    const w = new LiveWindows();
    const now = T0 + 60 * M + 30_000; // current minute T0+60: the series runs T0+1 .. T0+60
    w.add(ev(T0 + M, "u1", "t_1", 60), now);
    w.add(ev(T0 + 30 * M + 15_000, "u2", "t_1", 0, "like"), now);
    w.add(ev(T0 + 60 * M + 10_000, "u1", "t_2", 120), now);
    w.add(ev(T0 + 60 * M + 20_000, "u3", "t_2", 30), now);
    const expected = Array.from({ length: 60 }, (_, i) => ({ minute: T0 + (i + 1) * M, watchMinutes: 0, events: 0 }));
    expected[0] = { minute: T0 + M, watchMinutes: 1, events: 1 };
    expected[29] = { minute: T0 + 30 * M, watchMinutes: 0, events: 1 };
    expected[59] = { minute: T0 + 60 * M, watchMinutes: 2.5, events: 2 };
    expect(w.view(now).series).toEqual(expected);
  });

  it("is all zeros before any event", () => {
    const series = new LiveWindows().view(T0).series;
    expect(series).toHaveLength(60);
    expect(series[0]!.minute).toBe(T0 - 59 * M);
    expect(series.every((p) => p.events === 0 && p.watchMinutes === 0)).toBe(true);
  });
});

describe("evict", () => {
  it("drops buckets that fell out of the 60-minute history", () => {
    const w = new LiveWindows();
    w.add(ev(T0, "u1", "t_1", 60), T0 + 30_000);
    w.evict(T0 + 61 * M); // history now starts at T0+1
    expect(point(w, T0 + 30_000, T0)).toEqual({ minute: T0, watchMinutes: 0, events: 0 });
  });

  it("keeps the bucket at the first minute of the history", () => {
    const w = new LiveWindows();
    w.add(ev(T0, "u1", "t_1", 60), T0 + 30_000);
    w.evict(T0 + 60 * M + 59_999); // history starts at T0
    expect(point(w, T0 + 30_000, T0)).toEqual({ minute: T0, watchMinutes: 1, events: 1 });
  });

  it("leaves the view correct for the buckets it keeps", () => {
    const w = new LiveWindows();
    w.add(ev(T0, "u1", "t_1", 60), T0 + 30_000);
    const now = T0 + 40 * M + 30_000;
    w.add(ev(T0 + 38 * M, "u2", "t_2", 120), now);
    w.add(ev(T0 + 40 * M, "u3", "t_3", 180), now);
    w.evict(T0 + 61 * M);
    const view = w.view(now);
    expect(view.activeViewers).toBe(2);
    expect(view.topTitles).toEqual([
      { titleId: "t_3", watchMinutes: 3, viewers: 1 },
      { titleId: "t_2", watchMinutes: 2, viewers: 1 },
    ]);
    expect(point(w, T0 + 61 * M, T0 + 38 * M)).toEqual({ minute: T0 + 38 * M, watchMinutes: 2, events: 1 });
    expect(w.userWindows("u2", now).map((x) => x.windowStart)).toEqual([34, 35, 36].map((k) => T0 + k * M));
  });
});

describe("userWindows", () => {
  const m = T0 + 20 * M;
  const now = T0 + 30 * M + 10_000; // current minute T0+30: the last complete window starts at T0+26

  function fill(): LiveWindows {
    const w = new LiveWindows();
    w.add(ev(m + 5_000, "u", "t_a", 60), now);
    w.add(ev(m + 3 * M + 1_000, "u", "t_b", 120), now);
    w.add(ev(m + 3 * M + 2_000, "u", "t_a", 30), now);
    w.add(ev(m + M, "v", "t_c", 500), now); // another user
    w.add(ev(m + 8 * M, "u", "t_d", 0, "like"), now); // not a watch
    return w;
  }

  it("returns 5-minute windows sliding by 1 minute; windows covering minutes m and m+3 count the title watched in both once", () => {
    // Windows [s, s+5m) containing minute m start at m-4 .. m; containing m+3: m-1 .. m+3.
    const one = { watchCount: 1, watchSeconds: 60, distinctTitles: 1 };
    const both = { watchCount: 3, watchSeconds: 210, distinctTitles: 2 };
    const last = { watchCount: 2, watchSeconds: 150, distinctTitles: 2 };
    expect(fill().userWindows("u", now)).toEqual([
      { windowStart: m - 4 * M, ...one },
      { windowStart: m - 3 * M, ...one },
      { windowStart: m - 2 * M, ...one },
      { windowStart: m - 1 * M, ...both },
      { windowStart: m, ...both },
      { windowStart: m + 1 * M, ...last },
      { windowStart: m + 2 * M, ...last },
      { windowStart: m + 3 * M, ...last },
    ]);
  });

  it("keeps users apart (v watched once, in minute m+1: windows starting m-3 .. m+1)", () => {
    expect(fill().userWindows("v", now)).toEqual(
      [-4, -3, -2, -1, 0].map((k) => ({ windowStart: m + M + k * M, watchCount: 1, watchSeconds: 500, distinctTitles: 1 })),
    );
  });

  it("is empty for a user without watches (other events only, or none)", () => {
    const w = fill();
    w.add(ev(m, "only_likes", "t_a", 0, "like"), now);
    expect(w.userWindows("only_likes", now)).toEqual([]);
    expect(w.userWindows("nobody", now)).toEqual([]);
  });

  it("reports only windows that end by the end of the current minute", () => {
    const w = new LiveWindows();
    w.add(ev(T0 + 30 * M, "u", "t_a", 60), now);
    expect(w.userWindows("u", now)).toEqual([{ windowStart: T0 + 26 * M, watchCount: 1, watchSeconds: 60, distinctTitles: 1 }]);
  });
});

describe("LiveWindows watermark across partitions", () => {
  it("is held back by the slowest active partition, so a partition running ahead makes no one late", () => {
    const w = new LiveWindows();
    const now = T0 + 30 * M;
    w.add(ev(T0 + 30 * M, "u1"), now, "p0"); // p0 is half an hour ahead
    w.add(ev(T0, "u2"), now, "p1");
    expect(w.watermark()).toBe(T0 - 10 * M);
    // 5 minutes behind p1's latest: late for a global watermark (T0 + 20 min), on time here.
    expect(w.add(ev(T0 - 5 * M, "u3"), now, "p1")).toBe("live");
    expect(w.add(ev(T0 - 11 * M, "u3"), now, "p1")).toBe("late");
  });

  it("lets a partition that went silent stop holding the watermark back, and counts it again when it resumes", () => {
    const w = new LiveWindows({ idleSourceMs: 30_000 });
    w.add(ev(T0, "u1"), T0, "slow");
    w.add(ev(T0 + 20 * M, "u2"), T0, "fast");
    expect(w.watermark()).toBe(T0 - 10 * M);
    // 31 s of processing time later only "fast" is active.
    w.add(ev(T0 + 21 * M, "u2"), T0 + 31_000, "fast");
    expect(w.watermark()).toBe(T0 + 11 * M);
    expect(w.add(ev(T0 + 5 * M, "u1"), T0 + 31_000, "fast")).toBe("late");
    // "slow" resumes: it counts like a new partition (not judged by the watermark it was not part of)
    // and holds the watermark back again.
    expect(w.add(ev(T0 + 5 * M, "u1"), T0 + 32_000, "slow")).toBe("live");
    expect(w.watermark()).toBe(T0 - 5 * M);
  });
});

describe("view: distinct counts of users last seen after the window", () => {
  const now = T0 + 10 * M + 30_000; // window T0+6 .. T0+10

  it("counts a user seen in the window and again in a minute ahead of the clock, once", () => {
    const w = new LiveWindows();
    w.add(ev(T0 + 7 * M, "u1", "t_1", 60), now);
    w.add(ev(T0 + 12 * M, "u1", "t_1", 60), now); // ahead of the clock: last seen after the window
    w.add(ev(T0 + 12 * M, "u2", "t_1", 60), now); // only after the window
    w.add(ev(T0 + 9 * M, "u1", "t_2", 60), now); // out of order: does not move u1's last sighting back
    const view = w.view(now);
    expect(view.activeViewers).toBe(1);
    expect(view.topTitles).toEqual([
      { titleId: "t_1", watchMinutes: 1, viewers: 1 },
      { titleId: "t_2", watchMinutes: 1, viewers: 1 },
    ]);
  });

  it("moves a viewer's count from the right minute after an out-of-order event lands before two later ones", () => {
    const w = new LiveWindows();
    w.add(ev(T0 + 8 * M, "u1", "t_1"), now);
    w.add(ev(T0 + 9 * M, "u1", "t_2"), now);
    w.add(ev(T0 + 7 * M, "u1", "t_1"), now); // out of order: u1 is in minutes 8 and 9 already
    w.add(ev(T0 + 10 * M, "u1", "t_1"), now); // (t_1, u1) last seen in minute 8 until now
    expect(w.view(now).topTitles).toEqual([
      { titleId: "t_1", watchMinutes: 3, viewers: 1 },
      { titleId: "t_2", watchMinutes: 1, viewers: 1 },
    ]);
    const later = T0 + 12 * M + 30_000; // window T0+8 .. T0+12, still from the last-seen counts
    expect(w.view(later)).toMatchObject({
      activeViewers: 1,
      topTitles: [
        { titleId: "t_1", watchMinutes: 2, viewers: 1 },
        { titleId: "t_2", watchMinutes: 1, viewers: 1 },
      ],
    });
  });

  it("answers a window in the past as if the later minutes had not happened yet", () => {
    const w = new LiveWindows();
    w.add(ev(T0 + 2 * M, "u1", "t_1", 120), now);
    w.add(ev(T0 + 3 * M, "u2", "t_1", 60), now);
    w.add(ev(T0 + 4 * M, "u3", "t_2", 600), now);
    w.add(ev(T0 + 8 * M, "u1", "t_1", 60), now); // u1 and (t_1, u1) are last seen after the past window
    w.add(ev(T0 + 9 * M, "u3", "t_1", 60), now); // u3 too, but not (t_2, u3)
    const before = w.view(T0 + 5 * M); // window T0+1 .. T0+5
    expect(before.activeViewers).toBe(3);
    expect(before.topTitles).toEqual([
      { titleId: "t_2", watchMinutes: 10, viewers: 1 },
      { titleId: "t_1", watchMinutes: 3, viewers: 2 },
    ]);
    expect(w.view(now).activeViewers).toBe(2);
  });
});

describe("view: cost", () => {
  it("answers the live window from the last-seen counts, without unioning the buckets' user sets", () => {
    const w = new LiveWindows();
    const now = T0 + 10 * M + 30_000;
    w.add(ev(T0 + 6 * M, "u1", "t_1"), T0 + 6 * M);
    w.add(ev(T0 + 9 * M, "u2", "t_1"), T0 + 9 * M + 5_000);
    w.add(ev(T0 + 7 * M, "u2", "t_2"), now); // out of order
    w.add(ev(T0 + 10 * M, "u1", "t_2"), now);
    w.add(ev(T0 + 11 * M, "u2", "t_1"), now); // ahead of the clock
    const union = vi.spyOn(LiveWindows as unknown as { countByUnion: () => number }, "countByUnion");
    try {
      w.evict(now);
      expect(w.view(now)).toMatchObject({ activeViewers: 2, topTitles: [{ titleId: "t_1", viewers: 2 }, { titleId: "t_2", viewers: 2 }] });
      expect(union).not.toHaveBeenCalled();
      expect(w.topTitleIds(T0 + 5 * M)).toEqual([]);
      expect(union).not.toHaveBeenCalled();
      expect(w.view(T0 + 7 * M).activeViewers).toBe(2); // a past window: a union
      expect(union).toHaveBeenCalledTimes(1);
    } finally {
      union.mockRestore();
    }
  });
});

describe("evict: last-seen counts", () => {
  it("keeps the live window exact when the bucket a user was last seen in leaves, and when they come back", () => {
    const w = new LiveWindows({ historyMinutes: 10 });
    w.add(ev(T0, "gone", "t_1"), T0);
    w.add(ev(T0, "stays", "t_1"), T0);
    w.add(ev(T0 + 5 * M, "stays", "t_2"), T0 + 5 * M);
    w.evict(T0 + 11 * M); // history from T0+1
    w.add(ev(T0 + 10 * M, "gone", "t_1"), T0 + 11 * M);
    w.add(ev(T0 + 11 * M, "stays", "t_1"), T0 + 11 * M);
    const view = w.view(T0 + 11 * M); // window T0+7 .. T0+11
    expect(view.activeViewers).toBe(2);
    expect(view.topTitles).toEqual([{ titleId: "t_1", watchMinutes: 2, viewers: 2 }]);
  });

  it("keeps no evicted bucket alive through the links between a user's minutes", () => {
    const w = new LiveWindows({ historyMinutes: 5 });
    for (let k = 0; k < 30; k++) {
      const now = T0 + k * M + 30_000;
      w.add(ev(T0 + k * M, "u1", `t_${k % 3}`), now);
      w.evict(now);
    }
    type Entry = { minute: number; prev: Entry | null };
    const internals = w as unknown as { buckets: Map<number, { users: Map<string, Entry> }> };
    const reachable: number[] = [];
    for (const b of internals.buckets.values()) for (const u of b.users.values()) for (let p = u.prev; p; p = p.prev) reachable.push(p.minute);
    // History from T0+24; the live window (T0+25 .. T0+29) looks back no further than its start.
    expect(Math.min(...reachable)).toBeGreaterThanOrEqual(T0 + 24 * M);
  });
});

describe("view: property, against a reference computed from the raw events", () => {
  type Op =
    | { kind: "advance"; ms: number }
    | { kind: "add"; user: number; title: number; offsetMs: number; type: EventType; seconds: number; source: number }
    | { kind: "evict" }
    | { kind: "check"; topN: number; pastOffsetMin: number };

  const opArb: fc.Arbitrary<Op> = fc.oneof(
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant("advance" as const),
        // Mostly seconds (several events per minute), sometimes far enough to evict everything.
        ms: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: M }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 70 * M }) }),
      }),
    },
    {
      weight: 8,
      arbitrary: fc.record({
        kind: fc.constant("add" as const),
        user: fc.integer({ min: 0, max: 9 }),
        title: fc.integer({ min: 0, max: 4 }),
        // Late (behind the 10-minute watermark), out of order within it, and ahead of the clock.
        offsetMs: fc.integer({ min: -13 * M, max: 3 * M }),
        type: fc.constantFrom<EventType>("watch", "watch", "watch", "like", "search"),
        seconds: fc.integer({ min: 0, max: 900 }),
        source: fc.integer({ min: 0, max: 1 }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("evict" as const) }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant("check" as const),
        topN: fc.constantFrom(Infinity, 10, 2),
        pastOffsetMin: fc.integer({ min: 1, max: 8 }),
      }),
    },
  );

  const optionsArb = fc
    .record({ windowMinutes: fc.integer({ min: 1, max: 6 }), extraHistory: fc.constantFrom(0, 2, 5, 10, 54) })
    .map(({ windowMinutes, extraHistory }) => ({ windowMs: windowMinutes * M, historyMinutes: windowMinutes + extraHistory }));

  /** The view recomputed from the events the windows took in and still hold, the obvious way. */
  function referenceView(events: ParsedEvent[], opts: { windowMs: number; historyMinutes: number }, nowMs: number, topN: number) {
    const minuteOf = (t: number) => Math.floor(t / M) * M;
    const current = minuteOf(nowMs);
    const series = Array.from({ length: opts.historyMinutes }, (_, i) => {
      const minute = current - (opts.historyMinutes - 1 - i) * M;
      const these = events.filter((e) => minuteOf(e.time) === minute);
      return { minute, watchMinutes: these.reduce((s, e) => s + e.watchSeconds, 0) / 60, events: these.length };
    });
    const inWindow = events.filter((e) => minuteOf(e.time) >= current + M - opts.windowMs && minuteOf(e.time) < current + M);
    const titles = new Map<string, { seconds: number; viewers: Set<string> }>();
    for (const e of inWindow.filter((e) => e.type === "watch")) {
      const t = titles.get(e.titleId) ?? { seconds: 0, viewers: new Set<string>() };
      t.seconds += e.watchSeconds;
      t.viewers.add(e.userId);
      titles.set(e.titleId, t);
    }
    const lastMinute = events.filter((e) => minuteOf(e.time) === current - M);
    return {
      series,
      activeViewers: new Set(inWindow.map((e) => e.userId)).size,
      watchMinutesLastMinute: lastMinute.reduce((s, e) => s + e.watchSeconds, 0) / 60,
      topTitles: [...titles]
        .map(([titleId, t]) => ({ titleId, watchMinutes: t.seconds / 60, viewers: t.viewers.size }))
        .sort((a, b) => b.watchMinutes - a.watchMinutes || a.titleId.localeCompare(b.titleId))
        .slice(0, topN),
    };
  }

  function referenceUserWindows(events: ParsedEvent[], opts: { windowMs: number; historyMinutes: number }, userId: string, nowMs: number) {
    const minuteOf = (t: number) => Math.floor(t / M) * M;
    const current = minuteOf(nowMs);
    const out = [];
    for (let start = current - opts.historyMinutes * M; start + opts.windowMs <= current + M; start += M) {
      const mine = events.filter((e) => e.userId === userId && e.type === "watch" && minuteOf(e.time) >= start && minuteOf(e.time) < start + opts.windowMs);
      if (mine.length > 0) {
        out.push({
          windowStart: start,
          watchCount: mine.length,
          watchSeconds: mine.reduce((s, e) => s + e.watchSeconds, 0),
          distinctTitles: new Set(mine.map((e) => e.titleId)).size,
        });
      }
    }
    return out;
  }

  it("matches the reference for the current window, a past window (view and topTitleIds, as rankBefore asks) and userWindows", () => {
    fc.assert(
      fc.property(optionsArb, fc.array(opArb, { minLength: 1, maxLength: 150, size: "max" }), (opts, ops) => {
        const w = new LiveWindows(opts);
        let clock = T0 + 17_000;
        let held: ParsedEvent[] = [];
        const check = (topN: number, pastOffsetMin: number) => {
          expect(w.view(clock, topN)).toEqual(referenceView(held, opts, clock, topN));
          // rankBefore's call: the window that ended `pastOffsetMin` minutes before the current one.
          const before = Math.floor(clock / M) * M - pastOffsetMin * M;
          const past = referenceView(held, opts, before, Infinity);
          expect(w.view(before, topN)).toEqual({ ...past, topTitles: past.topTitles.slice(0, topN) });
          expect(w.topTitleIds(before)).toEqual(past.topTitles.map((t) => t.titleId));
          for (const user of ["u0", "u3"]) expect(w.userWindows(user, clock)).toEqual(referenceUserWindows(held, opts, user, clock));
        };
        const evict = () => {
          w.evict(clock);
          const start = Math.floor(clock / M) * M - opts.historyMinutes * M;
          held = held.filter((e) => e.time >= start);
          // The ordered list of buckets mirrors the map, and the users' chains back through earlier
          // buckets keep nothing much older than the history alive (events run up to 3 minutes ahead).
          type Entry = { minute: number; prev: Entry | null };
          const internals = w as unknown as { buckets: Map<number, { users: Map<string, Entry> }>; ordered: { minute: number }[] };
          expect(internals.ordered.map((b) => b.minute)).toEqual([...internals.buckets.keys()].sort((x, y) => x - y));
          let oldest = Infinity;
          for (const b of internals.buckets.values()) for (const u of b.users.values()) for (let p = u.prev; p; p = p.prev) oldest = Math.min(oldest, p.minute);
          expect(oldest).toBeGreaterThanOrEqual(start - opts.windowMs - 4 * M);
        };
        for (const op of ops) {
          if (op.kind === "advance") clock += op.ms;
          else if (op.kind === "add") {
            const e = ev(clock + op.offsetMs, `u${op.user}`, `t${op.title}`, op.seconds, op.type);
            if (w.add(e, clock, `p${op.source}`) === "live") held.push(e);
          } else if (op.kind === "evict") evict();
          else check(op.topN, op.pastOffsetMin);
        }
        evict();
        check(Infinity, 5);
      }),
      { numRuns: 300 },
    );
  });
});
