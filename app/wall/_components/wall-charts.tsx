"use client";

import { useLayoutEffect, useRef, useState, type ReactNode, type RefObject } from "react";
import { Area, AreaChart, CartesianGrid, Line, LineChart, XAxis, YAxis } from "recharts";
import type { MinutePoint, RetentionPoint } from "@/lib/live/contract";
import { formatClockMinute, formatCompact, formatDayShort, isoDayToEpoch } from "@/lib/format";
import type { SlidingPoint } from "./wall-config";

// Charts redraw once a second on a screen nobody interacts with: no animation, no tooltips.
const QUARTER_HOUR = 15 * 60_000;

/**
 * The chart's font size in px. Recharts sizes axes in px, so axis room has to follow the wall's
 * type scale (24 px at 1080p, 48 px at 4K) or the labels are clipped on a big screen.
 */
function useFontPx(ref: RefObject<HTMLElement | null>): number {
  const [px, setPx] = useState(16);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setPx(parseFloat(getComputedStyle(el).fontSize) || 16);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  return px;
}

function ChartFrame({ children }: { children: (fontPx: number) => ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const px = useFontPx(ref);
  return (
    <div ref={ref} style={{ width: "100%", height: "100%" }}>
      {children(px)}
    </div>
  );
}

const tick = (px: number) => ({ fill: "var(--wall-muted)", fontSize: Math.round(px * 0.8) });

function quarterHourTicks(points: readonly { minute: number }[]): number[] {
  const first = points[0]?.minute;
  const last = points.at(-1)?.minute;
  if (first === undefined || last === undefined) return [];
  const ticks: number[] = [];
  // None in the first minutes: a label there would run into the y axis's labels.
  for (let t = Math.ceil((first + 4 * 60_000) / QUARTER_HOUR) * QUARTER_HOUR; t <= last; t += QUARTER_HOUR) ticks.push(t);
  return ticks;
}

/** Watch minutes per minute, 5-minute sliding window, the last hour. */
export function SlidingWatchChart({ points }: { points: SlidingPoint[] }) {
  return <ChartFrame>{(px) => <SlidingWatchPlot points={points} px={px} />}</ChartFrame>;
}

function SlidingWatchPlot({ points, px }: { points: SlidingPoint[]; px: number }) {
  return (
    <AreaChart responsive style={{ width: "100%", height: "100%" }} data={points} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
      <defs>
        <linearGradient id="wall-watch-fill" x1="0" y1="0" x2="0" y2="1">
          <stop offset="0%" stopColor="var(--wall-accent)" stopOpacity={0.45} />
          <stop offset="100%" stopColor="var(--wall-accent)" stopOpacity={0.03} />
        </linearGradient>
      </defs>
      <CartesianGrid vertical={false} stroke="var(--wall-grid)" />
      <XAxis
        dataKey="minute"
        type="number"
        scale="time"
        domain={["dataMin", "dataMax"]}
        ticks={quarterHourTicks(points)}
        tickFormatter={(t: number) => formatClockMinute(t)}
        tick={tick(px)}
        height={Math.round(px * 1.5)}
        tickLine={false}
        axisLine={{ stroke: "var(--wall-grid-strong)" }}
      />
      <YAxis width="auto" allowDecimals={false} tickFormatter={(v: number) => formatCompact(v)} tick={tick(px)} tickLine={false} axisLine={false} />
      <Area
        type="monotone"
        dataKey="perMinute"
        stroke="var(--wall-accent)"
        strokeWidth={3}
        fill="url(#wall-watch-fill)"
        isAnimationActive={false}
        dot={false}
      />
    </AreaChart>
  );
}

/** Events per second, minute by minute over the last hour: a shape, no axes. */
export function EventsSparkline({ series }: { series: MinutePoint[] }) {
  const data = series.slice(0, -1).map((p) => ({ minute: p.minute, perSec: p.events / 60 }));
  return (
    <AreaChart responsive style={{ width: "100%", height: "100%" }} data={data} margin={{ top: 4, right: 0, bottom: 0, left: 0 }}>
      <YAxis hide domain={[0, "dataMax"]} />
      <Area type="monotone" dataKey="perSec" stroke="var(--wall-accent)" strokeWidth={2} fill="var(--wall-accent-soft)" isAnimationActive={false} dot={false} />
    </AreaChart>
  );
}

const DAY = 86_400_000;
const WEEK = 7 * DAY;

/** D1 and D7 retention by first-watch cohort day. */
export function RetentionTrendChart({ points }: { points: RetentionPoint[] }) {
  return <ChartFrame>{(px) => <RetentionTrendPlot points={points} px={px} />}</ChartFrame>;
}

function RetentionTrendPlot({ points, px }: { points: RetentionPoint[]; px: number }) {
  const data = points.map((p) => ({
    day: isoDayToEpoch(p.cohort),
    d1: p.d1 === null ? null : p.d1 * 100,
    d7: p.d7 === null ? null : p.d7 * 100,
  }));
  // Weekly from the oldest cohort, and none in the last two days, where a label would be clipped.
  const first = data[0]?.day;
  const last = data.at(-1)?.day;
  const ticks =
    first === undefined || last === undefined ? [] : [0, 1, 2, 3, 4].map((w) => first + w * WEEK).filter((t) => t === first || t <= last - 2 * DAY);
  return (
    <LineChart responsive style={{ width: "100%", height: "100%" }} data={data} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
      <CartesianGrid vertical={false} stroke="var(--wall-grid)" />
      <XAxis
        dataKey="day"
        type="number"
        scale="time"
        domain={["dataMin", "dataMax"]}
        ticks={ticks}
        tickFormatter={(t: number) => formatDayShort(new Date(t).toISOString().slice(0, 10)).replace(/^\w+ /, "")}
        tick={tick(px)}
        height={Math.round(px * 1.5)}
        padding={{ left: 2 * px, right: px }}
        tickLine={false}
        axisLine={{ stroke: "var(--wall-grid-strong)" }}
      />
      <YAxis width="auto" domain={[0, 100]} ticks={[0, 50, 100]} tickFormatter={(v: number) => `${v}%`} tick={tick(px)} tickLine={false} axisLine={false} />
      {/* Dots: a young installation has only a cohort or two, and a line needs two points. */}
      <Line type="monotone" dataKey="d1" stroke="var(--wall-accent)" strokeWidth={3} dot={{ r: px / 5, fill: "var(--wall-accent)", strokeWidth: 0 }} connectNulls={false} isAnimationActive={false} />
      <Line type="monotone" dataKey="d7" stroke="var(--wall-second)" strokeWidth={3} dot={{ r: px / 5, fill: "var(--wall-second)", strokeWidth: 0 }} connectNulls={false} isAnimationActive={false} />
    </LineChart>
  );
}
