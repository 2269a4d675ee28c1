"use client";

import { Area, Bar, CartesianGrid, Cell, ComposedChart, ErrorBar, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis, type TooltipContentProps } from "recharts";
import type { ExperimentResults, MetricResult, VerdictWord } from "@/lib/api/results";
import { formatCompact, formatDayShort } from "@/lib/format";
import { VERDICT_LOOK, formatLevel, formatLift, formatLiftInterval, formatMetricValue, unitOf } from "./format";
import { seriesStyle, type SeriesStyle } from "./variant-style";
import styles from "./results.module.css";

const AXIS_TICK = { fill: "var(--muted)", fontSize: "0.78rem" } as const;
const VERDICT_COLOR: Readonly<Record<VerdictWord, string>> = { better: "var(--better)", worse: "var(--worse)", "not yet clear": "var(--unclear)" };

/** A short line in the series' colour and dash, as the charts draw it. */
function LineSwatch({ style }: { style: SeriesStyle }) {
  return (
    <svg width="26" height="10" aria-hidden="true" style={{ marginRight: "0.35rem", verticalAlign: "middle" }}>
      <line x1="1" y1="5" x2="25" y2="5" stroke={style.color} strokeWidth="3" strokeDasharray={style.dash} />
    </svg>
  );
}

function VariantLegend({ results, treatmentsOnly = false, band = false }: { results: ExperimentResults; treatmentsOnly?: boolean; band?: boolean }) {
  return (
    <ul className={styles.legend} aria-hidden="true">
      {results.variants.map((v, i) =>
        treatmentsOnly && v.key === results.controlKey ? null : (
          <li key={v.key}>
            <LineSwatch style={seriesStyle(i)} />
            {v.name}
            {v.key === results.controlKey ? " (control)" : ""}
          </li>
        ),
      )}
      {band ? (
        <li>
          <span className={styles.legendBand} style={{ background: "var(--series-1)" }} />
          {formatLevel(results.settings.confidence)} interval
        </li>
      ) : null}
    </ul>
  );
}

/** Axis percent (already × 100): "+2.5%", "−20%", "0%". */
const pct = (v: number) => `${v > 0 ? "+" : v < 0 ? "−" : ""}${Number(Math.abs(v).toFixed(Math.abs(v) < 10 ? 1 : 0))}%`;

// ---- Forest plot -----------------------------------------------------------------------------

interface ForestRow {
  label: string;
  metric: string;
  variant: string;
  /** Percent. */
  estimate: number;
  range: [number, number];
  verdict: VerdictWord;
}

function forestRows(results: ExperimentResults, metrics: MetricResult[]): ForestRow[] {
  const treatments = results.variants.filter((v) => v.key !== results.controlKey);
  return metrics.flatMap((m) =>
    m.comparisons.flatMap((c) => {
      const { estimate, lower, upper } = c.relative;
      if (![estimate, lower, upper].every((x) => typeof x === "number" && Number.isFinite(x))) return [];
      const variant = treatments.find((v) => v.key === c.variantKey)?.name ?? c.variantKey;
      return [{ label: treatments.length > 1 ? `${m.name} · ${variant}` : m.name, metric: m.name, variant, estimate: estimate * 100, range: [lower * 100, upper * 100] as [number, number], verdict: c.verdict }];
    }),
  );
}

function ForestTooltip({ active, payload }: TooltipContentProps) {
  const row = payload?.[0]?.payload as ForestRow | undefined;
  if (!active || !row) return null;
  return (
    <div className="chart-tooltip">
      <div className="chart-tooltip__time">
        {row.metric} · {row.variant}
      </div>
      <div>
        <strong className="num">{formatLift(row.estimate / 100)}</strong> ({formatLiftInterval(row.range[0] / 100, row.range[1] / 100)})
      </div>
      <div className="muted">{VERDICT_LOOK[row.verdict].label}</div>
    </div>
  );
}

