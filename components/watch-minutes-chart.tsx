"use client";

import { useId } from "react";
import { Area, AreaChart, CartesianGrid, Tooltip, XAxis, YAxis, type TooltipContentProps } from "recharts";
import type { MinutePoint } from "@/lib/live/contract";
import { formatClockMinute, formatCompact, formatInteger } from "@/lib/format";
import { AXIS_TICK } from "@/components/charts/axes";

const TICK_EVERY_MS = 10 * 60_000;

/** Ticks on whole ten minutes (10:20, 10:30…) rather than wherever the window happens to start. */
function tenMinuteTicks(series: MinutePoint[]): number[] {
  const first = series[0]?.minute;
  const last = series.at(-1)?.minute;
  if (first === undefined || last === undefined) return [];
  const ticks: number[] = [];
  for (let t = Math.ceil(first / TICK_EVERY_MS) * TICK_EVERY_MS; t <= last; t += TICK_EVERY_MS) ticks.push(t);
  return ticks;
}

function ChartTooltip({ active, payload }: TooltipContentProps) {
  const point = payload?.[0]?.payload as MinutePoint | undefined;
  if (!active || !point) return null;
  return (
    <div className="chart-tooltip">
      <div className="chart-tooltip__time num">{formatClockMinute(point.minute)}</div>
      <div>
        <strong className="num">{formatInteger(point.watchMinutes)}</strong> watch minutes
      </div>
      <div className="muted">
        <span className="num">{formatInteger(point.events)}</span> events
      </div>
    </div>
  );
}

export interface WatchMinutesChartProps {
  /** One point per minute, oldest first. */
  series: MinutePoint[];
}

/**
 * Watch minutes per event-time minute. Fills its container (give it a height); updates once a
 * second, so it never animates.
 */
export function WatchMinutesChart({ series }: WatchMinutesChartProps) {
  const gradientId = `watch-fill-${useId().replace(/:/g, "")}`;
  const total = series.reduce((sum, p) => sum + p.watchMinutes, 0);
  return (
    <figure className="watch-chart" data-testid="watch-chart" data-points={series.length}>
      {total === 0 ? <p className="watch-chart__empty">No watch events in the last hour.</p> : null}
      <AreaChart
        responsive
        className="watch-chart__plot"
        style={{ width: "100%", height: "100%" }}
        data={series}
        margin={{ top: 8, right: 12, bottom: 0, left: 0 }}
        accessibilityLayer
      >
        <defs>
          <linearGradient id={gradientId} x1="0" y1="0" x2="0" y2="1">
            <stop offset="0%" stopColor="var(--chart-line)" stopOpacity={0.28} />
            <stop offset="100%" stopColor="var(--chart-line)" stopOpacity={0.02} />
          </linearGradient>
        </defs>
        <CartesianGrid vertical={false} stroke="var(--chart-grid)" />
        <XAxis
          dataKey="minute"
          type="number"
          scale="time"
          domain={["dataMin", "dataMax"]}
          ticks={tenMinuteTicks(series)}
          tickFormatter={(t: number) => formatClockMinute(t)}
          tick={AXIS_TICK}
          tickLine={false}
          axisLine={{ stroke: "var(--border-strong)" }}
        />
        <YAxis
          width={52}
          allowDecimals={false}
          tickFormatter={(v: number) => formatCompact(v)}
          tick={AXIS_TICK}
          tickLine={false}
          axisLine={false}
        />
        <Tooltip content={ChartTooltip} cursor={{ stroke: "var(--border-strong)" }} isAnimationActive={false} />
        <Area
          type="monotone"
          dataKey="watchMinutes"
          name="Watch minutes"
          stroke="var(--chart-line)"
          strokeWidth={2}
          fill={`url(#${gradientId})`}
          isAnimationActive={false}
          dot={false}
          activeDot={{ r: 4 }}
        />
      </AreaChart>
      <figcaption className="visually-hidden">
        Watch minutes per minute over the last {series.length} minutes, {formatInteger(total)} in total.
      </figcaption>
    </figure>
  );
}
