import { describe, expect, it } from "vitest";
import type { ParsedEvent } from "../../lib/events/view-event";
import { LiveState } from "./live-state";

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);

function watch(titleId: string, userId: string, time: number, seconds: number): ParsedEvent {
  return { eventId: `${titleId}-${userId}-${time}`, userId, titleId, type: "watch", time, watchSeconds: seconds };
}

function state(now: { t: number }) {
  return new LiveState(
    () => now.t,
    new Map([
      ["t_a", { name: "Alpha", genre: "Drama" }],
      ["t_b", { name: "Bravo", genre: "Comedy" }],
      ["t_c", { name: "Charlie", genre: "Drama" }],
    ]),
  );
}

describe("LiveState", () => {
  it("ranks top titles against the window that ended five minutes earlier", () => {
    const now = { t: T0 };
    const live = state(now);
    // The window 09:56–10:00: Alpha ahead of Bravo; Charlie unseen.
    live.record([watch("t_a", "u1", T0 - 2 * MINUTE, 600), watch("t_b", "u2", T0 - MINUTE, 300)], "p0");
    now.t = T0 + 5 * MINUTE + 30_000;
    // The window 10:01–10:05: Bravo leads, Charlie appears, Alpha fell silent.
    live.record([watch("t_b", "u3", T0 + 5 * MINUTE, 900), watch("t_c", "u4", T0 + 5 * MINUTE + 1_000, 120)], "p0");

    const snapshot = live.snapshot();
    expect(snapshot.topTitles.map((t) => [t.titleId, t.rankBefore])).toEqual([
      ["t_b", 2],
      ["t_c", null],
    ]);
    expect(snapshot.topTitles[0]).toMatchObject({ name: "Bravo", genre: "Comedy", watchMinutes: 15, viewers: 1 });
    expect(snapshot.newestEventTime).toBe(T0 + 5 * MINUTE + 1_000);
  });

  it("mixes genres over every title in the 5-minute window, not only the top ten", () => {
    const now = { t: T0 + 2 * MINUTE };
    const live = state(now);
    const events = [watch("t_a", "u1", T0, 600), watch("t_c", "u2", T0, 300), watch("t_b", "u3", T0 + MINUTE, 300), watch("t_x", "u4", T0, 60)];
    for (let i = 0; i < 12; i++) events.push(watch(`t_filler_${i}`, `u_f${i}`, T0, 1));
    live.record(events, "p0");

    const { genres, totalWatchMinutes } = live.genres();
    expect(totalWatchMinutes).toBeCloseTo(10 + 5 + 5 + 1 + 12 / 60);
    expect(genres[0]).toMatchObject({ genre: "Drama", watchMinutes: 15, titles: 2 });
    expect(genres[0]!.share).toBeCloseTo(15 / totalWatchMinutes);
    // Titles outside the catalog are one group, null.
    expect(genres.find((g) => g.genre === null)).toMatchObject({ titles: 13 });
    expect(genres.reduce((s, g) => s + g.share, 0)).toBeCloseTo(1);
  });

  it("has no newest event time before the first event", () => {
    expect(state({ t: T0 }).snapshot().newestEventTime).toBeNull();
  });

  it("holds at most its hour of minutes when nobody reads a snapshot (a process no screen watches)", () => {
    const now = { t: T0 };
    const live = state(now);
    // Three hours of traffic, one event a minute, and not a single snapshot.
    for (let m = 0; m < 180; m++) {
      now.t = T0 + m * MINUTE;
      live.record([watch("t_a", `u${m}`, now.t, 60)], "p0");
    }
    expect(live.retainedMinutes()).toBeLessThanOrEqual(61);
    expect(live.retainedMinutes()).toBeGreaterThanOrEqual(59);
  });
});
