import type { TopTitlesResponse } from "../../lib/api/types";
import type { Db } from "../db/client";

/**
 * The seed's "top titles by total watch time" with unique viewers (exact over the whole range, not
 * a sum of daily counts) and average watch duration per watch event.
 */
export async function getTopTitles(db: Db, range: { from: string; to: string }, limit: number): Promise<TopTitlesResponse> {
  const rows = await db.$queryRaw<
    { title_id: string; title_name: string | null; genre: string | null; release_year: number | null; total: number; views: bigint; unique_viewers: bigint }[]
  >`
    WITH ranked AS (
      SELECT title_id, sum(watch_seconds) AS total, sum(views)::bigint AS views
      FROM title_daily_stat
      WHERE day BETWEEN ${range.from}::date AND ${range.to}::date AND views > 0
      GROUP BY title_id
      ORDER BY total DESC, title_id
      LIMIT ${limit}
    )
    SELECT r.title_id, t.title_name, t.genre, t.release_year, r.total, r.views,
           (SELECT count(DISTINCT v.user_id) FROM user_day_title v
             WHERE v.day BETWEEN ${range.from}::date AND ${range.to}::date AND v.title_id = r.title_id) AS unique_viewers
    FROM ranked r LEFT JOIN title t ON t.title_id = r.title_id
    ORDER BY r.total DESC, r.title_id`;
  return {
    ...range,
    titles: rows.map((r) => ({
      titleId: r.title_id,
      name: r.title_name ?? r.title_id,
      genre: r.genre,
      releaseYear: r.release_year,
      totalWatchSeconds: r.total,
      views: Number(r.views),
      uniqueViewers: Number(r.unique_viewers),
      avgWatchSeconds: Number(r.views) > 0 ? r.total / Number(r.views) : 0,
    })),
  };
}
