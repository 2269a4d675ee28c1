import { describe, expect, it } from "vitest";
import {
  addDays,
  daysBetween,
  formatClockMinute,
  formatClockTime,
  formatCount,
  formatDayRange,
  formatDayShort,
  formatDecimal,
  formatDuration,
  formatHours,
  formatInteger,
  formatPercent,
  formatRate,
  isIsoDay,
  lastFullDays,
  NO_VALUE,
  resolveDayRange,
} from "./format";

describe("numbers", () => {
  it.each([
    ["formatInteger", 12345.6, "12,346", formatInteger],
    ["formatInteger", Number.NaN, NO_VALUE, formatInteger],
    ["formatDecimal(·, 1)", 1234.56, "1,234.6", (v: number) => formatDecimal(v, 1)],
    ["formatCount", 987_654, "987,654", formatCount],
    ["formatCount", 1_234_567, "1.2M", formatCount],
    ["formatRate", 4.26, "4.3", formatRate],
    ["formatRate", 20_412.4, "20,412", formatRate],
    ["formatHours", 5400, "1.5", formatHours],
    ["formatHours", 0, "0.0", formatHours],
    ["formatPercent", 0.4231, "42.3%", formatPercent],
    ["formatPercent", 1, "100.0%", formatPercent],
    ["formatPercent", Number.POSITIVE_INFINITY, NO_VALUE, formatPercent],
  ])("%s(%o) → %o", (_name, value, expected, format) => {
    expect(format(value)).toBe(expected);
  });
});

describe("formatDuration pads minutes so a column of durations aligns", () => {
  it.each([
    [0, "00:00"],
    [59.6, "01:00"],
    [307, "05:07"],
    [3599, "59:59"],
    [3723, "1:02:03"],
    [-1, NO_VALUE],
  ])("%o s → %o", (seconds, expected) => {
    expect(formatDuration(seconds)).toBe(expected);
  });
});

describe("clock times are 24-hour in the given zone", () => {
  const instant = Date.UTC(2026, 8, 9, 7, 5, 9);
  it("formats hh:mm and hh:mm:ss", () => {
    expect(formatClockMinute(instant, "UTC")).toBe("07:05");
    expect(formatClockTime(instant, "UTC")).toBe("07:05:09");
    expect(formatClockTime(Date.UTC(2026, 8, 9, 0, 0, 0), "UTC")).toBe("00:00:00");
    expect(formatClockMinute(instant, "Asia/Kolkata")).toBe("12:35");
  });
});

describe("days", () => {
  it.each([
    ["2026-09-09", true],
    ["2024-02-29", true],
    ["2026-02-29", false],
    ["2026-13-01", false],
    ["2026-9-9", false],
    ["", false],
    [undefined, false],
  ])("isIsoDay(%o) → %o", (value, expected) => {
    expect(isIsoDay(value)).toBe(expected);
  });

  it("adds days across month and year ends", () => {
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(daysBetween("2026-09-01", "2026-09-08")).toBe(7);
  });

  it("the last 7 full days end yesterday (UTC), whatever the hour", () => {
    expect(lastFullDays(Date.UTC(2026, 8, 9, 23, 59), 7)).toEqual({ from: "2026-09-02", to: "2026-09-08" });
    expect(lastFullDays(Date.UTC(2026, 8, 9, 0, 0), 7)).toEqual({ from: "2026-09-02", to: "2026-09-08" });
  });

  const fallback = { from: "2026-09-02", to: "2026-09-08" };
  it.each([
    [{}, fallback],
    [{ from: "2026-08-01", to: "2026-08-31" }, { from: "2026-08-01", to: "2026-08-31" }],
    [{ from: "2026-08-31", to: "2026-08-01" }, { from: "2026-08-01", to: "2026-08-31" }],
    [{ from: "yesterday", to: "2026-09-05" }, { from: "2026-08-30", to: "2026-09-05" }],
    [{ from: ["2026-08-03", "2026-08-04"] }, { from: "2026-08-03", to: "2026-08-09" }],
    [{ from: "2026-02-30", to: "2026-13-01" }, fallback],
  ])("resolveDayRange(%o) keeps the default length for a missing bound", (params, expected) => {
    expect(resolveDayRange(params, fallback)).toEqual(expected);
  });

  it.each([
    [{ from: "2026-11-03", to: "2026-11-09" }, "3–9 Nov 2026"],
    [{ from: "2026-10-28", to: "2026-11-03" }, "28 Oct – 3 Nov 2026"],
    [{ from: "2026-12-28", to: "2027-01-03" }, "28 Dec 2026 – 3 Jan 2027"],
    [{ from: "2026-11-03", to: "2026-11-03" }, "3 Nov 2026"],
  ])("formatDayRange(%o) → %o", (range, expected) => {
    expect(formatDayRange(range)).toBe(expected);
  });

  it("names the weekday of a UTC day", () => {
    expect(formatDayShort("2026-11-03")).toBe("Tue 3 Nov");
  });
});
