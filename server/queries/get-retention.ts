import type { RetentionResponse } from "../../lib/api/types";
import type { Db } from "../db/client";

const DAY_MS = 86_400_000;

/**
 * Cohort × day-N retention: a cohort is the users whose first watch fell on a day in [from, to];
 * retained[n] counts those who watched again on cohort + n. Cells after `today` are not observable
 * yet and are left out, so recent cohorts have shorter rows.
 */
export async function getRetention(db: Db, range: { from: string; to: string }, maxDay: number, today: string): Promise<RetentionResponse> {
  const rows = await db.$queryRaw<{ cohort: Date; n: number; users: bigint }[]>`
    SELECT a.first_watch_day AS cohort, (d.day - a.first_watch_day)::int AS n, count(*) AS users
    FROM user_activity a
    JOIN user_daily_stat d ON d.user_id = a.user_id AND d.watch_count > 0
    WHERE a.first_watch_day BETWEEN ${range.from}::date AND ${range.to}::date
      AND d.day >= a.first_watch_day AND d.day <= a.first_watch_day + ${maxDay}::int
    GROUP BY 1, 2
    ORDER BY 1, 2`;
  const todayMs = Date.parse(`${today}T00:00:00Z`);
  const cohorts = new Map<string, number[]>();
  for (const r of rows) {
    const cohort = r.cohort.toISOString().slice(0, 10);
    if (!cohorts.has(cohort)) {
      const observable = Math.min(maxDay, Math.floor((todayMs - r.cohort.getTime()) / DAY_MS));
      cohorts.set(cohort, new Array<number>(Math.max(0, observable) + 1).fill(0));
    }
    const cells = cohorts.get(cohort)!;
    if (r.n < cells.length) cells[r.n] = Number(r.users);
  }
  return {
    ...range,
    maxDay,
    cohorts: [...cohorts].map(([cohort, retained]) => ({ cohort, size: retained[0] ?? 0, retained })),
  };
}
