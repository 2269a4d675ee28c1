"use client";

import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";
import { formatPercent } from "@/lib/format";
import type { RetentionRow } from "@/server/queries/get-retention";
import { pooledRetention } from "@/lib/retention/pooled";
import styles from "./retention.module.css";
import { AXIS_TICK } from "@/components/charts/axes";

/** Colour and dash per series, so lines differ without colour too. */
export const SERIES_STYLES = [
  { color: "var(--chart-line)", dash: undefined },
  { color: "var(--warn)", dash: "7 4" },
  { color: "var(--live)", dash: "2 3" },
  { color: "var(--bad)", dash: "10 3 2 3" },
  { color: "var(--muted)", dash: "4 4" },
] as const;

export interface CurveSeries {
  name: string;
  rows: RetentionRow[];
}

/**
 * Pooled retention by period since the first watch (from period 1: period 0 is 100% by
 * definition), one line per group: everyone, or each variant of an experiment.
 */
export function RetentionCurve({ series, maxPeriod, periodPrefix, periodName }: { series: CurveSeries[]; maxPeriod: number; periodPrefix: "D" | "W"; periodName: string }) {
  const data = Array.from({ length: maxPeriod }, (_, i) => {
    const n = i + 1;
    const point: Record<string, number | null> = { n };
    series.forEach((s, k) => (point[`s${k}`] = pooledRetention(s.rows, n).rate));
    return point;
  });
  const rates = data.flatMap((p) => series.map((_, k) => p[`s${k}`] ?? null)).filter((r): r is number => r !== null);
  const anyPoint = rates.length > 0;
  // Whole 5% steps (10% past 40%) up to just above the highest rate.
  const top = Math.max(0.05, ...rates);
  const stepSize = top > 0.4 ? 0.1 : 0.05;
  const ticks = Array.from({ length: Math.ceil(top / stepSize - 1e-9) + 1 }, (_, i) => Math.round(i * stepSize * 100) / 100);
  return (
    <figure className={styles.chart} data-testid="retention-curve" aria-label={`Retention by ${periodName} since the first watch, ${series.map((s) => s.name).join(", ")}`}>
      {anyPoint ? null : <p className={styles.chartEmpty}>No cohort has completed {periodPrefix}1 yet.</p>}
      <LineChart responsive style={{ width: "100%", height: "100%" }} data={data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }} accessibilityLayer>
        <CartesianGrid vertical={false} stroke="var(--chart-grid)" />
        <XAxis
          dataKey="n"
          tickFormatter={(n: number) => `${periodPrefix}${n}`}
          tick={AXIS_TICK}
          tickLine={false}
          axisLine={{ stroke: "var(--border-strong)" }}
          interval="preserveStartEnd"
        />
        <YAxis
          width={48}
          domain={[0, ticks.at(-1) ?? 1]}
          ticks={ticks}
          tickFormatter={(v: number) => formatPercent(v, 0)}
          tick={AXIS_TICK}
          tickLine={false}
          axisLine={false}
        />
        <Tooltip
          formatter={(value) => (typeof value === "number" ? formatPercent(value) : "–")}
          labelFormatter={(n) => `${periodPrefix}${n}`}
          isAnimationActive={false}
        />
        {series.length > 1 ? <Legend verticalAlign="top" height={28} iconType="plainline" /> : null}
        {series.map((s, k) => {
          const style = SERIES_STYLES[k % SERIES_STYLES.length]!;
          return (
            <Line
              key={s.name}
              type="monotone"
              dataKey={`s${k}`}
              name={s.name}
              stroke={style.color}
              strokeDasharray={style.dash}
              strokeWidth={2}
              dot={{ r: 2.5 }}
              connectNulls={false}
              isAnimationActive={false}
            />
          );
        })}
      </LineChart>
    </figure>
  );
}
