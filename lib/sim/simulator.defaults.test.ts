import { describe, expect, it } from "vitest";
import { generateCatalog } from "./catalog";
import { createSimulator } from "./simulator";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.UTC(2026, 7, 3);
const DAYS = 28;

/**
 * The backfill the product runs: 28 days at the defaults, day by day. Prints volume, retention and
 * generation speed (speed is printed, never asserted: it depends on the machine).
 */
describe("createSimulator at the defaults (20,000 users, 600 titles)", () => {
  it("[SIM] makes 40k–80k events a day, D1 ≈ 40–50% and D7 ≈ 20–30%", () => {
    const sim = createSimulator({ seed: 2026, catalog: generateCatalog(2026), startMs: START });
    const perDay: number[] = [];
    const firstWatchDay = new Map<string, number>();
    const activeDays = new Map<string, number>(); // bit d set: watched on day d
    let generationMs = 0;
    for (let d = 0; d < DAYS; d++) {
      const began = performance.now();
      const events = sim.eventsBetween(START + d * DAY, START + (d + 1) * DAY);
      generationMs += performance.now() - began;
      perDay.push(events.length);
      for (const e of events) {
        if (e.event_type !== "watch") continue;
        if (!firstWatchDay.has(e.user_id)) firstWatchDay.set(e.user_id, d);
        activeDays.set(e.user_id, (activeDays.get(e.user_id) ?? 0) | (1 << d));
      }
    }
    const retention = (n: number) => {
      let cohort = 0;
      let retained = 0;
      for (const [user, day] of firstWatchDay) {
        if (day + n >= DAYS) continue;
        cohort++;
        if (((activeDays.get(user) ?? 0) >> (day + n)) & 1) retained++;
      }
      return retained / cohort;
    };
    const total = perDay.reduce((a, b) => a + b, 0);
    const mean = total / DAYS;
    const [d1, d7, d14] = [retention(1), retention(7), retention(14)];

    // Live: the evening after the backfill, as is and five times busier.
    const evening = START + DAYS * DAY + 18 * HOUR;
    sim.eventsBetween(START + DAYS * DAY, evening);
    const liveRate = sim.eventsBetween(evening, evening + 4 * HOUR).length / (4 * 3600);
    sim.setRateMultiplier(5);
    const nextEvening = evening + DAY;
    sim.eventsBetween(evening + 4 * HOUR, nextEvening);
    const busyRate = sim.eventsBetween(nextEvening, nextEvening + 4 * HOUR).length / (4 * 3600);

    console.log(
      [
        `simulator defaults: ${total} events in ${DAYS} days (${Math.round(mean)}/day, min ${Math.min(...perDay)} on day ${perDay.indexOf(Math.min(...perDay))}, max ${Math.max(...perDay)})`,
        `generation: ${Math.round(total / (generationMs / 1000))} events/s (${(generationMs / 1000).toFixed(2)} s, day-sized calls)`,
        `retention by first watch day: D1 ${(d1 * 100).toFixed(1)}%, D7 ${(d7 * 100).toFixed(1)}%, D14 ${(d14 * 100).toFixed(1)}%`,
        `live evening 18:00–22:00 UTC after the backfill: ${liveRate.toFixed(2)} events/s; with rateMultiplier 5: ${busyRate.toFixed(2)} events/s`,
      ].join("\n"),
    );

    expect(mean).toBeGreaterThanOrEqual(40_000);
    expect(mean).toBeLessThanOrEqual(80_000);
    expect(total).toBeGreaterThan(1_000_000);
    expect(d1).toBeGreaterThan(0.4);
    expect(d1).toBeLessThan(0.52);
    expect(d7).toBeGreaterThan(0.2);
    expect(d7).toBeLessThan(0.32);
    expect(d14).toBeLessThan(d7);
    expect(busyRate / liveRate).toBeGreaterThan(3.5);
  });
});
