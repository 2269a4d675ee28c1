import type { RetentionRow } from "@/server/queries/get-retention";

export interface PooledRetention {
  /** Retained ÷ users over the cohorts whose period n is over; null when none is. */
  rate: number | null;
  retained: number;
  users: number;
  cohorts: number;
}

/**
 * Period-n retention pooled over cohorts (weighted by cohort size), counting only cohorts for which
 * period n is over, so a day still in progress never drags the figure down.
 */
export function pooledRetention(rows: readonly RetentionRow[], n: number): PooledRetention {
  let retained = 0;
  let users = 0;
  let cohorts = 0;
  for (const row of rows) {
    if (n >= row.complete || row.size === 0) continue;
    retained += row.retained[n] ?? 0;
    users += row.size;
    cohorts += 1;
  }
  return { rate: users > 0 ? retained / users : null, retained, users, cohorts };
}
