import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../../lib/sim/rng";
import { addDays, daysBetween } from "../../lib/format";
import { createTestDatabase, type TestDatabase } from "../testing/test-db";
import { getRetention, getRetentionReport, weekStart, type RetentionRow } from "./get-retention";

/**
 * Oracle: for every cohort user and every period n, "did they watch in period n?" asked one user at
 * a time with EXISTS, with weeks found by ISO weekday arithmetic rather than date_trunc. It shares
 * no SQL with getRetentionReport beyond the tables.
 */
const FIRST_DAY = "2026-01-20";
const TODAY = "2026-03-20";
const USERS = 400;

interface Truth {
  cohort: string;
  n: number;
  size: number;
  retained: number;
}

async function groundTruth(t: TestDatabase, q: { from: string; to: string; periodDays: number; maxPeriod: number; experimentKey?: string; variant?: string }): Promise<Truth[]> {
  const cohortDay = q.periodDays === 7 ? "a.first_watch_day - (extract(isodow FROM a.first_watch_day)::int - 1)" : "a.first_watch_day";
  const scope = q.experimentKey
    ? `AND EXISTS (SELECT 1 FROM assignment s JOIN experiment e ON e.id = s.experiment_id
                   WHERE s.user_id = a.user_id AND e.key = $5 AND s.variant_key = $6)`
    : "";
  const { rows } = await t.pool.query<{ cohort: string; n: number; size: number; retained: number }>(
    `WITH cohort_user AS (
       SELECT a.user_id, (${cohortDay})::date AS cohort FROM user_activity a
       WHERE a.first_watch_day BETWEEN $1::date AND $2::date ${scope}
     )
     SELECT to_char(c.cohort, 'YYYY-MM-DD') AS cohort, n, count(*)::int AS size,
            count(*) FILTER (WHERE EXISTS (
              SELECT 1 FROM user_daily_stat d
              WHERE d.user_id = c.user_id AND d.watch_count > 0
                AND d.day BETWEEN c.cohort + n * $3::int AND c.cohort + n * $3::int + $3::int - 1
            ))::int AS retained
     FROM cohort_user c CROSS JOIN generate_series(0, $4::int) AS n
     GROUP BY c.cohort, n ORDER BY c.cohort, n`,
    q.experimentKey ? [q.from, q.to, q.periodDays, q.maxPeriod, q.experimentKey, q.variant] : [q.from, q.to, q.periodDays, q.maxPeriod],
  );
  return rows;
}

/** Every cell of the report equals the oracle; cells it leaves out are periods not begun by TODAY. */
function expectMatchesTruth(rows: RetentionRow[], truth: Truth[], periodDays: number) {
  const cohorts = [...new Set(truth.map((c) => c.cohort))];
  expect(rows.map((r) => r.cohort)).toEqual(cohorts);
  let compared = 0;
  for (const row of rows) {
    const cells = truth.filter((c) => c.cohort === row.cohort);
    expect(row.size, `${row.cohort} size`).toBe(cells[0]!.size);
    for (const cell of cells) {
      const begun = daysBetween(row.cohort, TODAY) >= cell.n * periodDays;
      if (begun) {
        expect(row.retained[cell.n], `${row.cohort} period ${cell.n}`).toBe(cell.retained);
        compared++;
      } else {
        expect(row.retained[cell.n], `${row.cohort} period ${cell.n} has not begun`).toBeUndefined();
        expect(cell.retained, `the data has no watch after TODAY`).toBe(0);
      }
    }
    // Over: the period's last day is before TODAY.
    const over = cells.filter((c) => daysBetween(row.cohort, TODAY) > c.n * periodDays + periodDays - 1).length;
    expect(row.complete, `${row.cohort} complete periods`).toBe(over);
  }
  return compared;
}