/** One line per label (recharts would wrap "Watch time · Personalised artwork" mid-name). */
function ForestLabel({ x, y, payload }: { x?: number | string; y?: number | string; payload?: { value?: unknown } }) {
  return (
    <text x={Number(x)} y={Number(y)} dx={-6} dy={4} textAnchor="end" fill="var(--text)" fontSize="0.78rem">
      {String(payload?.value ?? "")}
    </text>
  );
}

/** Dot shape by verdict as well as colour: filled circle better, filled square worse, ring unclear. */
function ForestDot(props: { cx?: number; cy?: number; payload?: ForestRow }) {
  const { cx, cy, payload } = props;
  if (cx === undefined || cy === undefined || !payload) return <g />;
  const color = VERDICT_COLOR[payload.verdict];
  if (payload.verdict === "worse") return <rect x={cx - 5} y={cy - 5} width={10} height={10} fill={color} stroke="var(--surface)" strokeWidth={1} />;
  if (payload.verdict === "better") return <circle cx={cx} cy={cy} r={5.5} fill={color} stroke="var(--surface)" strokeWidth={1} />;
  return <circle cx={cx} cy={cy} r={4.5} fill="var(--surface)" stroke={color} strokeWidth={2} />;
}

/** An axis symmetric around 0 with round steps (1, 2, 2.5 or 5 × 10ⁿ), about three each side. */
function symmetricTicks(extent: number): { bound: number; ticks: number[] } {
  const raw = extent / 3;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const bound = Math.ceil(extent / step) * step;
  const ticks: number[] = [];
  for (let t = -bound; t <= bound + step / 2; t += step) ticks.push(Math.round(t * 1000) / 1000);
  return { bound, ticks };
}

/** Relative lift of every metric and variant: a point and its interval, against a line at no change. */
export function ForestPlot({ results, metrics }: { results: ExperimentResults; metrics: MetricResult[] }) {
  const rows = forestRows(results, metrics);
  const level = formatLevel(results.settings.confidence);
  const { bound, ticks } = symmetricTicks(Math.max(1, ...rows.flatMap((r) => [Math.abs(r.range[0]), Math.abs(r.range[1])])));
  const height = Math.max(150, rows.length * 38 + 62);
  return (
    <section className={`panel ${styles.chartPanel}`} aria-labelledby="forest-title">
      <h3 id="forest-title">Relative lift vs control, every metric</h3>
      <p className={styles.chartSub}>
        Dot: the estimate; bar: the {level} interval. A bar that crosses the 0 line is not yet clear. Blue ● better, orange ■ worse, grey ○ not yet clear.
      </p>
      <figure className={styles.chart} style={{ height }} data-testid="forest-plot" aria-label={`Forest plot of relative lift with ${level} intervals; the tables give the same numbers`}>
        {rows.length === 0 ? (
          <p className={styles.chartEmpty}>No comparisons yet.</p>
        ) : (
          <ComposedChart responsive layout="vertical" style={{ width: "100%", height: "100%" }} data={rows} margin={{ top: 20, right: 24, bottom: 4, left: 4 }} accessibilityLayer>
            <CartesianGrid horizontal={false} stroke="var(--chart-grid)" />
            <XAxis type="number" domain={[-bound, bound]} ticks={ticks} tickFormatter={pct} tick={AXIS_TICK} tickLine={false} axisLine={{ stroke: "var(--border-strong)" }} allowDataOverflow />
            <YAxis type="category" dataKey="label" width={250} tick={ForestLabel} tickLine={false} axisLine={false} interval={0} />
            <Tooltip content={ForestTooltip} cursor={{ fill: "var(--surface-2)" }} isAnimationActive={false} />
            <ReferenceLine x={0} stroke="var(--text)" strokeWidth={1.5} label={{ value: "no change", position: "top", fill: "var(--muted)", fontSize: 11 }} ifOverflow="extendDomain" />
            <Bar dataKey="range" barSize={6} radius={3} isAnimationActive={false}>
              {rows.map((r) => (
                <Cell key={r.label} fill={VERDICT_COLOR[r.verdict]} fillOpacity={r.verdict === "not yet clear" ? 0.55 : 0.9} />
              ))}
            </Bar>
            <Line dataKey="estimate" stroke="none" isAnimationActive={false} dot={(p) => <ForestDot key={String(p.key ?? p.index)} cx={p.cx} cy={p.cy} payload={p.payload as ForestRow | undefined} />} activeDot={false} />
          </ComposedChart>
        )}
      </figure>
    </section>
  );
}

