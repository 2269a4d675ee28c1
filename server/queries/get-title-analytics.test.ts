import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/test-db";
import { getGenres } from "./get-genres";
import { getTitleDetail } from "./get-title-detail";
import { getTopTitles } from "./get-top-titles";

/**
 * A small world whose answers are worked out by hand. Who watched what (user_day_title), and the
 * title-day totals the stream processor would have written for it:
 *
 *   day    u1        u2    u3        u4
 *   03-01  t1        t1
 *   03-02  t1, t3          t2, t9
 *   03-03            t2              t3
 *
 * t1, t2 are Drama, t3 Comedy; t9 is not in the catalog.
 */
const TITLES = [
  { id: "t1", name: "The Long Night", genre: "Drama", releaseYear: 2020 },
  { id: "t2", name: "Harbour", genre: "Drama", releaseYear: 2021 },
  { id: "t3", name: "Laugh Track", genre: "Comedy", releaseYear: 2019 },
];
const WATCHED: [string, string, string][] = [
  ["2026-03-01", "t1", "u1"],
  ["2026-03-01", "t1", "u2"],
  ["2026-03-02", "t1", "u1"],
  ["2026-03-02", "t3", "u1"],
  ["2026-03-02", "t2", "u3"],
  ["2026-03-02", "t9", "u3"],
  ["2026-03-03", "t2", "u2"],
  ["2026-03-03", "t3", "u4"],
];
const TITLE_DAYS: { titleId: string; day: string; watchSeconds: number; views: number; uniqueViewers: number }[] = [
  { titleId: "t1", day: "2026-03-01", watchSeconds: 900, views: 3, uniqueViewers: 2 },
  { titleId: "t1", day: "2026-03-02", watchSeconds: 300, views: 1, uniqueViewers: 1 },
  { titleId: "t2", day: "2026-03-02", watchSeconds: 1200, views: 2, uniqueViewers: 1 },
  { titleId: "t2", day: "2026-03-03", watchSeconds: 600, views: 1, uniqueViewers: 1 },
  { titleId: "t3", day: "2026-03-02", watchSeconds: 100, views: 1, uniqueViewers: 1 },
  { titleId: "t3", day: "2026-03-03", watchSeconds: 200, views: 1, uniqueViewers: 1 },
  { titleId: "t9", day: "2026-03-02", watchSeconds: 50, views: 1, uniqueViewers: 1 },
];
const at = (day: string) => new Date(`${day}T00:00:00Z`);

describe("title analytics on real Postgres", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await t.db.title.createMany({ data: TITLES });
    await t.db.userDayTitle.createMany({ data: WATCHED.map(([day, titleId, userId]) => ({ day: at(day), titleId, userId })) });
    await t.db.titleDailyStat.createMany({ data: TITLE_DAYS.map((d) => ({ ...d, day: at(d.day) })) });
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("[TITLES] top titles by watch time, unique viewers exact over the range, average per watch", async () => {
    const top = await getTopTitles(t.db, { from: "2026-03-01", to: "2026-03-02" }, 10);
    expect(top.titles.map((x) => [x.titleId, x.totalWatchSeconds, x.views, x.uniqueViewers, x.avgWatchSeconds])).toEqual([
      ["t1", 1200, 4, 2, 300], // u1 on two days counts once: 2, not 1 + 2
      ["t2", 1200, 2, 1, 600], // tie on watch time: by id
      ["t3", 100, 1, 1, 100],
      ["t9", 50, 1, 1, 50],
    ]);
    expect(top.titles[3]).toMatchObject({ name: "t9", genre: null, releaseYear: null });
    expect((await getTopTitles(t.db, { from: "2026-03-01", to: "2026-03-03" }, 2)).titles.map((x) => x.titleId)).toEqual(["t2", "t1"]);
  });

  it("[TITLES] genre breakdown: watch time share, views, titles and exact unique viewers per genre", async () => {
    const g = await getGenres(t.db, { from: "2026-03-01", to: "2026-03-02" });
    expect(g.totalWatchSeconds).toBe(2550);
    expect(g.genres).toEqual([
      // Drama viewers: u1, u2 (t1) and u3 (t2) = 3; the daily title counts would add up to 4.
      { genre: "Drama", watchSeconds: 2400, share: 2400 / 2550, views: 6, uniqueViewers: 3, titles: 2 },
      { genre: "Comedy", watchSeconds: 100, share: 100 / 2550, views: 1, uniqueViewers: 1, titles: 1 },
      { genre: null, watchSeconds: 50, share: 50 / 2550, views: 1, uniqueViewers: 1, titles: 1 },
    ]);
    expect(await getGenres(t.db, { from: "2025-01-01", to: "2025-01-07" })).toEqual({ from: "2025-01-01", to: "2025-01-07", totalWatchSeconds: 0, genres: [] });
  });

  it("[TITLES] a title's daily curve covers every day of the range, with exact unique viewers over it", async () => {
    const d = await getTitleDetail(t.db, "t1", { from: "2026-03-01", to: "2026-03-03" });
    expect(d).toMatchObject({ titleId: "t1", name: "The Long Night", genre: "Drama", releaseYear: 2020, inCatalog: true });
    expect(d!.days).toEqual([
      { day: "2026-03-01", watchSeconds: 900, views: 3, uniqueViewers: 2 },
      { day: "2026-03-02", watchSeconds: 300, views: 1, uniqueViewers: 1 },
      { day: "2026-03-03", watchSeconds: 0, views: 0, uniqueViewers: 0 },
    ]);
    expect(d!.totals).toEqual({ watchSeconds: 1200, views: 4, uniqueViewers: 2, avgWatchSeconds: 300, activeDays: 2 });
  });

  it("[TITLES] unknown titles are null (404); catalog titles with a quiet range and watched non-catalog titles are not", async () => {
    expect(await getTitleDetail(t.db, "t404", { from: "2026-03-01", to: "2026-03-03" })).toBeNull();
    const quiet = await getTitleDetail(t.db, "t3", { from: "2026-02-01", to: "2026-02-02" });
    expect(quiet?.totals).toEqual({ watchSeconds: 0, views: 0, uniqueViewers: 0, avgWatchSeconds: 0, activeDays: 0 });
    expect(quiet?.days).toHaveLength(2);
    // Watched, but on other days than the range: still a title, not a 404.
    const outside = await getTitleDetail(t.db, "t9", { from: "2026-03-03", to: "2026-03-03" });
    expect(outside).toMatchObject({ titleId: "t9", name: "t9", inCatalog: false, genre: null });
  });
});
