/**
 * A synthetic experiment population for tests: users with a personal activity level (so the
 * pre-exposure week predicts the post-exposure weeks, as CUPED assumes), exposed over several days,
 * with optional planted multipliers per variant. Seeded, so every run sees the same rows.
 */
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { addDays, isoDayToEpoch } from "../../../lib/format";
import type { SeedAssignment, SeedDay } from "./seed-experiment";

const DAY_MS = 86_400_000;

export interface SyntheticOptions {
  seed: number;
  /** Day of the start: exposures fall on this day and the following `exposureDays − 1`. */
  startDay: string;
  /** The last day with data. */
  lastDay: string;
  exposureDays: number;
  /** Users per variant. */
  users: Record<string, number>;
  /** Per variant, multipliers applied after exposure. */
  effects?: Record<string, { watch?: number; dislikes?: number; activity?: number }>;
  userPrefix?: string;
}

export function syntheticPopulation(o: SyntheticOptions): { assignments: SeedAssignment[]; days: SeedDay[] } {
  const rng = xoroshiro128plus(o.seed);
  const int = (lo: number, hi: number) => uniformInt(rng, lo, hi);
  const unit = () => int(0, 1_000_000) / 1_000_000;
  const assignments: SeedAssignment[] = [];
  const days: SeedDay[] = [];
  let i = 0;
  for (const [variantKey, count] of Object.entries(o.users)) {
    const effect = o.effects?.[variantKey] ?? {};
    for (let k = 0; k < count; k++, i++) {
      const userId = `${o.userPrefix ?? "s"}${i}`;
      const d0 = addDays(o.startDay, int(0, o.exposureDays - 1));
      assignments.push({ userId, variantKey, assignedAt: new Date(isoDayToEpoch(d0) + int(0, DAY_MS - 1)) });
      // Activity: a share of days with a watch, and minutes per active day, both personal.
      const activity = 0.15 + 0.7 * unit();
      const minutes = 10 + 110 * unit() ** 2;
      for (let d = addDays(o.startDay, -8); d <= o.lastDay; d = addDays(d, 1)) {
        const exposed = d >= d0;
        const p = Math.min(0.98, activity * (exposed ? (effect.activity ?? 1) : 1));
        if (unit() >= p) continue;
        const watch = minutes * (0.4 + 1.2 * unit()) * (exposed ? (effect.watch ?? 1) : 1);
        const sessions = 1 + (unit() < 0.3 ? 1 : 0);
        days.push({
          userId,
          day: d,
          watchSeconds: Math.round(watch * 60),
          watchCount: 1 + int(0, 3),
          distinctTitles: 1 + int(0, 2),
          sessions,
          likes: unit() < 0.2 ? 1 : 0,
          dislikes: unit() < 0.05 * (exposed ? (effect.dislikes ?? 1) : 1) ? 1 : 0,
          ratings: unit() < 0.1 ? 1 : 0,
        });
      }
    }
  }
  return { assignments, days };
}
