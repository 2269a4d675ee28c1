import type { RetentionResponse } from "../../lib/api/types";
import { addDays, daysBetween } from "../../lib/format";
import type { Db } from "../db/client";
import { Prisma } from "../generated/prisma/client";

/** Cohorts by first watch day, or by the ISO week (Monday to Sunday, UTC) of the first watch day. */
export type RetentionGrain = "day" | "week";

export const PERIOD_DAYS: Readonly<Record<RetentionGrain, number>> = { day: 1, week: 7 };

export interface RetentionRow {
  /** First day of the cohort: the first watch day, or the Monday of its week. */
  cohort: string;
  /** Users whose first watch fell in the cohort. */
  size: number;
  /**
   * retained[n] = users of the cohort who watched during period n: the day cohort + n (grain
   * "day"), or the week starting cohort + 7n (grain "week"). Only periods that have begun are
   * listed, so recent cohorts have shorter rows; retained[0] is the whole cohort.
   */
  retained: number[];
  /** How many leading periods are over: cells from `complete` on are still filling up. */
  complete: number;
}

export interface RetentionVariantRows {
  key: string;
  name: string;
  isControl: boolean;
  rows: RetentionRow[];
}

export interface RetentionReport {
  /** The cohort range; for weeks, widened to whole weeks (Monday of `from` to Sunday of `to`). */
  from: string;
  to: string;
  grain: RetentionGrain;
  /** The last period index counted (D0…D30, W0…W8). */
  maxPeriod: number;
  /** The day the report was computed for (UTC). */
  today: string;
  /** Every user in scope: all users, or with an experiment, the users assigned to it. */
  rows: RetentionRow[];
  /** With `experiment`: the same matrix per variant, in the experiment's variant order. */
  experiment: { key: string; name: string; status: string; variants: RetentionVariantRows[] } | null;
}

export interface RetentionQuery {
  from: string;
  to: string;
  grain: RetentionGrain;
  maxPeriod: number;
  /** An experiment key: split the cohorts by assigned variant, counting only assigned users. */
  experiment?: string;
}

/** Monday of the ISO week holding `day` (UTC). */
export function weekStart(day: string): string {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(day, -((weekday + 6) % 7));
}

/**
 * Cohort × period retention. A cohort is the users whose first watch day (user_activity) falls on a
 * day, or in a week, of the range; cell n counts those who watched (user_daily_stat.watch_count > 0)
 * on day n after the cohort day, or in the n-th week after the cohort week. Periods that have not
 * begun by `today` are left out. Returns null when `experiment` names no experiment.
 */
