import { addDays, daysBetween } from "../../lib/format";
import type { Db } from "../db/client";

export interface TitleDay {
  day: string;
  watchSeconds: number;
  views: number;
  uniqueViewers: number;
}

export interface TitleDetailResponse {
  titleId: string;
  /** The catalog name, or the id for a title the catalog does not know. */
  name: string;
  genre: string | null;
  releaseYear: number | null;
  inCatalog: boolean;
  from: string;
  to: string;
  totals: {
    watchSeconds: number;
    views: number;
    /** Distinct users over the whole range, exact (not the sum of the daily counts). */
    uniqueViewers: number;
    /** Seconds per watch event. */
    avgWatchSeconds: number;
    /** Days of the range with at least one view. */
    activeDays: number;
  };
  /** Every day of the range, oldest first; days without views are zeros. */
  days: TitleDay[];
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * One title's daily curve and its numbers for a range. Null when the id is neither in the catalog
 * nor ever watched: such a title does not exist, whereas a known title can have a quiet range.
 */
export async function getTitleDetail(db: Db, titleId: string, range: { from: string; to: string }): Promise<TitleDetailResponse | null> {
  const dayRange = { gte: new Date(`${range.from}T00:00:00Z`), lte: new Date(`${range.to}T00:00:00Z`) };
  const [title, daily, viewers] = await Promise.all([
    db.title.findUnique({ where: { id: titleId } }),
    db.titleDailyStat.findMany({ where: { titleId, day: dayRange }, orderBy: { day: "asc" } }),
    db.$queryRaw<{ users: number }[]>`
      SELECT count(DISTINCT user_id)::int AS users FROM user_day_title
      WHERE day BETWEEN ${range.from}::date AND ${range.to}::date AND title_id = ${titleId}`,
  ]);
  if (!title && daily.length === 0 && !(await db.titleDailyStat.findFirst({ where: { titleId }, select: { day: true } }))) return null;

  const byDay = new Map(daily.map((d) => [isoDay(d.day), d]));
  const days: TitleDay[] = Array.from({ length: daysBetween(range.from, range.to) + 1 }, (_, i) => {
    const day = addDays(range.from, i);
    const row = byDay.get(day);
    return { day, watchSeconds: row?.watchSeconds ?? 0, views: row?.views ?? 0, uniqueViewers: row?.uniqueViewers ?? 0 };
  });
  const watchSeconds = daily.reduce((sum, d) => sum + d.watchSeconds, 0);
  const views = daily.reduce((sum, d) => sum + d.views, 0);
  return {
    titleId,
    name: title?.name ?? titleId,
    genre: title?.genre ?? null,
    releaseYear: title?.releaseYear ?? null,
    inCatalog: title !== null,
    ...range,
    totals: {
      watchSeconds,
      views,
      uniqueViewers: viewers[0]?.users ?? 0,
      avgWatchSeconds: views > 0 ? watchSeconds / views : 0,
      activeDays: daily.filter((d) => d.views > 0).length,
    },
    days,
  };
}
