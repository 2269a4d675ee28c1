/**
 * Display formatting for the dashboard: pure, isomorphic, and in one fixed locale (en-US) so the
 * server render and the browser render agree and columns of figures line up the same everywhere.
 * Days are UTC `YYYY-MM-DD` strings, as in the HTTP API.
 */

const LOCALE = "en-US";
const DAY_MS = 86_400_000;

const integerFormat = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
const compactFormat = new Intl.NumberFormat(LOCALE, { notation: "compact", maximumFractionDigits: 1 });
const fixedFormats = new Map<number, Intl.NumberFormat>();

function fixedFormat(digits: number): Intl.NumberFormat {
  let format = fixedFormats.get(digits);
  if (!format) {
    format = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: digits, maximumFractionDigits: digits });
    fixedFormats.set(digits, format);
  }
  return format;
}

/** Placeholder for a value that is missing or not a finite number. */
export const NO_VALUE = "–";

/** 12345.6 → "12,346". */
export function formatInteger(value: number): string {
  return Number.isFinite(value) ? integerFormat.format(value) : NO_VALUE;
}

/** A fixed number of decimals with grouping: (1234.56, 1) → "1,234.6". */
export function formatDecimal(value: number, digits: number): string {
  return Number.isFinite(value) ? fixedFormat(digits).format(value) : NO_VALUE;
}

/**
 * A count that stays short enough for a tile read from across a room: exact below a million
 * ("987,654"), compact above ("1.2M").
 */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return NO_VALUE;
  return Math.abs(value) < 1_000_000 ? integerFormat.format(value) : compactFormat.format(value);
}

/** Axis ticks: 1200 → "1.2K". */
export function formatCompact(value: number): string {
  return Number.isFinite(value) ? compactFormat.format(value) : NO_VALUE;
}

/** A per-second rate: one decimal below 10 (where it matters), whole numbers above. */
export function formatRate(value: number): string {
  if (!Number.isFinite(value)) return NO_VALUE;
  return Math.abs(value) < 10 ? fixedFormat(1).format(value) : formatCount(Math.round(value));
}

/** Seconds → hours with one decimal: 5400 → "1.5". */
export function formatHours(seconds: number): string {
  return formatDecimal(seconds / 3600, 1);
}

/** A ratio (0–1) as a percentage: (0.4231) → "42.3%". */
export function formatPercent(ratio: number, digits = 1): string {
  return Number.isFinite(ratio) ? `${fixedFormat(digits).format(ratio * 100)}%` : NO_VALUE;
}

const pad2 = (n: number) => String(n).padStart(2, "0");

/**
 * Seconds → "mm:ss", or "h:mm:ss" from an hour up. Minutes are zero-padded so a column of
 * durations aligns: 307 → "05:07", 3723 → "1:02:03".
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return NO_VALUE;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}:${pad2(m)}:${pad2(s)}` : `${pad2(m)}:${pad2(s)}`;
}

const clockFormats = new Map<string, Intl.DateTimeFormat>();

function clockFormat(withSeconds: boolean, timeZone: string | undefined): Intl.DateTimeFormat {
  const key = `${withSeconds}|${timeZone ?? ""}`;
  let format = clockFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(LOCALE, {
      hour: "2-digit",
      minute: "2-digit",
      ...(withSeconds ? { second: "2-digit" } : {}),
      hourCycle: "h23",
      ...(timeZone ? { timeZone } : {}),
    });
    clockFormats.set(key, format);
  }
  return format;
}

/** Epoch ms → "hh:mm" (24-hour), in the viewer's time zone unless one is given. */
export function formatClockMinute(epochMs: number, timeZone?: string): string {
  return Number.isFinite(epochMs) ? clockFormat(false, timeZone).format(epochMs) : NO_VALUE;
}

/** Epoch ms → "hh:mm:ss" (24-hour), in the viewer's time zone unless one is given. */
export function formatClockTime(epochMs: number, timeZone?: string): string {
  return Number.isFinite(epochMs) ? clockFormat(true, timeZone).format(epochMs) : NO_VALUE;
}

// ---------------------------------------------------------------------------------------------
// Days: UTC calendar days as "YYYY-MM-DD", the unit of the daily and retention tables.

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar day in `YYYY-MM-DD` form ("2026-02-30" is not one). */
export function isIsoDay(value: unknown): value is string {
  if (typeof value !== "string") return false;
  const match = ISO_DAY.exec(value);
  if (!match) return false;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** The UTC day containing an instant. */
export function toIsoDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** Midnight UTC of a day, epoch ms. */
export function isoDayToEpoch(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

/** ("2026-03-01", -1) → "2026-02-28". */
export function addDays(day: string, days: number): string {
  return toIsoDay(isoDayToEpoch(day) + days * DAY_MS);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((isoDayToEpoch(to) - isoDayToEpoch(from)) / DAY_MS);
}

export interface DayRange {
  /** First day, inclusive. */
  from: string;
  /** Last day, inclusive. */
  to: string;
}

/** The last `days` complete UTC days before the day containing `now`: today itself is excluded. */
export function lastFullDays(now: number, days: number): DayRange {
  const today = toIsoDay(now);
  return { from: addDays(today, -days), to: addDays(today, -1) };
}

/**
 * A day range from URL search parameters. Missing or malformed bounds fall back to the default
 * range; with one good bound the other keeps the default length; reversed bounds are swapped
 * rather than rejected, since a shared link should still show something sensible.
 */
export function resolveDayRange(
  params: { from?: string | string[] | undefined; to?: string | string[] | undefined },
  fallback: DayRange,
): DayRange {
  const pick = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  const from = pick(params.from);
  const to = pick(params.to);
  const span = daysBetween(fallback.from, fallback.to);
  let range: DayRange;
  if (isIsoDay(from) && isIsoDay(to)) range = { from, to };
  else if (isIsoDay(from)) range = { from, to: addDays(from, span) };
  else if (isIsoDay(to)) range = { from: addDays(to, -span), to };
  else range = fallback;
  return range.from <= range.to ? range : { from: range.to, to: range.from };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

function dayParts(day: string) {
  const date = new Date(isoDayToEpoch(day));
  return {
    year: date.getUTCFullYear(),
    month: MONTHS[date.getUTCMonth()] ?? "",
    date: date.getUTCDate(),
    weekday: WEEKDAYS[date.getUTCDay()] ?? "",
  };
}

/** "2026-11-03" → "Tue 3 Nov". */
export function formatDayShort(day: string): string {
  if (!isIsoDay(day)) return day;
  const p = dayParts(day);
  return `${p.weekday} ${p.date} ${p.month}`;
}

/** "2026-11-03" → "3 Nov 2026". */
function formatDay(day: string): string {
  if (!isIsoDay(day)) return day;
  const p = dayParts(day);
  return `${p.date} ${p.month} ${p.year}`;
}

/** An inclusive range in words, without repeating what both ends share: "3–9 Nov 2026". */
export function formatDayRange(range: DayRange): string {
  if (!isIsoDay(range.from) || !isIsoDay(range.to)) return `${range.from} – ${range.to}`;
  const a = dayParts(range.from);
  const b = dayParts(range.to);
  if (range.from === range.to) return formatDay(range.from);
  if (a.year !== b.year) return `${formatDay(range.from)} – ${formatDay(range.to)}`;
  if (a.month !== b.month) return `${a.date} ${a.month} – ${b.date} ${b.month} ${b.year}`;
  return `${a.date}–${b.date} ${b.month} ${b.year}`;
}
