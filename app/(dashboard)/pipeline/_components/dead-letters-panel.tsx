"use client";

import { useState } from "react";
import { DataState, SkeletonRows } from "@/components/data-state";
import { RAW_PREVIEW_BYTES, type DeadLetterEntry, type PipelineResponse } from "@/lib/api/pipeline";
import { formatClockTime, formatInteger } from "@/lib/format";
import { formatAgo } from "./format-age";
import { useOlderDeadLetters } from "./use-pipeline";
import styles from "./pipeline.module.css";

function DeadLettersTable({ rows, at }: { rows: DeadLetterEntry[]; at: number }) {
  return (
    <div className="table-scroll">
      <table className={`data-table ${styles.deadLetters}`} data-testid="dead-letters-table">
        <thead>
          <tr>
            <th scope="col">Reason</th>
            <th scope="col">Where</th>
            <th scope="col" className="num">Received</th>
            <th scope="col">Raw message</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((d) => {
            const received = Date.parse(d.receivedAt);
            return (
              <tr key={d.id} data-dead-letter-id={d.id}>
                <td className={styles.reason}>{d.reason}</td>
                <td className={styles.where}>
                  <code className={styles.code}>
                    {d.topic}/{d.partition} <span className="muted">@</span> {d.offset}
                  </code>
                  {d.key ? <span className={styles.key}>key {d.key}</span> : null}
                </td>
                <td className="num" title={d.receivedAt}>
                  {formatClockTime(received)}
                  <span className={styles.sub}>{formatAgo(at - received)}</span>
                </td>
                <td className={styles.rawCell}>
                  {d.rawPreview === null ? (
                    <span className="muted">(no value)</span>
                  ) : (
                    <>
                      <code className={styles.raw} title={d.rawPreview}>
                        {d.rawPreview || " "}
                      </code>
                      {d.rawBytes > RAW_PREVIEW_BYTES ? (
                        <span className={styles.sub}>first {RAW_PREVIEW_BYTES} of {formatInteger(d.rawBytes)} bytes</span>
                      ) : null}
                    </>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The most recent dead letters, live. "Show older" pauses the list where it is and pages back from
 * its last row, so rows arriving meanwhile cannot open a gap between the live head and the pages.
 */
export function DeadLettersPanel({ data, loading }: { data: PipelineResponse | undefined; loading: boolean }) {
  const [paused, setPaused] = useState<{ head: DeadLetterEntry[]; at: number } | null>(null);
  const older = useOlderDeadLetters(paused ? (paused.head.at(-1)?.id ?? null) : null);
  const recent = data?.deadLetters ?? [];
  const total = data?.counters.deadLettered ?? 0;
  const rows = paused ? [...paused.head, ...(older.data?.pages.flatMap((p) => p.deadLetters) ?? [])] : recent;
  const at = paused ? paused.at : data ? Date.parse(data.at) : 0;
  const moreOnServer = paused ? older.hasNextPage || older.isPending : recent.length > 0 && total > recent.length;

  return (
    <section className={`panel ${styles.deadLettersPanel}`} aria-labelledby="dead-letters-title" data-testid="dead-letters">
      <header className="panel__header">
        <h2 id="dead-letters-title">Dead letters</h2>
        <span className="panel__meta">
          {paused ? (
            <>
              paused at {formatClockTime(paused.at)} ·{" "}
              <button type="button" className={styles.linkButton} onClick={() => setPaused(null)}>
                back to live
              </button>
            </>
          ) : !data ? null : total === 0 ? (
            "none yet"
          ) : rows.length >= total ? (
            `all ${formatInteger(total)}, newest first`
          ) : (
            `latest ${formatInteger(rows.length)} of ${formatInteger(total)}, newest first`
          )}
        </span>
      </header>
      <DataState
        subject="dead letters"
        loading={loading}
        error={paused ? older.error : null}
        empty={data !== undefined && rows.length === 0}
        emptyMessage={<>Every message consumed so far was a valid view event.</>}
        onRetry={() => void older.refetch()}
        skeleton={<SkeletonRows rows={4} />}
      >
        <DeadLettersTable rows={rows} at={at} />
        {moreOnServer ? (
          <div className={styles.more}>
            <button
              type="button"
              className="button"
              disabled={older.isFetching}
              onClick={() => (paused ? void older.fetchNextPage() : data && setPaused({ head: recent, at: Date.parse(data.at) }))}
            >
              {older.isFetching ? "Loading…" : "Show older"}
            </button>
          </div>
        ) : null}
      </DataState>
    </section>
  );
}
