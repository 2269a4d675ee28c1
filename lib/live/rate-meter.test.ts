import { describe, expect, it } from "vitest";
import { RateMeter } from "./rate-meter";

/** A whole second: 2026-09-09T10:00:00Z. Second k of the test starts at S + k * 1000. */
const S = Date.UTC(2026, 8, 9, 10, 0, 0);
const at = (sec: number, ms = 0) => S + sec * 1000 + ms;

/** A meter with `perSecond[k]` events added in second k. */
function meter(perSecond: number[], windowSec = 10): RateMeter {
  const m = new RateMeter(windowSec);
  perSecond.forEach((n, k) => m.add(n, at(k, 500)));
  return m;
}

describe("RateMeter", () => {
  it("is 0 before anything was added", () => {
    expect(new RateMeter().rate(at(5))).toBe(0);
  });

  it("averages over the last 10 complete seconds by default", () => {
    // Seconds 0..9 hold 1..10 events: 55 events over 10 seconds.
    expect(meter([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).rate(at(10))).toBe(5.5);
  });

  it("excludes the current second, however far into it the clock is", () => {
    const m = meter(Array<number>(10).fill(10));
    m.add(1000, at(10, 1));
    expect(m.rate(at(10))).toBe(10);
    expect(m.rate(at(10, 999))).toBe(10);
  });

  it("slides: the second that just completed enters and the oldest leaves", () => {
    const m = meter([100, ...Array<number>(9).fill(10)]);
    m.add(30, at(10, 0));
    expect(m.rate(at(10))).toBe((100 + 90) / 10);
    expect(m.rate(at(11))).toBe((90 + 30) / 10);
  });

  it("divides by the window length even when fewer seconds have data", () => {
    // 30 events in the last 3 seconds of a 10-second window: 3 per second, not 10.
    const m = new RateMeter(10);
    m.add(10, at(7));
    m.add(10, at(8));
    m.add(10, at(9, 999));
    expect(m.rate(at(10))).toBe(3);
  });

  it("adds counts that land in the same second", () => {
    const m = new RateMeter(2);
    m.add(3, at(0, 0));
    m.add(4, at(0, 999));
    m.add(1, at(1, 0));
    expect(m.rate(at(2))).toBe(4);
  });

  it("uses the window length it was given", () => {
    expect(meter([50, 10, 20], 2).rate(at(3))).toBe(15);
  });

  it("is 0 once the window has passed without events", () => {
    expect(meter([10, 10, 10]).rate(at(13))).toBe(0);
  });

  it("drops buckets older than the window: a later read for an earlier clock no longer sees them", () => {
    const m = meter([100, 10]);
    expect(m.rate(at(11))).toBe(1); // window seconds 1..10: second 0 is dropped here
    expect(m.rate(at(10))).toBe(1); // seconds 0..9 would be 11 if second 0 were still kept
  });
});
