"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { DataState, SkeletonRows } from "@/components/data-state";
import { DateRangePicker } from "@/components/date-range-picker";
import { StatTile } from "@/components/stat-tile";
import { formatCount, formatDayRange, formatDayShort, formatDuration, formatHours, formatInteger, type DayRange } from "@/lib/format";
import type { TitleDetailResponse } from "@/server/queries/get-title-detail";
import styles from "../../_components/titles.module.css";
import { useTitleDetail } from "../../_components/use-title-queries";
import { TitleCurve } from "./title-curve";

function TitleNumbers({ detail }: { detail: TitleDetailResponse }) {
  const t = detail.totals;
  const days = detail.days.length;
  return (
    <div className="tiles tiles--summary" data-testid="title-totals">
      <StatTile label="Watch hours" value={formatHours(t.watchSeconds)} rawValue={t.watchSeconds} hint={`${formatInteger(t.watchSeconds / 60)} watch minutes`} testId="title-watch" />
      <StatTile label="Views" value={formatCount(t.views)} rawValue={t.views} hint={`on ${t.activeDays} of ${days} days`} testId="title-views" />
      <StatTile label="Unique viewers" value={formatCount(t.uniqueViewers)} rawValue={t.uniqueViewers} hint="distinct users over the whole range" testId="title-viewers" />
      <StatTile label="Avg watch" value={formatDuration(t.avgWatchSeconds)} rawValue={t.avgWatchSeconds} hint="per view" testId="title-avg" />
    </div>
  );
}

/** The curve's figures day by day: the chart's text alternative, collapsed by default. */
function DaysTable({ detail }: { detail: TitleDetailResponse }) {
  return (
    <details>
      <summary>Show the days as a table</summary>
      <div className="table-scroll">
        <table className="data-table" data-testid="title-days">
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col" className="num">
                Watch minutes
              </th>
              <th scope="col" className="num">
                Views
              </th>
              <th scope="col" className="num">
                Unique viewers
              </th>
            </tr>
          </thead>
          <tbody>
            {detail.days.map((d) => (
              <tr key={d.day}>
                <th scope="row" className="num" style={{ textAlign: "left" }}>
                  {formatDayShort(d.day)}
                </th>
                <td className="num">{formatInteger(d.watchSeconds / 60)}</td>
                <td className="num">{formatInteger(d.views)}</td>
                <td className="num">{formatInteger(d.uniqueViewers)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

export function TitleReport({ titleId, range, today }: { titleId: string; range: DayRange; today: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const query = useTitleDetail(titleId, range);
  const detail = query.data;
  const search = new URLSearchParams({ from: range.from, to: range.to });

  return (
    <div className="report">
      <header className="page-header">
        <div>
          <Link className={styles.back} href={`/titles?${search}`}>
            ← Top titles
          </Link>
          <h1 data-testid="title-name">{detail?.name ?? titleId}</h1>
          <p className={styles.facts}>
            {detail?.genre ? <span className="genre">{detail.genre}</span> : null}
            {detail?.releaseYear ? <span className="num">{detail.releaseYear}</span> : null}
            {detail && !detail.inCatalog ? <span>not in the catalog</span> : null}
            <span>
              id <span className="num">{titleId}</span>
            </span>
            <span>
              · <span className="num">{formatDayRange(range)}</span> (UTC)
            </span>
          </p>
        </div>
        <DateRangePicker
          key={`${range.from}/${range.to}`}
          value={range}
          today={today}
          presets={[7, 14, 28]}
          busy={query.isFetching && query.isPlaceholderData}
          onChange={(next) => router.push(`${pathname}?${new URLSearchParams({ from: next.from, to: next.to })}`, { scroll: false })}
        />
      </header>

      <DataState
        subject="this title"
        loading={query.isPending}
        error={query.error}
        empty={false}
        emptyMessage={null}
        onRetry={() => void query.refetch()}
        skeleton={
          <section className="panel">
            <SkeletonRows rows={10} />
          </section>
        }
      >
        {detail ? (
          <div className={query.isPlaceholderData ? "panel--updating" : undefined}>
            <TitleNumbers detail={detail} />
            <section className="panel" aria-labelledby="curve-title">
              <header className="panel__header">
                <h2 id="curve-title">Day by day</h2>
                <span className="panel__meta">watch minutes, views and unique viewers per UTC day</span>
              </header>
              {detail.totals.views === 0 ? (
                <p className="panel__empty" data-testid="data-empty">
                  Nobody watched this title in {formatDayRange(range)}. Try a wider range.
                </p>
              ) : (
                <>
                  <TitleCurve days={detail.days} />
                  <DaysTable detail={detail} />
                </>
              )}
            </section>
          </div>
        ) : null}
      </DataState>
    </div>
  );
}
