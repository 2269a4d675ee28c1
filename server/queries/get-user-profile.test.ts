import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assign } from "../../lib/experiments/assign";
import { createTestDatabase, type TestDatabase } from "../testing/test-db";
import { getUserAssignments } from "./get-user-assignments";
import { getUserProfile } from "./get-user-profile";

const at = (day: string) => new Date(`${day}T00:00:00Z`);

async function createExperiment(t: TestDatabase, key: string, status: string, weights: [number, number]) {
  return t.db.experiment.create({
    data: {
      key,
      name: `Experiment ${key}`,
      owner: "test",
      seed: `seed-${key}`,
      status,
      trafficAllocation: 0.5,
      targeting: [{ attribute: "country", op: "in", value: ["GB", "DE"] }],
      primaryMetric: "watch_time",
      secondaryMetrics: [],
      guardrailMetrics: [],
      variants: {
        create: [
          { key: "a", name: "Control", weight: weights[0], isControl: true, position: 0 },
          { key: "b", name: "Variant B", weight: weights[1], position: 1 },
        ],
      },
    },
  });
}

describe("user lookup on real Postgres", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await t.db.title.create({ data: { id: "t1", name: "Harbour", genre: "Drama", releaseYear: 2021 } });
    await t.db.userActivity.create({
      data: { userId: "u_000001", firstWatchDay: at("2026-03-01"), lastWatchAt: new Date("2026-03-05T21:15:00Z"), country: "GB", device: "tv" },
    });
    await t.db.userDayTitle.createMany({
      data: [
        { userId: "u_000001", day: at("2026-03-01"), titleId: "t1" },
        { userId: "u_000001", day: at("2026-03-05"), titleId: "t1" },
        { userId: "u_000001", day: at("2026-03-05"), titleId: "t_unknown" },
        { userId: "u_000002", day: at("2026-03-05"), titleId: "t1" },
      ],
    });
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("[USERS] profile: last-seen attributes and the titles of the recent days, newest first", async () => {
    const p = await getUserProfile(t.db, "u_000001", { to: "2026-03-05", recentDays: 3 });
    expect(p.activity).toEqual({ firstWatchDay: "2026-03-01", lastWatchAt: "2026-03-05T21:15:00.000Z", country: "GB", device: "tv" });
    // 03-01 is outside the last 3 days; another user's row is not theirs.
    expect(p.recentTitles).toEqual([
      { day: "2026-03-05", titleId: "t1", name: "Harbour", genre: "Drama" },
      { day: "2026-03-05", titleId: "t_unknown", name: "t_unknown", genre: null },
    ]);
    expect(await getUserProfile(t.db, "nobody", { to: "2026-03-05", recentDays: 7 })).toEqual({
      userId: "nobody",
      activity: null,
      recentDays: 7,
      recentTitles: [],
    });
  });

  it("[USERS] assignments: experiment, variant, time and status, newest first, with the variant draw inside the stored variant's range", async () => {
    const running = await createExperiment(t, "autoplay", "running", [1, 1]);
    const stopped = await createExperiment(t, "artwork", "stopped", [3, 1]);
    // Store what assign() decides, as the assignment API does.
    const variantOf = (e: typeof running) => {
      const r = assign(
        { key: e.key, seed: e.seed, status: "running", trafficAllocation: 1, targeting: [], variants: [{ key: "a", weight: e.key === "artwork" ? 3 : 1 }, { key: "b", weight: 1 }] },
        { id: "u_000001" },
      );
      if ("excluded" in r) throw new Error("excluded");
      return r;
    };
    await t.db.assignment.createMany({
      data: [
        { experimentId: stopped.id, userId: "u_000001", variantKey: variantOf(stopped).variantKey, assignedAt: new Date("2026-03-01T10:00:00Z"), source: "simulator" },
        { experimentId: running.id, userId: "u_000001", variantKey: variantOf(running).variantKey, assignedAt: new Date("2026-03-04T10:00:00Z") },
        { experimentId: running.id, userId: "u_000002", variantKey: "a", assignedAt: new Date("2026-03-04T10:00:00Z") },
      ],
    });

    const { assignments } = await getUserAssignments(t.db, "u_000001");
    expect(assignments.map((a) => [a.experimentKey, a.experimentName, a.experimentStatus, a.assignedAt, a.source])).toEqual([
      ["autoplay", "Experiment autoplay", "running", "2026-03-04T10:00:00.000Z", "api"],
      ["artwork", "Experiment artwork", "stopped", "2026-03-01T10:00:00.000Z", "simulator"],
    ]);
    for (const a of assignments) {
      const e = a.experimentKey === "autoplay" ? running : stopped;
      expect(a.variantKey).toBe(variantOf(e).variantKey);
      expect(a.variantName).toBe(a.variantKey === "a" ? "Control" : "Variant B");
      expect(a.isControl).toBe(a.variantKey === "a");
      expect(a.bucket).toBe(variantOf(e).bucket);
      const range = a.ranges.find((r) => r.variantKey === a.variantKey)!;
      expect(a.bucket).toBeGreaterThanOrEqual(range.start);
      expect(a.bucket).toBeLessThan(range.end);
      expect(a.trafficPercent).toBe(50);
      expect(a.targeting).toEqual([{ attribute: "country", op: "in", value: ["GB", "DE"] }]);
    }
    expect(assignments.find((a) => a.experimentKey === "artwork")!.ranges).toEqual([
      { variantKey: "a", start: 0, end: 0.75 },
      { variantKey: "b", start: 0.75, end: 1 },
    ]);
    expect(await getUserAssignments(t.db, "nobody")).toEqual({ userId: "nobody", assignments: [] });
  });
});
