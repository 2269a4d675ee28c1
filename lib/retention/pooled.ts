/** Pooled retention over cohorts, as the retention page and the wall read it. Pure. */

/** A cohort row as GET /api/retention returns it (server/queries/get-retention.ts). */
export interface CohortRetention {
  size: number;
  /** retained[n]: users of the cohort active in period n after it. */
  retained: readonly number[];
  /** Periods of this cohort that are over: period n is complete when n < complete. */
  complete: number;
}

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
export function pooledRetention(rows: readonly CohortRetention[], n: number): PooledRetention {
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
