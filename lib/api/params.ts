import { z } from "zod";

const DAY_MS = 86_400_000;

/** A UTC calendar day, YYYY-MM-DD, that really exists. */
export const daySchema = z.string().superRefine((s, ctx) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) ctx.addIssue({ code: "custom", message: "must be a day as YYYY-MM-DD" });
  else if (Number.isNaN(Date.parse(`${s}T00:00:00Z`)) || !new Date(`${s}T00:00:00Z`).toISOString().startsWith(s)) {
    ctx.addIssue({ code: "custom", message: "is not a calendar day" });
  }
});

/** Spread into a query schema: an optional inclusive day range. */
export const dayRangeShape = { from: daySchema.optional(), to: daySchema.optional() };

export interface DayRangeOptions {
  defaultDays: number;
  maxDays: number;
  /** Today as YYYY-MM-DD (UTC). */
  today: string;
}

/**
 * Fills in a day range's defaults (`to` = today, `from` = `defaultDays - 1` days before `to`) and
 * checks it, reporting problems on the zod context. Use inside `.transform`.
 */
export function withDayRange<T extends { from?: string; to?: string }>(
  query: T,
  options: DayRangeOptions,
  ctx: z.RefinementCtx,
): Omit<T, "from" | "to"> & { from: string; to: string } {
  const to = query.to ?? options.today;
  const from = query.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - (options.defaultDays - 1) * DAY_MS).toISOString().slice(0, 10);
  if (from > to) ctx.addIssue({ code: "custom", path: ["from"], message: "must not be after to" });
  else if ((Date.parse(to) - Date.parse(from)) / DAY_MS >= options.maxDays) {
    ctx.addIssue({ code: "custom", path: ["from"], message: `the range may span at most ${options.maxDays} days` });
  }
  return { ...query, from, to };
}

/** Postgres text cannot hold NUL (U+0000): input carrying one is refused at the boundary. */
export const hasNul = (s: string): boolean => s.includes("\u0000");

/** A user or title id as it arrives in a path: 1–128 characters, no NUL. */
export const pathIdSchema = z
  .string()
  .trim()
  .min(1)
  .max(128)
  .refine((s) => !hasNul(s), "must not contain a NUL character");
export const userIdSchema = pathIdSchema;

/** A dynamic path segment percent-decoded once; null when it is not valid percent-encoding. */
export function decodePathParam(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

export const utcToday = (nowMs: number) => new Date(nowMs).toISOString().slice(0, 10);
