/**
 * Axis settings the dashboard's recharts charts share, so every chart reads alike: muted small
 * ticks, and a day axis labelled "Mon 16 Nov" that thins its labels as the range grows.
 */
import { formatDayShort } from "@/lib/format";

export const AXIS_TICK = { fill: "var(--muted)", fontSize: "0.8rem" } as const;

/** Spread on an <XAxis> over rows keyed by `day` (YYYY-MM-DD). */
export const DAY_X_AXIS = {
  dataKey: "day",
  tickFormatter: (d: string) => formatDayShort(d),
  tick: AXIS_TICK,
  tickLine: false,
  axisLine: { stroke: "var(--border-strong)" },
  interval: "preserveStartEnd",
  minTickGap: 24,
} as const;