const WHISKERS_UP_TO = 7;

// ---- Cumulative lift -------------------------------------------------------------------------

/** The primary metric's relative lift as it was known each day, with its interval band. */
export function CumulativeLiftChart({ results }: { results: ExperimentResults }) {
  const primary = results.metrics.find((m) => m.metricId === results.primaryMetric);
  const treatments = results.variants.map((v, i) => ({ ...v, style: seriesStyle(i) })).filter((v) => v.key !== results.controlKey);
  const data = results.cumulative.map((p) => {
    const point: Record<string, unknown> = { day: p.day };
    for (const v of treatments) {
      const l = p.lift[v.key];
      if (!l || ![l.estimate, l.lower, l.upper].every((x) => typeof x === "number" && Number.isFinite(x))) continue;
      point[`${v.key}:band`] = [l.lower * 100, l.upper * 100];
      point[`${v.key}:est`] = l.estimate * 100;
      point[`${v.key}:err`] = [(l.estimate - l.lower) * 100, (l.upper - l.estimate) * 100];
    }
    return point;
  });
  const level = formatLevel(results.settings.confidence);
  const name = primary?.name ?? results.primaryMetric;
  return (
    <section className={`panel ${styles.chartPanel}`} aria-labelledby="cumulative-title">
      <h3 id="cumulative-title">{name}: cumulative lift over time</h3>
      <p className={styles.chartSub}>
        Relative lift vs control as it stood at the end of each day, with its {level} interval{results.settings.sequential ? " (always-valid)" : ""}. Intervals narrow as users accumulate.
      </p>
      <VariantLegend results={results} treatmentsOnly band />
      <figure className={styles.chart} data-testid="cumulative-chart" data-points={data.length} aria-label={`Cumulative relative lift of ${name} per day, with intervals; the primary metric table gives today's numbers`}>
        {data.length === 0 ? (
          <p className={styles.chartEmpty}>No daily look yet.</p>
        ) : (
          <ComposedChart responsive style={{ width: "100%", height: "100%" }} data={data} margin={{ top: 8, right: 16, bottom: 0, left: 0 }} accessibilityLayer>
            <CartesianGrid vertical={false} stroke="var(--chart-grid)" />
            <XAxis dataKey="day" tickFormatter={formatDayShort} tick={AXIS_TICK} tickLine={false} axisLine={{ stroke: "var(--border-strong)" }} interval="preserveStartEnd" padding={{ left: 12, right: 12 }} />
            <YAxis width={52} tickFormatter={pct} tick={AXIS_TICK} tickLine={false} axisLine={false} />
            <Tooltip
              isAnimationActive={false}
              labelFormatter={(d) => formatDayShort(String(d))}
              formatter={(value, _name, item) => {
                if (Array.isArray(value)) return [`${pct(Number(value[0]))} to ${pct(Number(value[1]))}`, `${item.name}`];
                return [pct(Number(value)), `${item.name}`];
              }}
            />
            <ReferenceLine y={0} stroke="var(--text)" strokeWidth={1.5} ifOverflow="extendDomain" />
            {treatments.map((v) => (
              <Area key={`${v.key}:band`} dataKey={`${v.key}:band`} name={`${v.name}, ${level} interval`} type="linear" stroke="none" fill={v.style.color} fillOpacity={0.16} isAnimationActive={false} connectNulls activeDot={false} />
            ))}
            {treatments.map((v) => (
              <Line
                key={`${v.key}:est`}
                dataKey={`${v.key}:est`}
                name={`${v.name}, lift`}
                type="linear"
                stroke={v.style.color}
                strokeDasharray={v.style.dash}
                strokeWidth={2.5}
                dot={data.length <= 14 ? { r: 3.5, fill: v.style.color, strokeDasharray: "0" } : false}
                isAnimationActive={false}
                connectNulls
              >
                {/* With few days the band is a sliver (one day: nothing): whiskers show the interval. */}
                {data.length <= WHISKERS_UP_TO ? <ErrorBar dataKey={`${v.key}:err`} direction="y" width={8} stroke={v.style.color} strokeWidth={1.5} /> : null}
              </Line>
            ))}
          </ComposedChart>
        )}
      </figure>
    </section>
  );
}

