"use client";

import { usePathname, useRouter } from "next/navigation";
import { useState } from "react";
import { DataState, SkeletonRows } from "@/components/data-state";
import { DateRangePicker } from "@/components/date-range-picker";
import { RetentionHeatmap } from "@/components/retention-heatmap";
import { StatTile } from "@/components/stat-tile";
import { addDays, formatDayRange, formatDayShort, formatInteger, formatPercent, NO_VALUE } from "@/lib/format";
import type { RetentionReport as Report, RetentionRow } from "@/server/queries/get-retention";
import { pooledRetention } from "@/lib/retention/pooled";
import { RetentionCurve, SERIES_STYLES, type CurveSeries } from "./retention-curve";
import styles from "./retention.module.css";
import { useRetentionReport, useSplittableExperiments, type RetentionFilters } from "./use-retention-report";

/** The headline periods: D1/D7/D30 for daily cohorts, W1/W2/W4 for weekly ones. */
const KEY_PERIODS = { day: [1, 7, 30], week: [1, 2, 4] } as const;

const WORDS = {
  day: { prefix: "D", period: "day", periodly: "daily", cohort: "first watch day" },
  week: { prefix: "W", period: "week", periodly: "weekly", cohort: "week of first watch (Monday to Sunday)" },
} as const;

function toSearch(f: RetentionFilters): string {
  const params = new URLSearchParams({ from: f.range.from, to: f.range.to, grain: f.grain });
  if (f.experiment) params.set("experiment", f.experiment);
  return params.toString();
}

function KeyPeriodTiles({ report, rows }: { report: Report; rows: RetentionRow[] }) {
  const words = WORDS[report.grain];
  const users = rows.reduce((sum, r) => sum + r.size, 0);
  return (
    <div className="tiles tiles--summary" data-testid="retention-summary">
      <StatTile
        label={report.experiment ? "Assigned new users" : "New users"}
        value={formatInteger(users)}
        rawValue={users}
        hint={`${rows.length} ${words.periodly} ${rows.length === 1 ? "cohort" : "cohorts"}`}
        testId="retention-new-users"
      />
      {KEY_PERIODS[report.grain].map((n) => {
        const r = pooledRetention(rows, n);
        return (
          <StatTile
            key={n}
            testId={`retention-${words.prefix.toLowerCase()}${n}`}
            label={`${words.prefix}${n} retention`}
            value={r.rate === null ? NO_VALUE : formatPercent(r.rate)}
            rawValue={r.rate}
            hint={
              r.rate === null
                ? n > report.maxPeriod
                  ? `beyond the last column, ${words.prefix}${report.maxPeriod}`
                  : `no cohort has completed ${words.period} ${n} yet`
                : `${formatInteger(r.retained)} of ${formatInteger(r.users)} users, ${r.cohorts} ${r.cohorts === 1 ? "cohort" : "cohorts"}`
            }
          />
        );
      })}
    </div>
  );
}

