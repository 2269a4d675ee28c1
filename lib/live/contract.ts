import { z } from "zod";

/**
 * The socket.io contract shared by server/live and the browser: event names, payloads, channels.
 * Clients join channels (socket.io rooms) with `subscribe`; the server answers at once with the
 * channel's latest snapshot, then pushes one per CHANNEL_INTERVAL_MS. Snapshots are whole states,
 * not deltas, so a slow or reconnecting client only ever needs the newest one.
 */
export const CHANNELS = ["overview", "genres", "retention", "pipeline", "experiments"] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * How often each channel's snapshot is pushed, ms. Live windows change every second; the others are
 * read from Postgres, once per interval for the whole cluster (the publishing gateway reads them).
 * Clients use it to tell a stalled feed from a slow one.
 */
export const CHANNEL_INTERVAL_MS: Readonly<Record<Channel, number>> = {
  overview: 1_000,
  genres: 1_000,
  retention: 30_000,
  pipeline: 10_000,
  experiments: 30_000,
};

export const subscribeSchema = z.object({ channel: z.enum(CHANNELS) });
export type SubscribeRequest = z.infer<typeof subscribeSchema>;

export interface MinutePoint {
  /** Start of the event-time minute, epoch ms. */
  minute: number;
  watchMinutes: number;
  events: number;
}

export interface TitleNow {
  titleId: string;
  /** Catalog name, or the id for titles not in the catalog. */
  name: string;
  genre: string | null;
  /** Watch minutes over the last 5 minutes of event time. */
  watchMinutes: number;
  viewers: number;
  /**
   * 1-based rank among all titles in the 5-minute window that ended 5 minutes earlier; null when the
   * title was not watched then (new in the ranking). Movement = rankBefore − current rank.
   */
  rankBefore: number | null;
}

export interface OverviewSnapshot {
  /** Server clock when the snapshot was taken, epoch ms. */
  at: number;
  /** Events processed per second, averaged over the last 10 s of processing. */
  eventsPerSec: number;
  /** Distinct users with any event in the last 5 minutes of event time. */
  activeViewers: number;
  /** Watch minutes in the last complete minute. */
  watchMinutesLastMinute: number;
  /** The last 60 minutes, oldest first, one point per minute (zeros where nothing happened). */
  series: MinutePoint[];
  /** Top titles by watch minutes in the last 5 minutes. */
  topTitles: TitleNow[];
  /** Current watermark (max event time − 10 min), epoch ms; null before the first event. */
  watermark: number | null;
  /** Latest event time counted so far, epoch ms; null before the first event. */
  newestEventTime: number | null;
  /** Events that arrived behind the watermark since start: counted in daily tables, not live. */
  lateEvents: number;
  deadLetters: number;
}

export interface GenreNow {
  /** Catalog genre; null for titles not in the catalog. */
  genre: string | null;
  /** Watch minutes over the last 5 minutes of event time. */
  watchMinutes: number;
  /** watchMinutes / total over all genres, 0..1. */
  share: number;
  /** Titles of this genre watched in the window. */
  titles: number;
}

export interface GenresSnapshot {
  at: number;
  /** Watch minutes over the last 5 minutes, all genres. */
  totalWatchMinutes: number;
  /** Every genre watched in the window, by watch minutes descending. */
  genres: GenreNow[];
}

export interface RetentionPoint {
  /** First-watch cohort day, YYYY-MM-DD (UTC). */
  cohort: string;
  size: number;
  /** Share of the cohort that watched on day 1 after its first; null until that day is over. */
  d1: number | null;
  /** Same for day 7. */
  d7: number | null;
}

export interface RetentionTrendSnapshot {
  at: number;
  /** One point per cohort day, oldest first (the last 28 complete days). */
  points: RetentionPoint[];
}

export interface PipelineLagSnapshot {
  at: number;
  /** False when the event log could not be read: lag figures are then null. */
  logOk: boolean;
  /** Messages appended to the log but not yet committed by the aggregator, all partitions. */
  totalLag: number | null;
  /** The partition furthest behind. */
  maxLag: { topic: string; partition: number; lag: number } | null;
  partitions: number;
  /** Messages appended / committed per second. */
  inPerSec: number | null;
  outPerSec: number | null;
  /** Newest commit of the aggregator, epoch ms; null before the first. */
  lastCommitAt: number | null;
  deadLettered: number;
  /** The most severe pipeline alert's title (processor failing, partitions stalled, log down); null when all is well. */
  alert: string | null;
}

export interface ExperimentVariantNow {
  key: string;
  name: string;
  isControl: boolean;
  /** Users assigned so far. */
  users: number;
  /** The primary metric (mean per user, rate or ratio) in the newest results snapshot; null before one. */
  primary: number | null;
  /** The primary metric's relative lift vs control with its interval and verdict; null for the control and while there is no comparison. */
  lift: { estimate: number; lower: number; upper: number; verdict: "better" | "worse" | "not yet clear" } | null;
}

export interface ExperimentGuardrailAlert {
  metricId: string;
  metricName: string;
  variantKey: string;
  /** e.g. "+12.0% (+4.1% to +19.9%), worse". */
  summary: string;
}

export interface ExperimentNow {
  key: string;
  name: string;
  /** Metric id (lib/metrics/catalog.ts). */
  primaryMetric: string;
  startedAt: number | null;
  /** The day the results snapshot runs up to; null before the first (the refresher computes them). */
  asOfDay: string | null;
  /** Users not split as the weights say (χ², p < 0.001): the figures are not to be trusted. */
  sampleRatioMismatch: boolean;
  /** Guardrail metrics that got significantly worse in some variant. */
  guardrailAlerts: ExperimentGuardrailAlert[];
  variants: ExperimentVariantNow[];
}

export interface ExperimentsSnapshot {
  at: number;
  /** Running experiments, most recently started first. */
  experiments: ExperimentNow[];
}

/** What each channel carries; its event is `${channel}:snapshot`. */
export interface ChannelPayloads {
  overview: OverviewSnapshot;
  genres: GenresSnapshot;
  retention: RetentionTrendSnapshot;
  pipeline: PipelineLagSnapshot;
  experiments: ExperimentsSnapshot;
}

export type SnapshotEvent<C extends Channel = Channel> = `${C}:snapshot`;

export function snapshotEvent<C extends Channel>(channel: C): SnapshotEvent<C> {
  return `${channel}:snapshot`;
}

export interface ServerToClientEvents {
  "overview:snapshot": (snapshot: OverviewSnapshot) => void;
  "genres:snapshot": (snapshot: GenresSnapshot) => void;
  "retention:snapshot": (snapshot: RetentionTrendSnapshot) => void;
  "pipeline:snapshot": (snapshot: PipelineLagSnapshot) => void;
  "experiments:snapshot": (snapshot: ExperimentsSnapshot) => void;
  /** Sent before a graceful shutdown: reconnect (with backoff) rather than give up. */
  "server:restarting": () => void;
  /** A client message was rejected. */
  "client:error": (error: { message: string }) => void;
}

export interface ClientToServerEvents {
  subscribe: (request: SubscribeRequest) => void;
  unsubscribe: (request: SubscribeRequest) => void;
}

/** socket.io path, shared by server and client. */
export const SOCKET_PATH = "/socket.io";

/**
 * Reasons the server gives when it refuses a connection (connect_error's message starts with one),
 * so a screen can tell "fix the token" from "try again later".
 */
export const CONNECT_REFUSED = {
  unauthorized: "unauthorized",
  forbidden: "forbidden",
} as const;
