"use client";

import { usePathname, useRouter } from "next/navigation";
import { DataState, SkeletonRows } from "@/components/data-state";
import { DateRangePicker } from "@/components/date-range-picker";
import { useTopTitles } from "@/components/hooks/use-top-titles";
import { formatDayRange, formatHours, type DayRange } from "@/lib/format";
import { GenreBreakdown } from "./genre-breakdown";
import { TopTitlesTable } from "./top-titles-table";
import styles from "./titles.module.css";
import { useGenres } from "./use-title-queries";

export function TitlesReport({ range, today }: { range: DayRange; today: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const query = useTopTitles(range);
  const genres = useGenres(range);
  const titles = query.data?.titles ?? [];

  return (
    <div className="report">
      <header className="page-header">
        <div>
          <h1>Top titles</h1>
          <p className="page-header__sub">
            Top 10 by total watch time, <span className="num">{formatDayRange(range)}</span> (UTC days, inclusive)
          </p>
        </div>
        <DateRangePicker
          key={`${range.from}/${range.to}`}
          value={range}
          today={today}
          busy={(query.isFetching && query.isPlaceholderData) || (genres.isFetching && genres.isPlaceholderData)}
          onChange={(next) => router.push(`${pathname}?${new URLSearchParams({ from: next.from, to: next.to })}`, { scroll: false })}
        />
      </header>

      <div className={styles.sections}>
        <section className={`panel${query.isPlaceholderData ? " panel--updating" : ""}`} aria-busy={query.isFetching} aria-labelledby="top-titles-title">
          <header className="panel__header">
            <h2 id="top-titles-title">Most watched</h2>
            <span className="panel__meta">open a title for its daily curve</span>
          </header>
          <DataState
            subject="top titles"
            loading={query.isPending}
            error={query.error}
            empty={titles.length === 0}
            emptyMessage={<>Nothing was watched in this range ({formatDayRange(range)}). Try a wider one.</>}
            onRetry={() => void query.refetch()}
            skeleton={<SkeletonRows rows={10} />}
          >
            <TopTitlesTable titles={titles} range={range} />
          </DataState>
        </section>

        <section className={`panel${genres.isPlaceholderData ? " panel--updating" : ""}`} aria-busy={genres.isFetching} aria-labelledby="genres-title">
          <header className="panel__header">
            <h2 id="genres-title">Genres</h2>
            {genres.data && genres.data.totalWatchSeconds > 0 ? (
              <span className="panel__meta">
                share of <span className="num">{formatHours(genres.data.totalWatchSeconds)}</span> watch hours; unique viewers counted once per genre
              </span>
            ) : null}
          </header>
          <DataState
            subject="the genre breakdown"
            loading={genres.isPending}
            error={genres.error}
            empty={!genres.data || genres.data.genres.length === 0}
            emptyMessage={<>Nothing was watched in this range ({formatDayRange(range)}). Try a wider one.</>}
            onRetry={() => void genres.refetch()}
            skeleton={<SkeletonRows rows={8} />}
          >
            {genres.data ? <GenreBreakdown data={genres.data} /> : null}
          </DataState>
        </section>
      </div>
    </div>
  );
}
