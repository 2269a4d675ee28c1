import type { CSSProperties } from "react";
import type { RetentionCohort } from "@/lib/api/types";
import { formatDayShort, formatInteger, formatPercent } from "@/lib/format";
import { cellKind } from "@/lib/retention/pooled";

/** Colour steps; text colour flips per step in CSS so every cell keeps ≥ 4.5:1 contrast. */
const STEPS = 10;

export interface RetentionHeatmapProps {
  cohorts: RetentionCohort[];
  maxDay: number;
  /** Today (UTC), to tell days not reached yet from days nobody came back. */
  today: string;
}

/**
 * Cohorts (first watch day) down, days since first watch across; each cell is the share of the
 * cohort that watched on that day. Colour is scaled to the highest complete D1+ value so the
 * interesting range isn't washed out by D0's 100%.
 */
export function RetentionHeatmap({ cohorts, maxDay, today }: RetentionHeatmapProps) {
  const days = Array.from({ length: maxDay + 1 }, (_, n) => n);
  let scaleMax = 0;
  for (const c of cohorts) {
    for (let n = 1; n <= maxDay; n++) {
      const r = c.retained[n];
      if (r !== undefined && c.size > 0 && cellKind(c.cohort, n, today) !== "future") {
        scaleMax = Math.max(scaleMax, r / c.size);
      }
    }
  }
  scaleMax = Math.max(scaleMax, 0.01);
  const step = (rate: number) => Math.min(STEPS, Math.max(0, Math.round((rate / scaleMax) * STEPS)));

  return (
    <div className="heatmap">
      <div className="table-scroll">
        <table className="heatmap__table" data-testid="retention-heatmap">
          <thead>
            <tr>
              <th scope="col" className="heatmap__cohort">
                Cohort
              </th>
              <th scope="col" className="num">
                Users
              </th>
              {days.map((n) => (
                <th key={n} scope="col" className="num heatmap__day">
                  D{n}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {cohorts.map((c) => (
              <tr key={c.cohort} data-cohort={c.cohort}>
                <th scope="row" className="heatmap__cohort num">
                  {formatDayShort(c.cohort)}
                </th>
                <td className="num heatmap__size">{formatInteger(c.size)}</td>
                {days.map((n) => {
                  const kind = cellKind(c.cohort, n, today);
                  const retained = c.retained[n];
                  if (kind === "future" || retained === undefined || c.size === 0) {
                    return <td key={n} className="heat heat--none" title="Not reached yet" />;
                  }
                  const rate = retained / c.size;
                  const s = n === 0 ? 0 : step(rate);
                  const label = `${formatDayShort(c.cohort)} cohort, day ${n}: ${formatInteger(retained)} of ${formatInteger(c.size)} (${formatPercent(rate)})${kind === "partial" ? ", day in progress" : ""}`;
                  return (
                    <td
                      key={n}
                      className={`heat num heat-${s}${n === 0 ? " heat--base" : ""}${kind === "partial" ? " heat--partial" : ""}`}
                      style={{ "--heat": s / STEPS } as CSSProperties}
                      title={label}
                      data-day={n}
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
          <span className="heat heat--partial heat-3 heatmap__swatch" style={{ "--heat": 0.3 } as CSSProperties} /> day in progress
          · blank: not reached yet
        </span>
      </div>
    </div>
  );
}
