import { CONSUMER_GROUPS, VIEW_EVENT_TOPICS } from "../../lib/config/topics";
import {
  HEALTH_REPORT_TTL_MS,
  RAW_PREVIEW_BYTES,
  STALL_AFTER_MS,
  type PipelineAlert,
  type DeadLetterEntry,
  type DeadLettersResponse,
  type PipelinePartition,
  type PipelineResponse,
} from "../../lib/api/pipeline";
import type { Db } from "../db/client";
import type { TopicPartitionOffset } from "../log/types";
import type { Services } from "../services";
import { readHealthReports, type ProcessorHealthReport } from "../stream/processor-health";

/** A broker that does not answer must not hold the page's 2-second refresh hostage. */
const LOG_TIMEOUT_MS = 3_000;

interface OffsetSample {
  at: number;
  /** Sum of the end offsets. */
  end: number;
  /** Sum of the committed offsets. */
  committed: number;
}

/**
 * Messages in and out per second from the growth of summed offsets between samples. Each call adds
 * a sample and measures against the oldest one kept that is at least `minSpanMs` older, so the
 * rate averages over up to `windowMs` however many pages poll; past the window it falls back to
 * the previous sample, whatever its age (`windowSec` says over how long).
 */
export class OffsetRateSampler {
  private samples: OffsetSample[] = [];

  constructor(
    private readonly windowMs = 10_000,
    private readonly minSpanMs = 1_000,
  ) {}

  sample(now: OffsetSample): PipelineResponse["rates"] {
    const older = this.samples.filter((s) => now.at - s.at >= this.minSpanMs);
    const base = older.find((s) => now.at - s.at <= this.windowMs) ?? older.at(-1);
    if (base && (now.end < base.end || now.committed < base.committed)) {
      // Offsets went backwards (the database or the log was reset): old samples mean nothing now.
      this.samples = [now];
      return { inPerSec: null, outPerSec: null, windowSec: null };
    }
    this.samples = [...this.samples.filter((s) => now.at - s.at <= this.windowMs && s.at < now.at), now];
    if (!base) return { inPerSec: null, outPerSec: null, windowSec: null };
    const sec = (now.at - base.at) / 1000;
    return { inPerSec: (now.end - base.end) / sec, outPerSec: (now.committed - base.committed) / sec, windowSec: sec };
  }
}

// Sampled on each request rather than by a timer: the page polls every 2 s, and a timer would keep
// querying the broker in processes nobody is looking at. One sampler per process, on globalThis,
// because Next bundles each route handler with its own copy of this module.
const SAMPLER_KEY = Symbol.for("showrunner.pipeline-rate-sampler");
function processSampler(): OffsetRateSampler {
  const holder = globalThis as { [SAMPLER_KEY]?: OffsetRateSampler };
  return (holder[SAMPLER_KEY] ??= new OffsetRateSampler());
}

export interface GetPipelineOptions {
  clock?: () => number;
  /** Defaults to the process-wide sampler; tests pass their own. */
  sampler?: OffsetRateSampler;
  groupId?: string;
  topics?: readonly string[];
  deadLetterLimit?: number;
}

/**
 * The stream processor's health as the pipeline page shows it: per partition of the aggregator
 * group, the log's start and end offsets against the offset stored with the aggregates; the rates
 * in and out; late, counted and dead-lettered totals; and the latest dead letters. The stored
 * offsets are read from Postgres, so this works whichever process runs the aggregator; when the log
 * cannot be reached the stored side is still shown, with `log.ok` false.
 */