describe("getRetentionReport on real Postgres, against an SQL oracle", () => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDatabase();
    // A seeded world: each user's first watch day, then returns that thin out with time; some days
    // have only likes (watch_count 0), which are not a return. Nothing after TODAY.
    const rng = Rng.fromSeed(7);
    const activity: { user: string; first: string }[] = [];
    const daily: { user: string; day: string; watches: number }[] = [];
    const span = daysBetween(FIRST_DAY, TODAY);
    for (let i = 0; i < USERS; i++) {
      const user = `u${String(i).padStart(4, "0")}`;
      const first = addDays(FIRST_DAY, rng.int(span + 1));
      activity.push({ user, first });
      daily.push({ user, day: first, watches: 1 + rng.int(3) });
      const loyalty = rng.float();
      for (let day = addDays(first, 1); day <= TODAY; day = addDays(day, 1)) {
        const r = rng.float();
        if (r < loyalty * 0.35) daily.push({ user, day, watches: 1 + rng.int(4) });
        else if (r > 0.97) daily.push({ user, day, watches: 0 });
      }
    }
    await t.pool.query(
      `INSERT INTO user_activity (user_id, first_watch_day, last_watch_at)
       SELECT u, d, d::timestamptz FROM unnest($1::text[], $2::date[]) AS x(u, d)`,
      [activity.map((a) => a.user), activity.map((a) => a.first)],
    );
    await t.pool.query(
      `INSERT INTO user_daily_stat (user_id, day, watch_count, watch_seconds, likes)
       SELECT u, d, w, w * 600, CASE WHEN w = 0 THEN 1 ELSE 0 END FROM unnest($1::text[], $2::date[], $3::int[]) AS x(u, d, w)`,
      [daily.map((d) => d.user), daily.map((d) => d.day), daily.map((d) => d.watches)],
    );
    // An experiment over three quarters of the users, three variants.
    const experiment = await t.db.experiment.create({
      data: {
        key: "onboarding",
        name: "Onboarding row",
        owner: "test",
        seed: "s1",
        status: "running",
        trafficAllocation: 0.75,
        primaryMetric: "d7_retention",
        secondaryMetrics: [],
        guardrailMetrics: [],
        variants: {
          create: [
            { key: "control", name: "Control", weight: 1, isControl: true, position: 0 },
            { key: "b", name: "B", weight: 1, position: 1 },
            { key: "c", name: "C", weight: 1, position: 2 },
          ],
        },
      },
    });
    const assigned = activity.filter(() => rng.float() < 0.75);
    await t.db.assignment.createMany({
      data: assigned.map((a) => ({
        experimentId: experiment.id,
        userId: a.user,
        variantKey: ["control", "b", "c"][rng.int(3)]!,
        assignedAt: new Date(`${a.first}T12:00:00Z`),
      })),
    });
  });

  afterAll(async () => {
    await t?.drop();
  });

  it("[RETENTION] daily heatmap values equal the SQL ground truth, cell by cell", async () => {
    const report = await getRetentionReport(t.db, { from: "2026-02-01", to: TODAY, grain: "day", maxPeriod: 30 }, TODAY);
    expect(report).not.toBeNull();
    expect(report!.rows.length).toBeGreaterThan(40);
    const truth = await groundTruth(t, { from: "2026-02-01", to: TODAY, periodDays: 1, maxPeriod: 30 });
    const compared = expectMatchesTruth(report!.rows, truth, 1);
    expect(compared).toBeGreaterThan(500);
    // The data set is not degenerate: some returns, not all.
    const d1 = report!.rows.flatMap((r) => (r.retained[1] === undefined ? [] : [r.retained[1] / r.size]));
    expect(Math.max(...d1)).toBeGreaterThan(0);
    expect(Math.min(...d1)).toBeLessThan(1);
    // The older daily shape (lib/api/types.ts RetentionResponse) carries the same cells.
    const legacy = await getRetention(t.db, { from: "2026-02-01", to: TODAY }, 30, TODAY);
    expect(legacy.cohorts).toEqual(report!.rows.map(({ cohort, size, retained }) => ({ cohort, size, retained })));
  });

  it("[RETENTION] weekly heatmap values equal the SQL ground truth, with the range widened to whole ISO weeks", async () => {
    // Wednesday to Wednesday: cohorts are the weeks holding them, Monday 2 Feb to Sunday 22 Mar.
    const report = await getRetentionReport(t.db, { from: "2026-02-04", to: "2026-03-18", grain: "week", maxPeriod: 8 }, TODAY);
    expect(report).toMatchObject({ from: "2026-02-02", to: "2026-03-22", grain: "week", maxPeriod: 8 });
    const truth = await groundTruth(t, { from: "2026-02-02", to: "2026-03-22", periodDays: 7, maxPeriod: 8 });
    expect(report!.rows.map((r) => r.cohort)).toEqual(["2026-02-02", "2026-02-09", "2026-02-16", "2026-02-23", "2026-03-02", "2026-03-09", "2026-03-16"]);
    expect(expectMatchesTruth(report!.rows, truth, 7)).toBeGreaterThan(20);
    // W0 is everyone: their first watch is in their first week.
    for (const r of report!.rows) expect(r.retained[0]).toBe(r.size);
  });

  it("[RETENTION] split by experiment: each variant's cohorts count only its assigned users and equal the ground truth", async () => {
    for (const grain of ["day", "week"] as const) {
      const periodDays = grain === "week" ? 7 : 1;
      const maxPeriod = grain === "week" ? 6 : 14;
      const range = { from: "2026-02-02", to: "2026-03-15" };
      const report = await getRetentionReport(t.db, { ...range, grain, maxPeriod, experiment: "onboarding" }, TODAY);
      expect(report?.experiment?.variants.map((v) => [v.key, v.name, v.isControl])).toEqual([
        ["control", "Control", true],
        ["b", "B", false],
        ["c", "C", false],
      ]);
      for (const v of report!.experiment!.variants) {
        const truth = await groundTruth(t, { ...range, periodDays, maxPeriod, experimentKey: "onboarding", variant: v.key });
        expectMatchesTruth(v.rows, truth, periodDays);
      }
      // The overall rows are the assigned users only: fewer than everyone, the sum of the variants.
      const everyone = await getRetentionReport(t.db, { ...range, grain, maxPeriod }, TODAY);
      const assigned = report!.rows.reduce((s, r) => s + r.size, 0);
      expect(assigned).toBe(report!.experiment!.variants.reduce((s, v) => s + v.rows.reduce((n, r) => n + r.size, 0), 0));
      expect(assigned).toBeLessThan(everyone!.rows.reduce((s, r) => s + r.size, 0));
    }
  });

  it("[RETENTION] an unknown experiment key gives null (the route's 404); an empty range gives no cohorts", async () => {
    expect(await getRetentionReport(t.db, { from: "2026-02-01", to: TODAY, grain: "day", maxPeriod: 7, experiment: "nope" }, TODAY)).toBeNull();
    const empty = await getRetentionReport(t.db, { from: "2025-01-01", to: "2025-01-31", grain: "day", maxPeriod: 7 }, TODAY);
    expect(empty?.rows).toEqual([]);
  });

  it("weekStart is the Monday of the ISO week", () => {
    expect(weekStart("2026-02-02")).toBe("2026-02-02"); // Monday
    expect(weekStart("2026-02-08")).toBe("2026-02-02"); // Sunday
    expect(weekStart("2026-03-01")).toBe("2026-02-23");
  });
});
