import { describe, expect, it } from "vitest";
import { cellKind, pooledRetention } from "./pooled";

describe("cellKind", () => {
  it.each([
    ["2026-11-01", 0, "2026-11-03", "complete"],
    ["2026-11-01", 1, "2026-11-03", "complete"],
    ["2026-11-01", 2, "2026-11-03", "partial"], // cohort + 2 is today: the day is still running
    ["2026-11-01", 3, "2026-11-03", "future"],
    ["2026-10-31", 1, "2026-11-01", "partial"], // across a month end
  ] as const)("day %s + %i seen on %s is %s", (cohort, n, today, kind) => {
    expect(cellKind(cohort, n, today)).toBe(kind);
  });
});

describe("pooledRetention", () => {
  const cohorts = [
    { cohort: "2026-11-01", size: 100, retained: [100, 50, 30] },
    { cohort: "2026-11-02", size: 300, retained: [300, 60, 9] }, // day 2 is today on 11-04: partial, left out
    { cohort: "2026-11-03", size: 0, retained: [0, 0] }, // empty cohorts carry no weight
  ];

  it("weights cohorts by size over complete days: (50 + 60) / (100 + 300) on day 1", () => {
    expect(pooledRetention(cohorts, 1, "2026-11-04")).toEqual({ day: 1, rate: 110 / 400, retained: 110, users: 400, cohorts: 2 });
  });

  it("leaves out a day still in progress", () => {
    expect(pooledRetention(cohorts, 2, "2026-11-04")).toEqual({ day: 2, rate: 0.3, retained: 30, users: 100, cohorts: 1 });
  });

  it("has no rate when no cohort has reached the day", () => {
    expect(pooledRetention(cohorts, 7, "2026-11-04").rate).toBeNull();
  });
});