export async function getPipeline(services: Pick<Services, "db" | "log" | "live">, options: GetPipelineOptions = {}): Promise<PipelineResponse> {
  const clock = options.clock ?? Date.now;
  const groupId = options.groupId ?? CONSUMER_GROUPS.aggregator;
  const topics = options.topics ?? VIEW_EVENT_TOPICS;
  const { db, log } = services;

  const [offsets, stored, counters, recent, reports] = await Promise.all([
    readLogOffsets(services.log, topics),
    db.consumerOffset.findMany({ where: { groupId, topic: { in: [...topics] } } }),
    db.pipelineCounter.findMany({ where: { groupId, name: { in: ["counted", "dead_lettered"] } } }),
    listDeadLetters(db, { groupId, limit: options.deadLetterLimit ?? 20 }),
    readHealthReports(db, groupId),
  ]);
  const at = clock();

  const storedBy = new Map(stored.map((s) => [`${s.topic}/${s.partition}`, s]));
  let partitions: PipelinePartition[];
  if (offsets.ok) {
    const starts = new Map(offsets.starts.map((o) => [`${o.topic}/${o.partition}`, o.offset]));
    partitions = offsets.ends.map((end) => {
      const start = starts.get(`${end.topic}/${end.partition}`) ?? 0;
      const s = storedBy.get(`${end.topic}/${end.partition}`);
      const committed = s ? Number(s.nextOffset) : null;
      return {
        topic: end.topic,
        partition: end.partition,
        startOffset: start,
        endOffset: end.offset,
        committedOffset: committed,
        lag: Math.max(0, end.offset - (committed ?? start)),
        committedAt: s ? s.updatedAt.toISOString() : null,
      };
    });
  } else {
    partitions = stored.map((s) => ({
      topic: s.topic,
      partition: s.partition,
      startOffset: null,
      endOffset: null,
      committedOffset: Number(s.nextOffset),
      lag: null,
      committedAt: s.updatedAt.toISOString(),
    }));
  }
  partitions.sort((a, b) => topics.indexOf(a.topic) - topics.indexOf(b.topic) || a.partition - b.partition);

  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  // A partition never committed counts from where a new consumer would begin.
  const committedTotal = sum(partitions.map((p) => p.committedOffset ?? p.startOffset ?? 0));
  const endTotal = offsets.ok ? sum(partitions.map((p) => p.endOffset ?? 0)) : null;
  const rates =
    endTotal === null
      ? { inPerSec: null, outPerSec: null, windowSec: null }
      : (options.sampler ?? processSampler()).sample({ at, end: endTotal, committed: committedTotal });
  const counter = (name: string) => Number(counters.find((c) => c.name === name)?.value ?? 0);

  return {
    at: new Date(at).toISOString(),
    groupId,
    log: { kind: log.kind, ok: offsets.ok, error: offsets.ok ? null : offsets.error },
    partitions,
    totals: {
      lag: offsets.ok ? sum(partitions.map((p) => p.lag ?? 0)) : null,
      endOffset: endTotal,
      committedOffset: committedTotal,
    },
    rates,
    lateEvents: services.live ? services.live.snapshot().lateEvents : null,
    counters: { counted: counter("counted"), deadLettered: counter("dead_lettered") },
    deadLetters: recent.deadLetters,
    alerts: pipelineAlerts({ at, log: offsets, partitions, reports }),
  };
}

