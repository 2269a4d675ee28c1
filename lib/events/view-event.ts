import { z } from "zod";
import { TOPICS, type TopicName } from "../config/topics";

/**
 * The wire contract for view events: one JSON object per message, UTF-8, snake_case field names.
 * Other teams' producers write it, so it only ever grows by optional fields.
 * Unknown extra fields are ignored; a title id not in the catalog is still counted.
 */
export const EVENT_TYPES = ["watch", "like", "dislike", "search", "rating"] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const DEVICES = ["tv", "mobile", "tablet", "web", "console"] as const;

/** Events further than this in the future of the processing clock are rejected as absurd. */
export const MAX_FUTURE_SKEW_MS = 24 * 3600_000;
/** Events older than this are rejected as absurd (a clock at epoch 0, a unit mix-up). */
export const EARLIEST_EVENT_TIME = Date.UTC(2000, 0, 1);
/** One message larger than this is dead-lettered without parsing. */
export const MAX_EVENT_BYTES = 16 * 1024;
/** A single watch event longer than this (seconds) is a broken client, not a binge. */
export const MAX_WATCH_DURATION_S = 12 * 3600;

const id = z.string().trim().min(1, "must not be empty").max(128, "is longer than 128 characters");

export const viewEventSchema = z
  .object({
    event_id: id,
    user_id: id,
    title_id: id,
    event_type: z.enum(EVENT_TYPES),
    /** ISO-8601 instant with an offset or Z, e.g. 2026-09-09T10:00:00Z. */
    event_time: z.iso.datetime({ offset: true }),
    /** Seconds watched; 0 for non-watch events. */
    watch_duration: z.number().finite().min(0).max(MAX_WATCH_DURATION_S).default(0),
    device: z.string().max(32).optional(),
    /** ISO 3166-1 alpha-2. */
    country: z.string().length(2).optional(),
    /** 1–5 stars, rating events only. */
    rating: z.number().int().min(1).max(5).optional(),
    /** Search text, search events only. */
    query: z.string().max(512).optional(),
  })
  .refine((e) => e.event_type !== "rating" || e.rating !== undefined, {
    message: "rating events need a rating from 1 to 5",
    path: ["rating"],
  });

export type ViewEvent = z.infer<typeof viewEventSchema>;
/** What producers may send: watch_duration may be omitted for non-watch events. */
export type ViewEventInput = z.input<typeof viewEventSchema>;

/** A validated event with its time parsed once, as the processor works with it. */
export interface ParsedEvent {
  eventId: string;
  userId: string;
  titleId: string;
  type: EventType;
  /** Event time, epoch milliseconds. */
  time: number;
  /** Seconds watched (watch events), else 0. */
  watchSeconds: number;
  rating?: number;
  device?: string;
  country?: string;
}

export type ParseResult = { ok: true; event: ParsedEvent } | { ok: false; reason: string };

/**
 * Parses one message value. Never throws: anything that is not a valid event comes back with a
 * reason fit for the dead-letter table. `nowMs` bounds how far in the future an event may be.
 */
export function parseViewEvent(raw: Uint8Array | string | null, nowMs: number): ParseResult {
  if (raw === null) return { ok: false, reason: "empty message (null value)" };
  const size = typeof raw === "string" ? Buffer.byteLength(raw) : raw.byteLength;
  if (size > MAX_EVENT_BYTES) return { ok: false, reason: `message of ${size} bytes exceeds ${MAX_EVENT_BYTES}` };
  let text: string;
  try {
    text = typeof raw === "string" ? raw : new TextDecoder("utf-8", { fatal: true }).decode(raw);
  } catch {
    return { ok: false, reason: "not valid UTF-8" };
  }
  // Postgres cannot store NUL (U+0000) in text: such an event could never be counted.
  if (text.includes("\u0000") || text.includes("\\u0000")) return { ok: false, reason: "contains a NUL character (U+0000)" };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}` };
  }
  const result = viewEventSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.join(".") || "(root)";
    return { ok: false, reason: `invalid ${path}: ${issue?.message ?? "unknown"}` };
  }
  const e = result.data;
  const time = Date.parse(e.event_time);
  if (time < EARLIEST_EVENT_TIME) return { ok: false, reason: `event_time ${e.event_time} is before 2000` };
  if (time > nowMs + MAX_FUTURE_SKEW_MS) return { ok: false, reason: `event_time ${e.event_time} is more than 24h in the future` };
  return {
    ok: true,
    event: {
      eventId: e.event_id,
      userId: e.user_id,
      titleId: e.title_id,
      type: e.event_type,
      time,
      watchSeconds: e.event_type === "watch" ? e.watch_duration : 0,
      rating: e.rating,
      device: e.device,
      country: e.country,
    },
  };
}

/** The topic a producer writes an event type to. */
export function topicForEventType(type: EventType): TopicName {
  if (type === "watch") return TOPICS.watch;
  if (type === "search") return TOPICS.search;
  return TOPICS.like; // like, dislike, rating: explicit feedback shares a topic
}

/** Serialises an event in the wire format. */
export function encodeViewEvent(e: ViewEventInput): string {
  return JSON.stringify(e);
}

export const titleSchema = z.object({
  title_id: id,
  title_name: z.string().min(1).max(256),
  genre: z.string().min(1).max(64),
  release_year: z.number().int().min(1880).max(2100),
});
export type Title = z.infer<typeof titleSchema>;
