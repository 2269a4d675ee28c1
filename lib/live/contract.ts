import { z } from "zod";

/**
 * The socket.io contract shared by server/live and the browser: event names, payloads, channels.
 * Clients join channels (socket.io rooms) with `subscribe`; the server answers at once with the
 * channel's latest snapshot, then pushes one per second. Snapshots are whole states, not deltas,
 * so a slow or reconnecting client only ever needs the newest one.
 */
export const CHANNELS = ["overview"] as const;
export type Channel = (typeof CHANNELS)[number];

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
  /** Events that arrived behind the watermark since start: counted in daily tables, not live. */
  lateEvents: number;
  deadLetters: number;
}

export interface ServerToClientEvents {
  "overview:snapshot": (snapshot: OverviewSnapshot) => void;
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
