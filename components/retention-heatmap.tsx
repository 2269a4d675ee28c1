import type { CSSProperties } from "react";
import { formatInteger, formatPercent } from "@/lib/format";

/** Colour steps; text colour flips per step in CSS so every cell keeps ≥ 4.5:1 contrast. */
const STEPS = 10;

/** One cohort row, as GET /api/retention returns it. */
export interface HeatmapCohort {
  /** First day of the cohort (YYYY-MM-DD). */
  cohort: string;
  size: number;
  /** retained[n] = users of the cohort active in period n; periods not begun yet are absent. */
  retained: number[];
  /** Leading periods that are over; later listed ones are still filling up. */
  complete: number;
}

export type HeatmapCellKind = "complete" | "partial" | "future";

export function heatmapCellKind(row: HeatmapCohort, n: number): HeatmapCellKind {
  return n < row.complete ? "complete" : n < row.retained.length ? "partial" : "future";
}

export interface RetentionHeatmapProps {
  rows: HeatmapCohort[];
  /** The last period column (D0…D30, W0…W8). */
  maxPeriod: number;
  /** Column prefix: "D" for days since the first watch, "W" for weeks. */
  periodPrefix: "D" | "W";
  /** The row heading of a cohort: "Tue 3 Nov", "Week of 2 Nov". */
  cohortLabel: (cohort: string) => string;
  /** The period in words for cell descriptions: "day", "week". */
  periodName: string;
  testId?: string;
}

/**
 * Cohorts down, periods since the first watch across; each cell is the share of the cohort that
 * watched in that period. Colour is scaled to the highest complete period-1+ value so the
 * interesting range isn't washed out by period 0's 100%. Every cell carries its figures in words
 * (title) and its figure as text, so the table reads without the colours.
 */
export function RetentionHeatmap({ rows, maxPeriod, periodPrefix, cohortLabel, periodName, testId = "retention-heatmap" }: RetentionHeatmapProps) {
  const periods = Array.from({ length: maxPeriod + 1 }, (_, n) => n);
  let scaleMax = 0;
  for (const row of rows) {
    for (let n = 1; n < row.complete; n++) {
      if (row.size > 0) scaleMax = Math.max(scaleMax, (row.retained[n] ?? 0) / row.size);
    }
  }
  scaleMax = Math.max(scaleMax, 0.01);
  const step = (rate: number) => Math.min(STEPS, Math.max(0, Math.round((rate / scaleMax) * STEPS)));

  return (
    <div className="heatmap">
      <div className="table-scroll">
        <table className="heatmap__table" data-testid={testId}>
          <thead>
            <tr>
              <th scope="col" className="heatmap__cohort">
                Cohort
              </th>
              <th scope="col" className="num">
                Users
              </th>
              {periods.map((n) => (
                <th key={n} scope="col" className="num heatmap__day">
                  {periodPrefix}
                  {n}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.cohort} data-cohort={row.cohort}>
                <th scope="row" className="heatmap__cohort num">
                  {cohortLabel(row.cohort)}
                </th>
                <td className="num heatmap__size">{formatInteger(row.size)}</td>
                {periods.map((n) => {
                  const kind = heatmapCellKind(row, n);
                  const retained = row.retained[n];
                  if (kind === "future" || retained === undefined || row.size === 0) {
                    return <td key={n} className="heat heat--none" title="Not reached yet" />;
                  }
                  const rate = retained / row.size;
                  const s = n === 0 ? 0 : step(rate);
                  const label = `${cohortLabel(row.cohort)} cohort, ${periodName} ${n}: ${formatInteger(retained)} of ${formatInteger(row.size)} (${formatPercent(rate)})${kind === "partial" ? `, ${periodName} in progress` : ""}`;
                  return (
                    <td
                      key={n}
                      className={`heat num heat-${s}${n === 0 ? " heat--base" : ""}${kind === "partial" ? " heat--partial" : ""}`}
                      style={{ "--heat": s / STEPS } as CSSProperties}
                      title={label}
                      data-day={n}
                      data-retained={retained}
                      data-rate={rate.toFixed(4)}
                    >
                      {formatPercent(rate, n === 0 ? 0 : 1)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="heatmap__legend" aria-hidden="true">
        <span className="num">0%</span>
        <span className="heatmap__scale">
          {Array.from({ length: STEPS + 1 }, (_, s) => (
            <span key={s} className={`heat heat-${s}`} style={{ "--heat": s / STEPS } as CSSProperties} />
          ))}
        </span>
        <span className="num">{formatPercent(scaleMax, 0)}</span>
        <span className="heatmap__legend-note">
          <span className="heat heat--partial heat-3 heatmap__swatch" style={{ "--heat": 0.3 } as CSSProperties} /> {periodName} in
          progress · blank: not reached yet
        </span>
      </div>
    </div>
  );
}
