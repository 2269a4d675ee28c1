import type { PipelinePartition } from "@/lib/api/pipeline";
import { formatCount, formatInteger, NO_VALUE } from "@/lib/format";
import { formatAgo } from "./format-age";
import styles from "./pipeline.module.css";

/** A partition behind the log whose stored offset has not moved for this long is flagged as stalled. */
const STALLED_AFTER_MS = 30_000;

const offset = (value: number | null) => (value === null ? NO_VALUE : formatInteger(value));

function groupByTopic(partitions: PipelinePartition[]): [string, PipelinePartition[]][] {
  const groups = new Map<string, PipelinePartition[]>();
  for (const p of partitions) groups.set(p.topic, [...(groups.get(p.topic) ?? []), p]);
  return [...groups];
}

/**
 * One row per partition, grouped by topic: the log's offsets against the offset committed with the
 * aggregates, the lag between them as a bar scaled to the most lagging partition, and the age of the
 * last commit (on the server's clock, `at`).
 */
export function PartitionsTable({ partitions, at }: { partitions: PipelinePartition[]; at: number }) {
  const maxLag = Math.max(1, ...partitions.map((p) => p.lag ?? 0));
  return (
    <div className="table-scroll">
      <table className={`data-table ${styles.partitions}`} data-testid="pipeline-partitions">
        <thead>
          <tr>
            <th scope="col">Partition</th>
            <th scope="col" className="num" title="Oldest offset the log still holds">
              Log start
            </th>
            <th scope="col" className="num" title="High watermark: the offset the next message will get">
              Log end
            </th>
            <th scope="col" className="num" title="Next offset to read, stored in the same transaction as the aggregates">
              Committed
            </th>
            <th scope="col" className="num col-bar">Lag</th>
            <th scope="col" className="num">Last commit</th>
          </tr>
        </thead>
        {groupByTopic(partitions).map(([topic, rows]) => {
          const topicLag = rows.some((r) => r.lag === null) ? null : rows.reduce((n, r) => n + (r.lag ?? 0), 0);
          return (
            <tbody key={topic} data-topic={topic}>
              <tr className={styles.topicRow}>
                <th scope="rowgroup" colSpan={6}>
                  <span className={styles.topicName}>{topic}</span>
                  <span className={styles.topicMeta}>
                    {rows.length} partitions · lag <span className="num">{topicLag === null ? NO_VALUE : formatCount(topicLag)}</span>
                  </span>
                </th>
              </tr>
              {rows.map((p) => {
                const age = p.committedAt === null ? null : at - Date.parse(p.committedAt);
                const stalled = (p.lag ?? 0) > 0 && (age === null || age > STALLED_AFTER_MS);
                return (
                  <tr
                    key={p.partition}
                    data-topic={p.topic}
                    data-partition={p.partition}
                    data-committed={p.committedOffset ?? undefined}
                    className={stalled ? styles.stalled : undefined}>
                    <th scope="row" className={styles.partition}>
                      {p.partition}
                    </th>
                    <td className="num muted">{offset(p.startOffset)}</td>
                    <td className="num">{offset(p.endOffset)}</td>
                    <td className="num">{offset(p.committedOffset)}</td>
                    <td className="num col-bar" data-testid="partition-lag" data-lag={p.lag ?? undefined}>
                      {p.lag === null ? (
                        <span className="muted">{NO_VALUE}</span>
                      ) : (
                        <span className="cell-bar">
                          <span className="cell-bar__track" aria-hidden="true">
                            <span className={`cell-bar__fill ${styles.lagFill}`} style={{ width: `${(p.lag / maxLag) * 100}%` }} />
                          </span>
                          <span className={`cell-bar__value${p.lag === 0 ? " muted" : ""}`}>{formatInteger(p.lag)}</span>
                        </span>
                      )}
                    </td>
                    <td className="num" title={p.committedAt ?? "The group has not committed this partition yet"}>
                      {age === null ? <span className="muted">never</span> : formatAgo(age)}
                      {stalled ? (
                        <span className={styles.stalledTag} title="Messages are waiting and nothing was committed for over 30 s">
                          stalled
                        </span>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          );
        })}
      </table>
    </div>
  );
}
