import { describe, expect, it } from "vitest";
import { pooledRetention } from "./pooled";

describe("pooledRetention", () => {
  const rows = [
    { size: 100, retained: [100, 50, 30], complete: 3 },
    { size: 300, retained: [300, 60, 9], complete: 2 }, // period 2 still running: left out of day 2
    { size: 0, retained: [0, 0], complete: 2 }, // empty cohorts carry no weight
  ];

  it("weights cohorts by size over complete periods: (50 + 60) / (100 + 300) on day 1", () => {
    expect(pooledRetention(rows, 1)).toEqual({ rate: 110 / 400, retained: 110, users: 400, cohorts: 2 });
  });

  it("leaves out a period still in progress", () => {
    expect(pooledRetention(rows, 2)).toEqual({ rate: 0.3, retained: 30, users: 100, cohorts: 1 });
  });

  it("has no rate when no cohort has completed the period", () => {
    expect(pooledRetention(rows, 7)).toEqual({ rate: null, retained: 0, users: 0, cohorts: 0 });
  });
});