/** The curve's figures at the key periods, per group: the chart's text alternative. */
function KeyPeriodTable({ series, report }: { series: CurveSeries[]; report: Report }) {
  const words = WORDS[report.grain];
  const periods = KEY_PERIODS[report.grain].filter((n) => n <= report.maxPeriod);
  return (
    <table className="data-table" data-testid="retention-key-periods">
      <caption className="visually-hidden">Retention at {periods.map((n) => `${words.prefix}${n}`).join(", ")} per group</caption>
      <thead>
        <tr>
          <th scope="col">Group</th>
          <th scope="col" className="num">
            Users
          </th>
          {periods.map((n) => (
            <th key={n} scope="col" className="num">
              {words.prefix}
              {n}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {series.map((s, k) => {
          const style = SERIES_STYLES[k % SERIES_STYLES.length]!;
          return (
            <tr key={s.name}>
              <th scope="row">
                <span className={`${styles.swatch}${style.dash ? ` ${styles.swatchDashed}` : ""}`} style={{ borderTopColor: style.color }} aria-hidden="true" />
                {s.name}
              </th>
              <td className="num">{formatInteger(s.rows.reduce((sum, r) => sum + r.size, 0))}</td>
              {periods.map((n) => {
                const r = pooledRetention(s.rows, n);
                return (
                  <td key={n} className="num" title={r.rate === null ? undefined : `${formatInteger(r.retained)} of ${formatInteger(r.users)}`}>
                    {r.rate === null ? NO_VALUE : formatPercent(r.rate)}
                  </td>
                );
              })}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function RetentionBody({ report }: { report: Report }) {
  const words = WORDS[report.grain];
  // With an experiment the heatmap shows one group at a time: all assigned users, or one variant.
  const [group, setGroup] = useState<string | null>(null);
  const variants = report.experiment?.variants ?? [];
  const series: CurveSeries[] = report.experiment
    ? variants.map((v) => ({ name: `${v.name}${v.isControl ? " (control)" : ""}`, rows: v.rows }))
    : [{ name: "All users", rows: report.rows }];
  const shown = variants.find((v) => v.key === group);
  const heatmapRows = shown?.rows ?? report.rows;
  const cohortLabel = report.grain === "week" ? (c: string) => formatDayRange({ from: c, to: addDays(c, 6) }) : formatDayShort;

  return (
    <>
      <KeyPeriodTiles report={report} rows={report.rows} />
      <div className={styles.grid}>
        <section className="panel" aria-labelledby="curve-title">
          <header className="panel__header">
            <h2 id="curve-title">Retention curve</h2>
            <span className="panel__meta">pooled over the cohorts whose {words.period} N is over</span>
          </header>
          <RetentionCurve series={series} maxPeriod={report.maxPeriod} periodPrefix={words.prefix} periodName={words.period} />
        </section>
        <section className="panel" aria-labelledby="key-periods-title">
          <header className="panel__header">
            <h2 id="key-periods-title">{report.experiment ? "By variant" : `Key ${words.period}s`}</h2>
          </header>
          <KeyPeriodTable series={series} report={report} />
          {report.experiment ? (
            <p className={styles.note} style={{ marginTop: "0.75rem" }}>
              Only users in the assignment table of <strong>{report.experiment.name}</strong>, grouped by their variant; cohorts are
              still by first watch, which can be before the assignment.
            </p>
          ) : null}
        </section>
      </div>

      <section className="panel" aria-labelledby="heatmap-title">
        <header className="panel__header">
          <h2 id="heatmap-title">Cohort retention{shown ? `: ${shown.name}` : report.experiment ? ": all assigned users" : ""}</h2>
          <span className="panel__meta">
            % of each cohort watching on {words.period} N after their {words.cohort}
          </span>
        </header>
        {report.experiment ? (
          <div className={styles.groupPicker} role="group" aria-label="Heatmap group">
            {[{ key: null, name: "All assigned" }, ...variants].map((v) => (
              <button
                key={v.key ?? "all"}
                type="button"
                className={`chip${group === v.key ? " chip--active" : ""}`}
                aria-pressed={group === v.key}
                onClick={() => setGroup(v.key)}
              >
                {v.name}
              </button>
            ))}
          </div>
        ) : null}
        {heatmapRows.length === 0 ? (
          <p className="panel__empty">No users of this group had their first watch in the range.</p>
        ) : (
          <RetentionHeatmap
            rows={heatmapRows}
            maxPeriod={report.maxPeriod}
            periodPrefix={words.prefix}
            periodName={words.period}
            cohortLabel={cohortLabel}
          />
        )}
      </section>
    </>
  );
}

export function RetentionReport({ filters, today }: { filters: RetentionFilters; today: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const query = useRetentionReport(filters);
  const experiments = useSplittableExperiments();
  const report = query.data;
  const words = WORDS[filters.grain];
  const go = (next: Partial<RetentionFilters>) => router.push(`${pathname}?${toSearch({ ...filters, ...next })}`, { scroll: false });
  const known = experiments.data ?? [];
  // A shared link may name an experiment that is no longer listed (archived): keep it selectable.
  const options = filters.experiment && !known.some((e) => e.key === filters.experiment) ? [{ key: filters.experiment, name: filters.experiment, status: "" }, ...known] : known;

  return (
    <div className="report">
      <header className="page-header">
        <div>
          <h1>Retention</h1>
          <p className="page-header__sub">
            Users by {words.cohort}, <span className="num">{formatDayRange(report?.grain === filters.grain ? report : filters.range)}</span> (UTC),
            and the share who watched again N {words.period}s later
          </p>
        </div>
        <DateRangePicker
          key={`${filters.range.from}/${filters.range.to}`}
          value={filters.range}
          today={today}
          presets={[14, 28, 56]}
          busy={query.isFetching && query.isPlaceholderData}
          onChange={(range) => go({ range })}
        />
      </header>

      <div className={styles.controls}>
        <div className={styles.field}>
          <span id="grain-label">Cohorts</span>
          <div className={styles.segmented} role="group" aria-labelledby="grain-label">
            {(["day", "week"] as const).map((grain) => (
              <button
                key={grain}
                type="button"
                className={`chip${filters.grain === grain ? " chip--active" : ""}`}
                aria-pressed={filters.grain === grain}
                onClick={() => go({ grain })}
                data-testid={`grain-${grain}`}
              >
                {grain === "day" ? "Daily" : "Weekly"}
              </button>
            ))}
          </div>
        </div>
        <label className={styles.field}>
          <span>Split by experiment</span>
          <select
            className={styles.select}
            value={filters.experiment ?? ""}
            onChange={(e) => go({ experiment: e.target.value || null })}
            data-testid="experiment-select"
          >
            <option value="">No split: every user</option>
            {options.map((e) => (
              <option key={e.key} value={e.key}>
                {e.name}
                {e.status ? ` (${e.status})` : ""}
              </option>
            ))}
          </select>
        </label>
        {experiments.error ? <p className={styles.note}>Experiments could not be listed: {experiments.error.message}</p> : null}
        {filters.grain === "week" ? <p className={styles.note}>Weekly cohorts cover whole weeks: the range widens to the Monday before and the Sunday after.</p> : null}
      </div>

      <DataState
        subject="retention"
        loading={query.isPending}
        error={query.error}
        empty={!report || report.rows.length === 0}
        emptyMessage={
          filters.experiment ? (
            <>No user assigned to this experiment had their first watch in this range ({formatDayRange(filters.range)}). Try a wider one.</>
          ) : (
            <>No one had their first watch in this range ({formatDayRange(filters.range)}). Try an earlier or wider one.</>
          )
        }
        onRetry={() => void query.refetch()}
        skeleton={
          <section className="panel">
            <SkeletonRows rows={12} />
          </section>
        }
      >
        {report ? (
          <div className={query.isPlaceholderData ? "panel--updating" : undefined}>
            <RetentionBody key={`${report.grain}/${report.experiment?.key ?? ""}`} report={report} />
          </div>
        ) : null}
      </DataState>
    </div>
  );
}
