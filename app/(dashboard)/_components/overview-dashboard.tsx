"use client";

import { ConnectionBadge } from "@/components/connection-badge";
import { DataState } from "@/components/data-state";
import { StatTile } from "@/components/stat-tile";
import { TopTitlesList } from "@/components/top-titles-list";
import { WatchMinutesChart } from "@/components/watch-minutes-chart";
import { useLiveOverview } from "@/components/hooks/use-live-overview";
import { formatClockTime, formatCount, formatInteger, formatRate, NO_VALUE } from "@/lib/format";

export function OverviewDashboard() {
  const { snapshot, status, staleSince, isLoading, error, retry } = useLiveOverview();
  const s = snapshot;

  return (
    <div className={`overview${status.state === "offline" && s ? " overview--stale" : ""}`}>
      <header className="page-header">
        <div>
          <h1>Overview</h1>
          <p className="page-header__sub">
            What is being watched right now
            {s ? (
              <>
                {" · "}
                <span className="num">as of {formatClockTime(s.at)}</span>
                {s.watermark !== null ? (
                  <>
                    {" · "}
                    <span className="num" title="Event time up to which the live windows are final">
                      watermark {formatClockTime(s.watermark)}
                    </span>
                  </>
                ) : null}
              </>
            ) : null}
          </p>
        </div>
        <ConnectionBadge state={status.state} note={status.note} staleSince={staleSince} />
      </header>

      {error ? (
        <DataState
          subject="the live overview"
          variant="banner"
          loading={false}
          error={error}
          empty={false}
          emptyMessage={null}
          onRetry={retry}
        >
          {null}
        </DataState>
      ) : null}

      <div className={`tiles${s ? "" : " tiles--pending"}`} aria-busy={isLoading}>
        <StatTile
          testId="tile-events-per-sec"
          label="Events per second"
          value={s ? formatRate(s.eventsPerSec) : NO_VALUE}
          rawValue={s?.eventsPerSec}
          hint="average over the last 10 s"
        />
        <StatTile
          testId="tile-active-viewers"
          label="Active viewers"
          value={s ? formatCount(s.activeViewers) : NO_VALUE}
          rawValue={s?.activeViewers}
          hint="distinct users, last 5 min"
        />
        <StatTile
          testId="tile-watch-minutes"
          label="Watch minutes"
          value={s ? formatCount(s.watchMinutesLastMinute) : NO_VALUE}
          rawValue={s?.watchMinutesLastMinute}
          hint="in the last complete minute"
        />
        <div className="tiles__stack">
          <StatTile
            testId="tile-late-events"
            size="sm"
            label="Late events"
            value={s ? formatInteger(s.lateEvents) : NO_VALUE}
            rawValue={s?.lateEvents}
            hint="behind the watermark; in daily tables"
          />
          <StatTile
            testId="tile-dead-letters"
            size="sm"
            label="Dead letters"
            value={s ? formatInteger(s.deadLetters) : NO_VALUE}
            rawValue={s?.deadLetters}
            tone={s && s.deadLetters > 0 ? "warn" : "default"}
            hint="malformed events kept for review"
          />
        </div>
      </div>

      <div className="overview__grid">
        <section className="panel" aria-labelledby="watch-chart-title">
          <header className="panel__header">
            <h2 id="watch-chart-title">Watch minutes per minute</h2>
            <span className="panel__meta">last 60 minutes, event time</span>
          </header>
          {s ? (
            <WatchMinutesChart series={s.series} />
          ) : (
            <div className="chart-placeholder" aria-hidden="true" />
          )}
        </section>

        <section className="panel" aria-labelledby="top-titles-title">
          <header className="panel__header">
            <h2 id="top-titles-title">Top titles right now</h2>
            <span className="panel__meta">last 5 minutes</span>
          </header>
          {s ? <TopTitlesList titles={s.topTitles} /> : <div className="list-placeholder" aria-hidden="true" />}
        </section>
      </div>
    </div>
  );
}