/** The banners of the pipeline page; see PipelineAlert for what each kind means. */
export function pipelineAlerts(input: {
  at: number;
  log: LogOffsets;
  partitions: PipelinePartition[];
  reports: ProcessorHealthReport[];
}): PipelineAlert[] {
  const alerts: PipelineAlert[] = [];
  const iso = (ms: number) => new Date(ms).toISOString();
  for (const r of input.reports) {
    if (r.state !== "failing" || !r.error || input.at - r.reportedAt > HEALTH_REPORT_TTL_MS) continue;
    const code = r.error.code ? ` (${r.error.code})` : "";
    alerts.push({
      kind: "processor-failing",
      severity: "critical",
      title: "The stream processor cannot write to Postgres",
      detail: `${r.error.message}${code}: batch ${r.error.partition}, attempt ${r.error.attempt}, retrying. Process ${r.process}. Nothing is lost; the batches commit once the database accepts writes again.`,
      since: iso(r.since),
    });
  }
  if (!input.log.ok) {
    alerts.push({ kind: "log-unreachable", severity: "critical", title: "The event log is not answering", detail: input.log.error, since: null });
  }
  const stalled = input.partitions.filter(
    (p) => (p.lag ?? 0) > 0 && p.committedAt !== null && input.at - Date.parse(p.committedAt) > STALL_AFTER_MS,
  );
  // A processor reporting its failure already explains the stall.
  if (stalled.length > 0 && !alerts.some((a) => a.kind === "processor-failing")) {
    const oldest = Math.min(...stalled.map((p) => Date.parse(p.committedAt!)));
    const waiting = stalled.reduce((a, p) => a + (p.lag ?? 0), 0);
    alerts.push({
      kind: "processor-stalled",
      severity: "warning",
      title: `${stalled.length} partition${stalled.length === 1 ? "" : "s"} not progressing`,
      detail: `${waiting} messages are waiting and nothing has been committed for them in over ${STALL_AFTER_MS / 1000} s (${stalled
        .slice(0, 4)
        .map((p) => `${p.topic}/${p.partition}`)
        .join(", ")}${stalled.length > 4 ? ", …" : ""}). Is a stream processor running?`,
      since: iso(oldest),
    });
  }
  return alerts;
}

type LogOffsets = { ok: true; starts: TopicPartitionOffset[]; ends: TopicPartitionOffset[] } | { ok: false; error: string };

async function readLogOffsets(log: Services["log"], topics: readonly string[]): Promise<LogOffsets> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the ${log.kind} log did not answer within ${LOG_TIMEOUT_MS / 1000} s`)), LOG_TIMEOUT_MS);
  });
  try {
    const [starts, ends] = await Promise.race([
      Promise.all([
        Promise.all(topics.map((t) => log.startOffsets(t))),
        Promise.all(topics.map((t) => log.endOffsets(t))),
      ]),
      timeout,
    ]);
    return { ok: true, starts: starts.flat(), ends: ends.flat() };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Dead letters of a consumer group, newest first, `limit` per page; `before` (an id) pages back.
 * Only the first RAW_PREVIEW_BYTES of each raw value leave the database.
 */
export async function listDeadLetters(
  db: Db,
  page: { groupId?: string; limit: number; before?: number },
): Promise<DeadLettersResponse> {
  const groupId = page.groupId ?? CONSUMER_GROUPS.aggregator;
  const rows = await db.$queryRaw<
    {
      id: bigint;
      topic: string;
      partition: number;
      offset: bigint;
      key: string | null;
      reason: string;
      received_at: Date;
      raw_head: Uint8Array | null;
      raw_bytes: number | null;
    }[]
  >`
    SELECT id, topic, partition, "offset", key, reason, received_at,
           substring(raw_value FROM 1 FOR ${RAW_PREVIEW_BYTES}::int) AS raw_head, octet_length(raw_value) AS raw_bytes
    FROM dead_letter
    WHERE group_id = ${groupId} AND (${page.before ?? null}::bigint IS NULL OR id < ${page.before ?? null}::bigint)
    ORDER BY id DESC
    LIMIT ${page.limit + 1}::int`;
  const deadLetters: DeadLetterEntry[] = rows.slice(0, page.limit).map((r) => ({
    id: Number(r.id),
    topic: r.topic,
    partition: r.partition,
    offset: Number(r.offset),
    key: r.key,
    reason: r.reason,
    receivedAt: r.received_at.toISOString(),
    // Buffer's UTF-8 decoding replaces invalid sequences (and a character cut at the edge) with U+FFFD.
    rawPreview: r.raw_head === null ? null : Buffer.from(r.raw_head).toString("utf8"),
    rawBytes: r.raw_bytes ?? 0,
  }));
  return { deadLetters, nextBefore: rows.length > page.limit ? deadLetters.at(-1)!.id : null };
}
