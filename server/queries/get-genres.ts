import type { Db } from "../db/client";

export interface GenreStat {
  /** null: titles that are not in the catalog, so have no genre. */
  genre: string | null;
  watchSeconds: number;
  /** This genre's part of all watch time in the range, 0–1. */
  share: number;
  /** Watch events. */
  views: number;
  /** Distinct users who watched any title of the genre in the range (exact, not a sum of days). */
  uniqueViewers: number;
  /** Titles of the genre watched in the range. */
  titles: number;
}

export interface GenresResponse {
  from: string;
  to: string;
  totalWatchSeconds: number;
  /** Most watched first. */
  genres: GenreStat[];
}

/** Watch time share, views and exact unique viewers per genre over an inclusive day range. */
export async function getGenres(db: Db, range: { from: string; to: string }): Promise<GenresResponse> {
  const [totals, viewers] = await Promise.all([
    db.$queryRaw<{ genre: string | null; watch_seconds: number; views: number; titles: number }[]>`
      SELECT t.genre, sum(s.watch_seconds)::float8 AS watch_seconds, sum(s.views)::int AS views, count(DISTINCT s.title_id)::int AS titles
      FROM title_daily_stat s LEFT JOIN title t ON t.title_id = s.title_id
      WHERE s.day BETWEEN ${range.from}::date AND ${range.to}::date AND s.views > 0
      GROUP BY t.genre`,
    // A user counts once per genre however many of its titles and days they watched.
    db.$queryRaw<{ genre: string | null; users: number }[]>`
      SELECT t.genre, count(DISTINCT v.user_id)::int AS users
      FROM user_day_title v LEFT JOIN title t ON t.title_id = v.title_id
      WHERE v.day BETWEEN ${range.from}::date AND ${range.to}::date
      GROUP BY t.genre`,
  ]);
  const usersByGenre = new Map(viewers.map((v) => [v.genre, v.users]));
  const totalWatchSeconds = totals.reduce((sum, g) => sum + g.watch_seconds, 0);
  const genres = totals
    .map((g) => ({
      genre: g.genre,
      watchSeconds: g.watch_seconds,
      share: totalWatchSeconds > 0 ? g.watch_seconds / totalWatchSeconds : 0,
      views: g.views,
      uniqueViewers: usersByGenre.get(g.genre) ?? 0,
      titles: g.titles,
    }))
    .sort((a, b) => b.watchSeconds - a.watchSeconds || (a.genre ?? "").localeCompare(b.genre ?? ""));
  return { ...range, totalWatchSeconds, genres };
}
