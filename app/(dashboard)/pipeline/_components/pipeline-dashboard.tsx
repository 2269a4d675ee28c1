"use client";

import { ConnectionBadge } from "@/components/connection-badge";
import { DataState, SkeletonRows } from "@/components/data-state";
import { StatTile } from "@/components/stat-tile";
import type { PipelineAlert, PipelineResponse } from "@/lib/api/pipeline";
import { formatClockTime, formatCount, formatInteger, formatPercent, formatRate, NO_VALUE } from "@/lib/format";
import { DeadLettersPanel } from "./dead-letters-panel";
import { PartitionsTable } from "./partitions-table";
import { PIPELINE_REFRESH_MS, usePipeline } from "./use-pipeline";
import styles from "./pipeline.module.css";

/** "the kafka log did not answer" → "The kafka log did not answer." */
const sentence = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? "" : "."}`;

const LOG_NAMES: Record<PipelineResponse["log"]["kind"], string> = { memory: "the in-process log", kafka: "Apache Kafka" };

function PipelineTiles({ data }: { data: PipelineResponse | undefined }) {
  const d = data;
  const lag = d?.totals.lag ?? null;
  const stalled = d !== undefined && lag !== null && lag > 0 && d.rates.outPerSec === 0;
  const over = d?.rates.windowSec ? `over the last ${Math.round(d.rates.windowSec)} s` : "measuring…";
  const consumed = d ? d.counters.counted + d.counters.deadLettered : 0;
  return (
    <div className={`tiles tiles--summary${d ? "" : " tiles--pending"}`}>
      <StatTile
        testId="pipeline-lag-total"
        label="Consumer lag"
        value={lag === null ? NO_VALUE : formatCount(lag)}
        rawValue={lag}
        unit={lag === null ? undefined : "msgs"}
        tone={stalled || d?.log.ok === false ? "warn" : "default"}
        hint={
          !d ? NO_VALUE : !d.log.ok ? "log unreachable" : stalled ? "stalled: nothing committed " + over : lag === 0 ? "caught up" : `across ${d.partitions.filter((p) => (p.lag ?? 0) > 0).length} partitions`
        }
      />
      <StatTile
        testId="pipeline-in-rate"
        label="In"
        value={d?.rates.inPerSec == null ? NO_VALUE : formatRate(d.rates.inPerSec)}
        rawValue={d?.rates.inPerSec}
        unit="msg/s"
        hint={`appended to the log, ${over}`}
      />
      <StatTile
        testId="pipeline-out-rate"
        label="Out"
        value={d?.rates.outPerSec == null ? NO_VALUE : formatRate(d.rates.outPerSec)}
        rawValue={d?.rates.outPerSec}
        unit="msg/s"
        hint={`committed with the aggregates, ${over}`}
      />
      <StatTile
        testId="pipeline-dead-lettered"
        label="Dead-lettered"
        value={d ? formatInteger(d.counters.deadLettered) : NO_VALUE}
        rawValue={d?.counters.deadLettered}
        tone={d && d.counters.deadLettered > 0 ? "warn" : "default"}
        hint={
          !d || consumed === 0
            ? "malformed messages kept for review"
            : d.counters.deadLettered === 0
              ? `none of ${formatCount(consumed)} consumed`
              : `${formatPercent(d.counters.deadLettered / consumed, 2)} of ${formatCount(consumed)} consumed`
        }
      />
      <StatTile
        testId="pipeline-late"
        label="Late events"
        value={d?.lateEvents == null ? NO_VALUE : formatInteger(d.lateEvents)}
        rawValue={d?.lateEvents}
        hint={d && d.lateEvents === null ? "no live view in this process" : "behind the watermark; in daily tables"}
      />
    </div>
  );
}

/** The processor's failures and stalls (the log's own outage has the banner above). */
function ProcessorAlerts({ alerts }: { alerts: PipelineAlert[] }) {
  const shown = alerts.filter((a) => a.kind !== "log-unreachable");
  if (shown.length === 0) return null;
  return (
    <>
      {shown.map((a) => (
        <div
          key={a.kind}
          className={`data-state ${a.severity === "critical" ? "data-state--error" : "data-state--warn"} data-state--banner ${styles.banner}`}
          role="alert"
          data-testid={`pipeline-alert-${a.kind}`}
        >
          <p className="data-state__title">
            {a.title}
            {a.since ? <span className="num"> · since {formatClockTime(Date.parse(a.since))}</span> : null}
          </p>
          <p className="data-state__message">{sentence(a.detail)}</p>
        </div>
      ))}
    </>
  );
}

/**
 * The stream processor at a glance: how far behind the log it is per partition, how fast messages
 * arrive and leave, and what it rejected. Polls `/api/pipeline` every 2 s.
 */
export function PipelineDashboard() {
  const query = usePipeline();
  const d = query.data;
  // A failed refresh keeps the last figures on screen, marked stale by the badge.
  const refreshFailed = query.isRefetchError && d !== undefined;

  return (
    <div className={`report${refreshFailed ? ` ${styles.stale}` : ""}`}>
      <header className="page-header">
        <div>
          <h1>Pipeline</h1>
          <p className="page-header__sub">
            {d ? (
              <>
                Consumer group <code className={styles.code}>{d.groupId}</code> reading {LOG_NAMES[d.log.kind]}
                {" · "}
                <span className="num">as of {formatClockTime(Date.parse(d.at))}</span>
              </>
            ) : (
              "The stream processor: lag, throughput and rejected messages"
            )}
          </p>
        </div>
        {d ? (
          <ConnectionBadge
            state={refreshFailed ? "offline" : "live"}
            note={refreshFailed ? "retrying" : null}
            staleSince={refreshFailed ? query.dataUpdatedAt : null}
          />
        ) : null}
      </header>

      {d && !d.log.ok ? (
        <div className={`data-state data-state--error data-state--banner ${styles.banner}`} role="alert" data-testid="pipeline-log-down">
          <p className="data-state__title">The event log is not answering.</p>
          <p className="data-state__message">
            {sentence(d.log.error ?? "no reason given")} Showing the offsets stored with the aggregates; lag and rates return when the
            log does.
          </p>
        </div>
      ) : null}

      {d ? <ProcessorAlerts alerts={d.alerts} /> : null}

      {query.error && !d ? (
        <DataState subject="the pipeline" loading={false} error={query.error} empty={false} emptyMessage={null} onRetry={() => void query.refetch()}>
          {null}
        </DataState>
      ) : (
        <>
          <PipelineTiles data={d} />

          <section className="panel" aria-labelledby="partitions-title">
            <header className="panel__header">
              <h2 id="partitions-title">Partitions</h2>
              <span className="panel__meta">
                {d
                  ? `${d.partitions.length} partitions · ${formatCount(d.totals.committedOffset)}${d.totals.endOffset === null ? "" : ` of ${formatCount(d.totals.endOffset)}`} messages committed`
                  : `refreshes every ${PIPELINE_REFRESH_MS / 1000} s`}
              </span>
            </header>
            <DataState
              subject="partitions"
              loading={query.isPending}
              error={null}
              empty={d !== undefined && d.partitions.length === 0}
              emptyMessage={<>The consumed topics have no partitions on the log yet, and the group has stored no offsets.</>}
              skeleton={<SkeletonRows rows={8} />}
            >
              {d ? <PartitionsTable partitions={d.partitions} at={Date.parse(d.at)} /> : null}
            </DataState>
          </section>

          <DeadLettersPanel data={d} loading={query.isPending} />
        </>
      )}
    </div>
  );
}