export async function getRetentionReport(db: Db, query: RetentionQuery, today: string): Promise<RetentionReport | null> {
  const { grain, maxPeriod } = query;
  const periodDays = PERIOD_DAYS[grain];
  const from = grain === "week" ? weekStart(query.from) : query.from;
  const to = grain === "week" ? addDays(weekStart(query.to), 6) : query.to;

  let experiment: { id: number; key: string; name: string; status: string; variants: { key: string; name: string; isControl: boolean }[] } | null = null;
  if (query.experiment !== undefined) {
    experiment = await db.experiment.findUnique({
      where: { key: query.experiment },
      select: { id: true, key: true, name: true, status: true, variants: { orderBy: { position: "asc" }, select: { key: true, name: true, isControl: true } } },
    });
    if (!experiment) return null;
  }

  const cohortOf = grain === "week" ? Prisma.sql`date_trunc('week', a.first_watch_day)::date` : Prisma.sql`a.first_watch_day`;
  // Without an experiment everyone is in one group, '' (not NULL, which would not join to itself).
  const variantOf = experiment ? Prisma.sql`s.variant_key` : Prisma.sql`''::text`;
  const onlyAssigned = experiment
    ? Prisma.sql`JOIN assignment s ON s.user_id = a.user_id AND s.experiment_id = ${experiment.id}`
    : Prisma.empty;

  const cells = await db.$queryRaw<{ cohort: Date; variant: string; size: number; n: number | null; users: number | null }[]>`
    WITH member AS (
      SELECT a.user_id, ${cohortOf} AS cohort, ${variantOf} AS variant
      FROM user_activity a ${onlyAssigned}
      WHERE a.first_watch_day BETWEEN ${from}::date AND ${to}::date
    ),
    size AS (
      SELECT cohort, variant, count(*)::int AS size FROM member GROUP BY cohort, variant
    ),
    returned AS (
      SELECT m.cohort, m.variant, (d.day - m.cohort) / ${periodDays}::int AS n, count(DISTINCT m.user_id)::int AS users
      FROM member m
      JOIN user_daily_stat d ON d.user_id = m.user_id AND d.watch_count > 0
      WHERE d.day >= m.cohort AND d.day < m.cohort + ${(maxPeriod + 1) * periodDays}::int
      GROUP BY 1, 2, 3
    )
    SELECT s.cohort, s.variant, s.size, r.n, r.users
    FROM size s LEFT JOIN returned r ON r.cohort = s.cohort AND r.variant = s.variant
    ORDER BY s.cohort, s.variant, r.n`;

  const byVariant = new Map<string, Map<string, RetentionRow>>();
  for (const c of cells) {
    const cohort = c.cohort.toISOString().slice(0, 10);
    let rows = byVariant.get(c.variant);
    if (!rows) byVariant.set(c.variant, (rows = new Map()));
    let row = rows.get(cohort);
    if (!row) rows.set(cohort, (row = emptyRow(cohort, c.size, periodDays, maxPeriod, today)));
    if (c.n !== null && c.users !== null && c.n < row.retained.length) row.retained[c.n] = c.users;
  }

  const sorted = (rows: Map<string, RetentionRow> | undefined) => [...(rows?.values() ?? [])].sort((a, b) => a.cohort.localeCompare(b.cohort));
  if (!experiment) {
    return { from, to, grain, maxPeriod, today, rows: sorted(byVariant.get("")), experiment: null };
  }

  const variants: RetentionVariantRows[] = experiment.variants.map((v) => ({ ...v, rows: sorted(byVariant.get(v.key)) }));
  // Assignments to a variant since removed from the definition still count, under their key.
  for (const [key, rows] of byVariant) {
    if (!experiment.variants.some((v) => v.key === key)) variants.push({ key, name: key, isControl: false, rows: sorted(rows) });
  }
  return {
    from,
    to,
    grain,
    maxPeriod,
    today,
    rows: sumRows(variants.map((v) => v.rows)),
    experiment: { key: experiment.key, name: experiment.name, status: experiment.status, variants },
  };
}

/** Daily cohorts of every user in the shape of lib/api/types.ts RetentionResponse (the wall's retention trend reads it). */
export async function getRetention(db: Db, range: { from: string; to: string }, maxDay: number, today: string): Promise<RetentionResponse> {
  const report = await getRetentionReport(db, { ...range, grain: "day", maxPeriod: maxDay }, today);
  return { ...range, maxDay, cohorts: (report?.rows ?? []).map(({ cohort, size, retained }) => ({ cohort, size, retained })) };
}

/** A cohort's row with a zero for every period that has begun by `today`. */
function emptyRow(cohort: string, size: number, periodDays: number, maxPeriod: number, today: string): RetentionRow {
  const elapsed = daysBetween(cohort, today);
  // Period n spans days [n·L, n·L + L − 1] after the cohort day: it has begun once n·L ≤ elapsed,
  // and is over once n·L + L − 1 < elapsed.
  const begun = Math.min(maxPeriod + 1, Math.max(1, Math.floor(elapsed / periodDays) + 1));
  const complete = Math.min(maxPeriod + 1, Math.max(0, Math.floor(elapsed / periodDays)));
  return { cohort, size, retained: new Array<number>(begun).fill(0), complete };
}

/** Cell-by-cell sums: each user is assigned one variant of an experiment, so variants add up exactly. */
function sumRows(groups: RetentionRow[][]): RetentionRow[] {
  const total = new Map<string, RetentionRow>();
  for (const rows of groups) {
    for (const r of rows) {
      const t = total.get(r.cohort);
      if (!t) {
        total.set(r.cohort, { ...r, retained: [...r.retained] });
        continue;
      }
      t.size += r.size;
      r.retained.forEach((users, n) => (t.retained[n] = (t.retained[n] ?? 0) + users));
    }
  }
  return [...total.values()].sort((a, b) => a.cohort.localeCompare(b.cohort));
}
