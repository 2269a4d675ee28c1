import type { RetentionCohort } from "../api/types";
import { daysBetween } from "../format";

export type CellKind = "complete" | "partial" | "future";

/** Day `n` of a cohort is complete once the whole of cohort + n has passed, partial while it is today. */
export function cellKind(cohort: string, n: number, today: string): CellKind {
  const elapsed = daysBetween(cohort, today);
  return n < elapsed ? "complete" : n === elapsed ? "partial" : "future";
}

export interface DayNRetention {
  day: number;
  /** Retained ÷ cohort size over the cohorts where day n is complete; null if there are none. */
  rate: number | null;
  retained: number;
  users: number;
  cohorts: number;
}

/** Day-N retention pooled over cohorts (weighted by cohort size), counting only complete days. */
export function pooledRetention(cohorts: RetentionCohort[], day: number, today: string): DayNRetention {
  let retained = 0;
  let users = 0;
  let count = 0;
  for (const c of cohorts) {
    const r = c.retained[day];
    if (r === undefined || c.size === 0 || cellKind(c.cohort, day, today) !== "complete") continue;
    retained += r;
    users += c.size;
    count += 1;
  }
  return { day, rate: users > 0 ? retained / users : null, retained, users, cohorts: count };
}

