"use client";

import { usePathname, useRouter } from "next/navigation";
import { DataState, SkeletonRows } from "@/components/data-state";
import { DateRangePicker } from "@/components/date-range-picker";
import { useRetention } from "@/components/hooks/use-retention";
import { RetentionHeatmap } from "@/components/retention-heatmap";
import { pooledRetention } from "@/lib/retention/pooled";
import { StatTile } from "@/components/stat-tile";
import type { RetentionResponse } from "@/lib/api/types";
import { formatDayRange, formatInteger, formatPercent, NO_VALUE, type DayRange } from "@/lib/format";

function RetentionSummary({ data, today }: { data: RetentionResponse; today: string }) {
  const days = [1, 7, 14].filter((d) => d <= data.maxDay);
  const users = data.cohorts.reduce((sum, c) => sum + c.size, 0);
  return (
    <div className="tiles tiles--summary" data-testid="retention-summary">
      <StatTile
        label="New users"
        value={formatInteger(users)}
        rawValue={users}
        hint={`${data.cohorts.length} daily cohorts`}
        testId="retention-new-users"
      />
      {days.map((day) => {
        const r = pooledRetention(data.cohorts, day, today);
        return (
          <StatTile
            key={day}
            testId={`retention-d${day}`}
            label={`D${day} retention`}
            value={r.rate === null ? NO_VALUE : formatPercent(r.rate)}
            rawValue={r.rate}
            hint={
              r.rate === null
                ? `no cohort is ${day} days old yet`
                : `${formatInteger(r.retained)} of ${formatInteger(r.users)} users, ${r.cohorts} cohorts`
            }
          />
        );
      })}
    </div>
  );
}

export function RetentionReport({ range, today }: { range: DayRange; today: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const query = useRetention(range);
  const data = query.data;

  return (
    <div className="report">
      <header className="page-header">
        <div>
          <h1>Retention</h1>
          <p className="page-header__sub">
            Users by first watch day, <span className="num">{formatDayRange(range)}</span> (UTC), and the share who
            watched again N days later
          </p>
        </div>
        <DateRangePicker
          key={`${range.from}/${range.to}`}
          value={range}
          today={today}
          presets={[14, 28, 56]}
          busy={query.isFetching && query.isPlaceholderData}
          onChange={(next) => router.push(`${pathname}?${new URLSearchParams({ from: next.from, to: next.to })}`, { scroll: false })}
        />
      </header>

      <DataState
        subject="retention"
        loading={query.isPending}
        error={query.error}
        empty={!data || data.cohorts.length === 0}
        emptyMessage={<>No one had their first watch in this range ({formatDayRange(range)}). Try an earlier or wider one.</>}
        onRetry={() => void query.refetch()}
        skeleton={
          <section className="panel">
            <SkeletonRows rows={12} />
          </section>
        }
      >
        {data ? (
          <div className={query.isPlaceholderData ? "panel--updating" : undefined}>
            <RetentionSummary data={data} today={today} />
            <section className="panel" aria-labelledby="heatmap-title">
              <header className="panel__header">
                <h2 id="heatmap-title">Cohort retention</h2>
                <span className="panel__meta">% of each cohort watching on day N after their first watch</span>
              </header>
              <RetentionHeatmap cohorts={data.cohorts} maxDay={data.maxDay} today={today} />
            </section>
          </div>
        ) : null}
      </DataState>
    </div>
  );
}
