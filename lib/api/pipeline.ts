/**
 * JSON shapes of the pipeline view: `GET /api/pipeline` and `GET /api/pipeline/dead-letters`.
 * Offsets follow Kafka: a committed offset is the NEXT offset to read, so lag = end − committed.
 * Instants are ISO strings.
 */

export interface PipelinePartition {
  topic: string;
  partition: number;
  /** Oldest offset the log still holds; null while the log cannot be reached. */
  startOffset: number | null;
  /** High watermark: the offset the next appended record will get; null while the log cannot be reached. */
  endOffset: number | null;
  /** Next offset stored with the aggregates (consumer_offset); null before the group's first commit. */
  committedOffset: number | null;
  /**
   * Messages appended but not yet aggregated: end − committed, or end − start before the first
   * commit (where a new consumer begins). Null while the log cannot be reached.
   */
  lag: number | null;
  /** When the committed offset last moved; null before the first commit. */
  committedAt: string | null;
}

export interface DeadLetterEntry {
  id: number;
  topic: string;
  partition: number;
  offset: number;
  /** The record's key (the user id for view events), when it had one. */
  key: string | null;
  /** Why validation rejected it, as the aggregator wrote it. */
  reason: string;
  receivedAt: string;
  /** The first bytes of the raw value (at most `RAW_PREVIEW_BYTES`) as UTF-8, invalid bytes as U+FFFD; null for a null value. */
  rawPreview: string | null;
  /** Size of the whole raw value in bytes (0 for a null value). */
  rawBytes: number;
}

/** Bytes of a dead letter's raw value shown in `rawPreview`. */
export const RAW_PREVIEW_BYTES = 200;

export interface PipelineResponse {
  /** When the figures were read. */
  at: string;
  groupId: string;
  log: {
    kind: "memory" | "kafka";
    /** False when the log's offsets could not be read; `error` says why, offsets and lag are null. */
    ok: boolean;
    error: string | null;
  };
  /** One row per topic partition the group consumes, ordered by topic then partition. */
  partitions: PipelinePartition[];
  totals: {
    /** Sum of the partitions' lag; null while the log cannot be reached. */
    lag: number | null;
    /** Sum of the end offsets: messages ever appended to the consumed topics. */
    endOffset: number | null;
    /** Sum of the committed offsets: messages the group has aggregated or dead-lettered. */
    committedOffset: number;
  };
  rates: {
    /** Messages appended per second (growth of the end offsets); null until two samples ≥ 1 s apart exist. */
    inPerSec: number | null;
    /** Messages committed per second (growth of the committed offsets), valid and dead-lettered alike. */
    outPerSec: number | null;
    /** Seconds between the two samples the rates come from. */
    windowSec: number | null;
  };
  /** Events behind the live view's watermark since this process started; null in a process without live state. */
  lateEvents: number | null;
  /** Monotone totals from pipeline_counter. */
  counters: { counted: number; deadLettered: number };
  /** The most recent dead letters, newest first. */
  deadLetters: DeadLetterEntry[];
  /** What needs an operator now, most severe first; empty when all is well. */
  alerts: PipelineAlert[];
}

/**
 * A problem the pipeline page shows as a banner.
 * - `processor-failing`: a stream processor reports that its batches fail to commit (it keeps
 *   retrying; `detail` carries the database's error, e.g. SQLSTATE 53100 disk full).
 * - `processor-stalled`: partitions have messages waiting but their stored offset has not moved
 *   for STALL_AFTER_MS, whatever the reason (no processor running, one that died failing).
 * - `log-unreachable`: the event log's offsets could not be read.
 */
export interface PipelineAlert {
  kind: "processor-failing" | "processor-stalled" | "log-unreachable";
  severity: "critical" | "warning";
  title: string;
  detail: string;
  /** When the problem began, ISO; null when unknown. */
  since: string | null;
}

/** A partition with waiting messages whose stored offset is older than this is stalled. */
export const STALL_AFTER_MS = 60_000;
/** A failing processor's report older than this is no longer trusted (the process may be gone). */
export const HEALTH_REPORT_TTL_MS = 60_000;

export interface DeadLettersResponse {
  /** Newest first. */
  deadLetters: DeadLetterEntry[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextBefore: number | null;
}
