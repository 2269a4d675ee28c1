"use client";

import { Bar, CartesianGrid, ComposedChart, Legend, Line, Tooltip, XAxis, YAxis } from "recharts";
import { formatCompact, formatDayShort, formatInteger } from "@/lib/format";
import type { TitleDay } from "@/server/queries/get-title-detail";
import styles from "../../_components/titles.module.css";
import { AXIS_TICK, DAY_X_AXIS } from "@/components/charts/axes";

/**
 * Watch minutes per day as bars (left axis), views and unique viewers as lines (right axis): the
 * two kinds of figure differ by an order of magnitude, so they get their own scales.
 */
export function TitleCurve({ days }: { days: TitleDay[] }) {
  const data = days.map((d) => ({ ...d, watchMinutes: d.watchSeconds / 60 }));
  const totalMinutes = data.reduce((sum, d) => sum + d.watchMinutes, 0);
  return (
    <figure
      className={styles.curve}
      data-testid="title-curve"
      data-points={days.length}
      aria-label={`Daily watch minutes, views and unique viewers over ${days.length} days, ${formatInteger(totalMinutes)} watch minutes in total; the table below lists each day`}
    >
      <ComposedChart responsive style={{ width: "100%", height: "100%" }} data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer>
        <CartesianGrid vertical={false} stroke="var(--chart-grid)" />
        <XAxis {...DAY_X_AXIS} />
        <YAxis
          yAxisId="minutes"
          width={56}
          tickFormatter={(v: number) => formatCompact(v)}
          tick={AXIS_TICK}
          tickLine={false}
          axisLine={false}
          label={{ value: "watch min", angle: -90, position: "insideLeft", fill: "var(--muted)", fontSize: 12, dy: 30 }}
        />
        <YAxis
          yAxisId="people"
          orientation="right"
          width={48}
          allowDecimals={false}
          tickFormatter={(v: number) => formatCompact(v)}
          tick={AXIS_TICK}
          tickLine={false}
          axisLine={false}
          label={{ value: "views, viewers", angle: 90, position: "insideRight", fill: "var(--muted)", fontSize: 12, dy: -40 }}
        />
        <Tooltip
          labelFormatter={(d) => formatDayShort(String(d))}
          formatter={(value) => formatInteger(Number(value))}
          isAnimationActive={false}
        />
        <Legend verticalAlign="top" height={28} itemSorter={null} />
        <Bar yAxisId="minutes" dataKey="watchMinutes" name="Watch minutes" fill="var(--chart-line)" fillOpacity={0.35} radius={[3, 3, 0, 0]} isAnimationActive={false} />
        <Line yAxisId="people" type="linear" dataKey="views" name="Views" stroke="var(--warn)" strokeWidth={2} dot={days.length <= 31 ? { r: 2.5 } : false} isAnimationActive={false} />
        <Line
          yAxisId="people"
          type="linear"
          dataKey="uniqueViewers"
          name="Unique viewers"
          stroke="var(--live)"
          strokeDasharray="6 3"
          strokeWidth={2}
          dot={days.length <= 31 ? { r: 2.5 } : false}
          isAnimationActive={false}
        />
      </ComposedChart>
    </figure>
  );
}
