import type { UserDailyResponse } from "../../lib/api/types";
import type { Db } from "../db/client";

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** The seed's "daily watch time per user", with distinct titles and engagement counts. */
export async function getUserDaily(db: Db, userId: string, range: { from: string; to: string }): Promise<UserDailyResponse> {
  const [days, activity] = await Promise.all([
    db.userDailyStat.findMany({
      where: { userId, day: { gte: new Date(`${range.from}T00:00:00Z`), lte: new Date(`${range.to}T00:00:00Z`) } },
      orderBy: { day: "asc" },
    }),
    db.userActivity.findUnique({ where: { userId } }),
  ]);
  return {
    userId,
    ...range,
    firstWatchDay: activity ? isoDay(activity.firstWatchDay) : null,
    days: days.map((d) => ({
      day: isoDay(d.day),
      watchSeconds: d.watchSeconds,
      watchCount: d.watchCount,
      distinctTitles: d.distinctTitles,
      sessions: d.sessions,
      likes: d.likes,
      dislikes: d.dislikes,
      searches: d.searches,
      ratings: d.ratings,
    })),
  };
}
