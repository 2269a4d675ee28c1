"use client";

import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from "recharts";
import { formatClockMinute, formatDecimal, formatInteger } from "@/lib/format";
import type { UserWindowsResponse } from "./use-user-queries";
import styles from "../../_components/users.module.css";

/** Watch minutes per 5-minute window over the last hour, and the newest window's figures. */
export function LiveWindows({ data }: { data: UserWindowsResponse }) {
  const points = data.windows.map((w) => ({ start: w.windowStart, watchMinutes: w.watchSeconds / 60, watches: w.watchCount, titles: w.distinctTitles }));
  const latest = data.windows.at(-1);
  const active = points.filter((p) => p.watches > 0).length;
  return (
    <div data-testid="user-live-windows">
      {latest ? (
        <p className={styles.note}>
          Newest window ({formatClockMinute(latest.windowStart)}–{formatClockMinute(latest.windowStart + data.windowMinutes * 60_000)}):{" "}
          <strong className="num">{formatInteger(latest.watchCount)}</strong> watches,{" "}
          <strong className="num">{formatDecimal(latest.watchSeconds / 60, 1)}</strong> watch minutes,{" "}
          <strong className="num">{formatInteger(latest.distinctTitles)}</strong> distinct titles.
        </p>
      ) : null}
      {active === 0 ? (
        <p className="panel__empty">No watch in the last hour.</p>
      ) : (
        <figure className={styles.smallChart} aria-label={`Watch minutes per ${data.windowMinutes}-minute window over the last hour; ${active} windows with watching`}>
          <BarChart responsive style={{ width: "100%", height: "100%" }} data={points} margin={{ top: 8, right: 4, bottom: 0, left: 0 }} accessibilityLayer>
            <CartesianGrid vertical={false} stroke="var(--chart-grid)" />
            <XAxis
              dataKey="start"
              tickFormatter={(t: number) => formatClockMinute(t)}
              tick={{ fill: "var(--muted)", fontSize: "0.75rem" }}
              tickLine={false}
              axisLine={{ stroke: "var(--border-strong)" }}
              minTickGap={30}
            />
            <YAxis width={32} tick={{ fill: "var(--muted)", fontSize: "0.75rem" }} tickLine={false} axisLine={false} />
            <Tooltip labelFormatter={(t) => `window from ${formatClockMinute(Number(t))}`} formatter={(v) => formatDecimal(Number(v), 1)} isAnimationActive={false} />
            <Bar dataKey="watchMinutes" name="Watch minutes" fill="var(--live)" fillOpacity={0.6} isAnimationActive={false} />
          </BarChart>
        </figure>
      )}
      <p className={styles.note}>
        {data.windowMinutes}-minute windows sliding every {data.slideMinutes} minute, by event time, held in memory by the live view.
      </p>
    </div>
  );
}
