"use client";

import { usePathname, useRouter } from "next/navigation";
import { DataState, SkeletonRows } from "@/components/data-state";
import { DateRangePicker } from "@/components/date-range-picker";
import { useTopTitles } from "@/components/hooks/use-top-titles";
import { formatDayRange, type DayRange } from "@/lib/format";
import { TopTitlesTable } from "./top-titles-table";

export function TitlesReport({ range, today }: { range: DayRange; today: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const query = useTopTitles(range);
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
          busy={query.isFetching && query.isPlaceholderData}
          onChange={(next) => router.push(`${pathname}?${new URLSearchParams({ from: next.from, to: next.to })}`, { scroll: false })}
        />
      </header>

      <section className={`panel${query.isPlaceholderData ? " panel--updating" : ""}`} aria-busy={query.isFetching}>
        <DataState
          subject="top titles"
          loading={query.isPending}
          error={query.error}
          empty={titles.length === 0}
          emptyMessage={<>Nothing was watched in this range ({formatDayRange(range)}). Try a wider one.</>}
          onRetry={() => void query.refetch()}
          skeleton={<SkeletonRows rows={10} />}
        >
          <TopTitlesTable titles={titles} />
        </DataState>
      </section>
    </div>
  );
}
