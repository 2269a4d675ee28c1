import { addDays } from "../../lib/format";
import type { Db } from "../db/client";

export interface UserProfileResponse {
  userId: string;
  /** The user's attributes as last seen by the stream processor; null when they never watched. */
  activity: {
    /** UTC day of the first watch: the user's retention cohort. */
    firstWatchDay: string;
    /** Event time of the latest watch (ISO). */
    lastWatchAt: string;
    country: string | null;
    device: string | null;
  } | null;
  /** Titles watched per day over the last `recentDays` days up to `to`, newest day first. */
  recentDays: number;
  recentTitles: { day: string; titleId: string; name: string; genre: string | null }[];
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** At most this many (day, title) pairs: a heavy watcher's week fits, a bot's does not flood the page. */
const MAX_RECENT_TITLES = 100;

/**
 * Who the user is, as far as the aggregates know: user_activity's last-seen attributes, and which
 * titles they watched lately (user_day_title). There is no per-event table, so single events are
 * not available; a day range keeps the title lookup on the primary key's day prefix.
 */
export async function getUserProfile(db: Db, userId: string, options: { to: string; recentDays: number }): Promise<UserProfileResponse> {
  const from = addDays(options.to, -(options.recentDays - 1));
  const [activity, recent] = await Promise.all([
    db.userActivity.findUnique({ where: { userId } }),
    db.$queryRaw<{ day: Date; title_id: string; title_name: string | null; genre: string | null }[]>`
      SELECT v.day, v.title_id, t.title_name, t.genre
      FROM user_day_title v LEFT JOIN title t ON t.title_id = v.title_id
      WHERE v.day BETWEEN ${from}::date AND ${options.to}::date AND v.user_id = ${userId}
      ORDER BY v.day DESC, t.title_name, v.title_id
      LIMIT ${MAX_RECENT_TITLES}`,
  ]);
  return {
    userId,
    activity: activity
      ? {
          firstWatchDay: isoDay(activity.firstWatchDay),
          lastWatchAt: activity.lastWatchAt.toISOString(),
          country: activity.country,
          device: activity.device,
        }
      : null,
    recentDays: options.recentDays,
    recentTitles: recent.map((r) => ({ day: isoDay(r.day), titleId: r.title_id, name: r.title_name ?? r.title_id, genre: r.genre })),
  };
}