// ---- Daily metric ----------------------------------------------------------------------------

const DAILY_UNIT_WORDS: Readonly<Record<ReturnType<typeof unitOf>, string>> = {
  minutes: "minutes per exposed user that day",
  count: "mean per exposed user that day",
  share: "rate among users exposed that many days before",
  "minutes per session": "minutes per session that day",
};

/** The primary metric on each day alone, per variant: novelty effects and bad days show here. */
export function DailyMetricChart({ results }: { results: ExperimentResults }) {
  const primary = results.metrics.find((m) => m.metricId === results.primaryMetric);
  const unit = unitOf(results.primaryMetric);
  const name = primary?.name ?? results.primaryMetric;
  const data = results.daily.map((d) => ({ day: d.day, ...d.values }));
  const variants = results.variants.map((v, i) => ({ ...v, style: seriesStyle(i) }));
  return (
    <section className={`panel ${styles.chartPanel}`} aria-labelledby="daily-title">
      <h3 id="daily-title">{name} per day, by variant</h3>
      <p className={styles.chartSub}>Each day on its own ({DAILY_UNIT_WORDS[unit]}), not cumulative.</p>
      <VariantLegend results={results} />
      <figure className={styles.chart} data-testid="daily-chart" data-points={data.length} aria-label={`${name} per day for each variant`}>
        {data.length === 0 ? (
          <p className={styles.chartEmpty}>No daily figures yet.</p>
        ) : (
          <LineChart responsive style={{ width: "100%", height: "100%" }} data={data} margin={{ top: 8, right: 16, bottom: 0, left: 0 }} accessibilityLayer>
            <CartesianGrid vertical={false} stroke="var(--chart-grid)" />
            <XAxis dataKey="day" tickFormatter={formatDayShort} tick={AXIS_TICK} tickLine={false} axisLine={{ stroke: "var(--border-strong)" }} interval="preserveStartEnd" padding={{ left: 12, right: 12 }} />
            <YAxis width={48} domain={[0, "auto"]} tickFormatter={(v: number) => (unit === "share" ? `${Number((v * 100).toFixed(1))}%` : formatCompact(v))} tick={AXIS_TICK} tickLine={false} axisLine={false} />
            <Tooltip isAnimationActive={false} labelFormatter={(d) => formatDayShort(String(d))} formatter={(value, itemName) => [formatMetricValue(Number(value), unit), String(itemName)]} />
            {variants.map((v) => (
              <Line
                key={v.key}
                dataKey={v.key}
                name={v.name}
                type="linear"
                stroke={v.style.color}
                strokeDasharray={v.style.dash}
                strokeWidth={2.5}
                dot={data.length <= 14 ? { r: 3.5, fill: v.style.color, strokeDasharray: "0" } : false}
                isAnimationActive={false}
                connectNulls
              />
            ))}
          </LineChart>
        )}
      </figure>
    </section>
  );
}
