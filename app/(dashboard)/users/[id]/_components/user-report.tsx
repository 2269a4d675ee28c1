"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { DataState, SkeletonRows } from "@/components/data-state";
import { DateRangePicker } from "@/components/date-range-picker";
import { StatTile } from "@/components/stat-tile";
import { formatDayRange, formatDayShort, formatInteger, NO_VALUE, type DayRange } from "@/lib/format";
import type { UserProfileResponse } from "@/server/queries/get-user-profile";
import { UserLookupForm } from "../../_components/user-lookup-form";
import styles from "../../_components/users.module.css";
import { AssignmentsTable, formatUtcMinute } from "./assignments-table";
import { LiveWindows } from "./live-windows";
import { useUserAssignments, useUserDaily, useUserProfile, useUserWindows } from "./use-user-queries";
import { UserDailyChart, UserDaysTable } from "./user-daily-chart";

function Attributes({ profile }: { profile: UserProfileResponse }) {
  const a = profile.activity;
  return (
    <div className="tiles tiles--summary" data-testid="user-attributes">
      <StatTile size="sm" label="First watch day" value={a ? formatDayShort(a.firstWatchDay) : NO_VALUE} hint={a ? `retention cohort ${a.firstWatchDay}` : "never watched"} />
      <StatTile size="sm" label="Country" value={a?.country ?? NO_VALUE} hint="as last seen" />
      <StatTile size="sm" label="Device" value={a?.device ?? NO_VALUE} hint="as last seen" />
      <StatTile size="sm" label="Last watch" value={a ? formatDayShort(a.lastWatchAt.slice(0, 10)) : NO_VALUE} hint={a ? formatUtcMinute(a.lastWatchAt) : undefined} />
    </div>
  );
}

function RecentTitles({ profile }: { profile: UserProfileResponse }) {
  if (profile.recentTitles.length === 0) return <p className="panel__empty">No titles watched in the last {profile.recentDays} days.</p>;
  return (
    <ul className={styles.recent} data-testid="user-recent-titles">
      {profile.recentTitles.map((t) => (
        <li key={`${t.day}/${t.titleId}`}>
          <span className={`num ${styles.recentDay}`}>{formatDayShort(t.day)}</span>
          <span>
            <Link href={`/titles/${encodeURIComponent(t.titleId)}`}>{t.name}</Link> {t.genre ? <span className="genre">{t.genre}</span> : null}
          </span>
        </li>
      ))}
    </ul>
  );
}

export function UserReport({ userId, range, today }: { userId: string; range: DayRange; today: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const daily = useUserDaily(userId, range);
  const profile = useUserProfile(userId, today);
  const assignments = useUserAssignments(userId);
  const windows = useUserWindows(userId);

  const pending = daily.isPending || profile.isPending || assignments.isPending;
  const error = daily.error ?? profile.error ?? assignments.error;
  // Nothing anywhere: never watched, in no experiment. A typo is the likeliest reason.
  const unknown = !pending && !error && profile.data?.activity === null && assignments.data?.assignments.length === 0 && daily.data?.days.length === 0;
  const days = daily.data?.days ?? [];

  return (
    <div className="report">
      <header className="page-header">
        <div>
          <h1>
            User <span className={styles.userId} data-testid="user-id">{userId}</span>
          </h1>
          <p className="page-header__sub">Daily watching, experiment assignments, attributes and the last hour live</p>
        </div>
        <UserLookupForm key={userId} initial={userId} />
      </header>

      <DataState
        subject={`user ${userId}`}
        loading={pending}
        error={error}
        empty={unknown}
        emptyMessage={
          <>
            This user never watched anything and was never assigned to an experiment. Check the id: simulated users are{" "}
            <span className={styles.code}>u_000001</span>, <span className={styles.code}>u_000002</span>, …
          </>
        }
        onRetry={() => {
          void daily.refetch();
          void profile.refetch();
          void assignments.refetch();
        }}
        skeleton={
          <section className="panel">
            <SkeletonRows rows={10} />
          </section>
        }
      >
        <div className={styles.sections}>
          {profile.data ? <Attributes profile={profile.data} /> : null}

          <section className={`panel${daily.isPlaceholderData ? " panel--updating" : ""}`} aria-labelledby="daily-title">
            <header className="panel__header">
              <h2 id="daily-title">Daily watch time</h2>
              <span className="panel__meta">
                <span className="num">{formatDayRange(range)}</span> (UTC) · {formatInteger(days.length)} active {days.length === 1 ? "day" : "days"}
              </span>
            </header>
            <div className={styles.pickerRow}>
              <DateRangePicker
                key={`${range.from}/${range.to}`}
                value={range}
                today={today}
                presets={[7, 14, 28]}
                busy={daily.isFetching && daily.isPlaceholderData}
                onChange={(next) => router.push(`${pathname}?${new URLSearchParams({ from: next.from, to: next.to })}`, { scroll: false })}
              />
            </div>
            {days.length === 0 ? (
              <p className="panel__empty" data-testid="user-daily-empty">
                No activity in {formatDayRange(range)}. Try a wider range.
              </p>
            ) : (
              <>
                <UserDailyChart range={range} days={days} />
                <UserDaysTable days={days} />
              </>
            )}
          </section>

          <section className="panel" aria-labelledby="assignments-title">
            <header className="panel__header">
              <h2 id="assignments-title">Experiment assignments</h2>
              <span className="panel__meta">stored at first exposure, never changed afterwards</span>
            </header>
            {assignments.data && assignments.data.assignments.length > 0 ? (
              <AssignmentsTable assignments={assignments.data.assignments} />
            ) : (
              <p className="panel__empty">Not assigned to any experiment.</p>
            )}
          </section>

          <div className={styles.twoColumns}>
            <section className="panel" aria-labelledby="live-title">
              <header className="panel__header">
                <h2 id="live-title">Last hour, live</h2>
              </header>
              <DataState
                subject="live windows"
                loading={windows.isPending}
                error={windows.error}
                empty={false}
                emptyMessage={null}
                onRetry={() => void windows.refetch()}
                skeleton={<SkeletonRows rows={3} />}
              >
                {windows.data ? <LiveWindows data={windows.data} /> : null}
              </DataState>
            </section>
            <section className="panel" aria-labelledby="recent-title">
              <header className="panel__header">
                <h2 id="recent-title">Recently watched</h2>
                <span className="panel__meta">titles per day, last {profile.data?.recentDays ?? 7} days</span>
              </header>
              {profile.data ? <RecentTitles profile={profile.data} /> : null}
              <p className={styles.note} style={{ marginTop: "0.75rem" }}>
                Single events are not shown: the pipeline keeps per-day aggregates (which titles, how long), and no per-event table.
                The raw events live in the event log only.
              </p>
            </section>
          </div>
        </div>
      </DataState>
    </div>
  );
}
