"use client";

import { Bar, CartesianGrid, ComposedChart, Legend, Line, Tooltip, XAxis, YAxis } from "recharts";
import type { UserDay } from "@/lib/api/types";
import { addDays, daysBetween, formatDayShort, formatDecimal, formatInteger, type DayRange } from "@/lib/format";
import styles from "../../_components/users.module.css";
import { AXIS_TICK, DAY_X_AXIS } from "@/components/charts/axes";

/** Every day of the range, with zeros where the user did not watch (the API lists active days only). */
export function fillDays(range: DayRange, days: UserDay[]): { day: string; watchMinutes: number; distinctTitles: number; sessions: number }[] {
  const byDay = new Map(days.map((d) => [d.day, d]));
  return Array.from({ length: daysBetween(range.from, range.to) + 1 }, (_, i) => {
    const day = addDays(range.from, i);
    const d = byDay.get(day);
    return { day, watchMinutes: (d?.watchSeconds ?? 0) / 60, distinctTitles: d?.distinctTitles ?? 0, sessions: d?.sessions ?? 0 };
  });
}

/** The seed's "daily watch time per user": watch minutes as bars, distinct titles as a line. */
export function UserDailyChart({ range, days }: { range: DayRange; days: UserDay[] }) {
  const data = fillDays(range, days);
  const total = data.reduce((sum, d) => sum + d.watchMinutes, 0);
  return (
    <figure
      className={styles.chart}
      data-testid="user-daily-chart"
      data-points={data.length}
      aria-label={`Watch minutes and distinct titles per day, ${formatInteger(total)} minutes on ${days.length} active days; the table below lists each day`}
    >
      <ComposedChart responsive style={{ width: "100%", height: "100%" }} data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer>
        <CartesianGrid vertical={false} stroke="var(--chart-grid)" />
        <XAxis {...DAY_X_AXIS} />
        <YAxis yAxisId="minutes" width={48} tick={AXIS_TICK} tickLine={false} axisLine={false} />
        <YAxis yAxisId="titles" orientation="right" width={36} allowDecimals={false} tick={AXIS_TICK} tickLine={false} axisLine={false} />
        <Tooltip labelFormatter={(d) => formatDayShort(String(d))} formatter={(v) => formatDecimal(Number(v), 0)} isAnimationActive={false} />
        <Legend verticalAlign="top" height={28} itemSorter={null} />
        <Bar yAxisId="minutes" dataKey="watchMinutes" name="Watch minutes" fill="var(--chart-line)" fillOpacity={0.45} radius={[3, 3, 0, 0]} isAnimationActive={false} />
        <Line yAxisId="titles" type="linear" dataKey="distinctTitles" name="Distinct titles" stroke="var(--warn)" strokeWidth={2} dot={data.length <= 31 ? { r: 2.5 } : false} isAnimationActive={false} />
      </ComposedChart>
    </figure>
  );
}

/** The chart's figures, for screen readers and for reading exact values. */
export function UserDaysTable({ days }: { days: UserDay[] }) {
  return (
    <details>
      <summary>Show the active days as a table</summary>
      <div className="table-scroll">
        <table className="data-table" data-testid="user-days">
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col" className="num">
                Watch minutes
              </th>
              <th scope="col" className="num">
                Watches
              </th>
              <th scope="col" className="num">
                Distinct titles
              </th>
              <th scope="col" className="num">
                Sessions
              </th>
              <th scope="col" className="num">
                Likes
              </th>
              <th scope="col" className="num">
                Searches
              </th>
              <th scope="col" className="num">
                Ratings
              </th>
            </tr>
          </thead>
          <tbody>
            {[...days].reverse().map((d) => (
              <tr key={d.day}>
                <th scope="row">{formatDayShort(d.day)}</th>
                <td className="num">{formatInteger(d.watchSeconds / 60)}</td>
                <td className="num">{formatInteger(d.watchCount)}</td>
                <td className="num">{formatInteger(d.distinctTitles)}</td>
                <td className="num">{formatInteger(d.sessions)}</td>
                <td className="num">{formatInteger(d.likes)}</td>
                <td className="num">{formatInteger(d.searches)}</td>
                <td className="num">{formatInteger(d.ratings)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
