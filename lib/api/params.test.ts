import { describe, expect, it } from "vitest";
import { z } from "zod";
import { dayRangeShape, daySchema, userIdSchema, utcToday, withDayRange, type DayRangeOptions } from "./params";

describe("daySchema", () => {
  it.each(["2026-09-09", "2026-02-28", "2024-02-29", "2026-12-31", "2000-01-01"])("accepts %s", (day) => {
    expect(daySchema.safeParse(day)).toEqual({ success: true, data: day });
  });

  it.each([
    ["2026-02-30", "is not a calendar day"],
    ["2026-02-29", "is not a calendar day"],
    ["2026-04-31", "is not a calendar day"],
    ["2026-13-01", "is not a calendar day"],
    ["2026-00-10", "is not a calendar day"],
    ["2026-01-00", "is not a calendar day"],
    ["2026-01-32", "is not a calendar day"],
    ["yesterday", "must be a day as YYYY-MM-DD"],
    ["", "must be a day as YYYY-MM-DD"],
    ["2026-9-9", "must be a day as YYYY-MM-DD"],
    ["2026-09-09T00:00:00Z", "must be a day as YYYY-MM-DD"],
    [" 2026-09-09", "must be a day as YYYY-MM-DD"],
    ["09/09/2026", "must be a day as YYYY-MM-DD"],
  ])("rejects %j: %s", (day, message) => {
    const result = daySchema.safeParse(day);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toContain(message);
  });
});

describe("withDayRange", () => {
  const opts: DayRangeOptions = { defaultDays: 7, maxDays: 366, today: "2026-09-09" };
  const schema = (o: DayRangeOptions = opts) =>
    z.object({ ...dayRangeShape, limit: z.coerce.number().int().optional() }).transform((q, ctx) => withDayRange(q, o, ctx));

  it.each<[string, Record<string, string>, { from: string; to: string }]>([
    ["defaults to the last 7 days ending today", {}, { from: "2026-09-03", to: "2026-09-09" }],
    ["defaults from to 6 days before a given to, across a month end", { to: "2026-03-01" }, { from: "2026-02-23", to: "2026-03-01" }],
    ["defaults to to today when only from is given", { from: "2026-08-01" }, { from: "2026-08-01", to: "2026-09-09" }],
    ["accepts a one-day range", { from: "2026-09-01", to: "2026-09-01" }, { from: "2026-09-01", to: "2026-09-01" }],
    ["accepts a range of exactly maxDays days, inclusive", { from: "2025-09-09", to: "2026-09-09" }, { from: "2025-09-09", to: "2026-09-09" }],
    ["accepts a range ending in the future", { from: "2026-09-08", to: "2026-09-20" }, { from: "2026-09-08", to: "2026-09-20" }],
  ])("%s", (_title, query, range) => {
    expect(schema().safeParse(query)).toEqual({ success: true, data: range });
  });

  it("keeps the other query fields", () => {
    expect(schema().safeParse({ limit: "5" })).toEqual({ success: true, data: { limit: 5, from: "2026-09-03", to: "2026-09-09" } });
  });

  it("with defaultDays 1 defaults to today only", () => {
    expect(schema({ ...opts, defaultDays: 1 }).safeParse({})).toEqual({ success: true, data: { from: "2026-09-09", to: "2026-09-09" } });
  });

  it.each<[string, Record<string, string>, string]>([
    ["rejects from after to", { from: "2026-09-02", to: "2026-09-01" }, "must not be after to"],
    ["rejects a from after the defaulted to (today)", { from: "2026-09-10" }, "must not be after to"],
    ["rejects a range of maxDays + 1 days", { from: "2025-09-08", to: "2026-09-09" }, "the range may span at most 366 days"],
  ])("%s", (_title, query, message) => {
    const result = schema().safeParse(query);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => ({ path: i.path, message: i.message }))).toEqual([{ path: ["from"], message }]);
  });

  it("counts maxDays inclusively for a small limit too", () => {
    const o = { ...opts, maxDays: 7 };
    expect(schema(o).safeParse({ from: "2026-09-03", to: "2026-09-09" }).success).toBe(true);
    expect(schema(o).safeParse({ from: "2026-09-02", to: "2026-09-09" }).success).toBe(false);
  });

  it("reports a malformed day on its own field", () => {
    const result = schema().safeParse({ from: "2026-02-30", to: "yesterday" });
    expect(result.success).toBe(false);
    const issues = result.error?.issues.map((i) => [i.path.join("."), i.message]);
    expect(issues).toContainEqual(["from", "is not a calendar day"]);
    expect(issues).toContainEqual(["to", "must be a day as YYYY-MM-DD"]);
    // The range is not checked (no defaults, no ordering complaint) when a day itself is bad.
    expect(issues?.filter(([, message]) => message === "must not be after to")).toEqual([]);
  });
});

describe("utcToday and userIdSchema", () => {
  it.each([
    [Date.UTC(2026, 8, 9, 0, 0, 0), "2026-09-09"],
    [Date.UTC(2026, 8, 9, 23, 59, 59, 999), "2026-09-09"],
  ])("utcToday(%i) is %s", (ms, day) => {
    expect(utcToday(ms)).toBe(day);
  });

  it.each([
    [" u_1 ", true],
    ["", false],
    ["   ", false],
    ["u".repeat(129), false],
  ])("userIdSchema on %j succeeds: %s", (id, ok) => {
    expect(userIdSchema.safeParse(id).success).toBe(ok);
  });
});
