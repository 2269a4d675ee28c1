import { describe, expect, it } from "vitest";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { TOPICS, VIEW_EVENT_TOPICS } from "../config/topics";
import {
  encodeViewEvent,
  EVENT_TYPES,
  MAX_EVENT_BYTES,
  MAX_WATCH_DURATION_S,
  parseViewEvent,
  topicForEventType,
  viewEventSchema,
  type EventType,
  type ParsedEvent,
} from "./view-event";

/** The processing clock every case is parsed against: 2026-09-09T12:00:00Z. */
const NOW = Date.UTC(2026, 8, 9, 12, 0, 0);
const HOUR = 3600_000;

/** A valid watch event in the wire format; cases override fields (undefined drops a field). */
function wire(overrides: Record<string, unknown> = {}): string {
  const base: Record<string, unknown> = {
    event_id: "e_1",
    user_id: "u_123",
    title_id: "t_456",
    event_type: "watch",
    event_time: "2026-09-09T10:00:00Z",
    watch_duration: 300,
  };
  return JSON.stringify({ ...base, ...overrides });
}

const utf8 = (s: string) => new TextEncoder().encode(s);

/** Pads a valid event with an unknown field so that its UTF-8 encoding is exactly `bytes` long. */
function eventOfBytes(bytes: number): string {
  const empty = wire({ pad: "" });
  const text = wire({ pad: "x".repeat(bytes - utf8(empty).byteLength) });
  expect(utf8(text).byteLength).toBe(bytes);
  return text;
}

const T10 = Date.UTC(2026, 8, 9, 10, 0, 0);
const watch: ParsedEvent = { eventId: "e_1", userId: "u_123", titleId: "t_456", type: "watch", time: T10, watchSeconds: 300 };

describe("parseViewEvent accepts the wire format", () => {
  it.each<{ name: string; raw: string | Uint8Array; event: ParsedEvent }>([
    { name: "a watch event", raw: wire(), event: watch },
    {
      name: "a watch event with device and country",
      raw: wire({ device: "tv", country: "DE" }),
      event: { ...watch, device: "tv", country: "DE" },
    },
    { name: "a like without watch_duration (defaults to 0)", raw: wire({ event_type: "like", watch_duration: undefined }), event: { ...watch, type: "like", watchSeconds: 0 } },
    { name: "a dislike", raw: wire({ event_type: "dislike", watch_duration: 0 }), event: { ...watch, type: "dislike", watchSeconds: 0 } },
    { name: "a search with a query", raw: wire({ event_type: "search", query: "space opera", watch_duration: undefined }), event: { ...watch, type: "search", watchSeconds: 0 } },
    { name: "a rating of 1", raw: wire({ event_type: "rating", rating: 1 }), event: { ...watch, type: "rating", watchSeconds: 0, rating: 1 } },
    { name: "a rating of 5", raw: wire({ event_type: "rating", rating: 5 }), event: { ...watch, type: "rating", watchSeconds: 0, rating: 5 } },
    { name: "a non-watch event carrying a watch_duration (counts 0 seconds)", raw: wire({ event_type: "like", watch_duration: 120 }), event: { ...watch, type: "like", watchSeconds: 0 } },
    { name: "a watch of 0 seconds", raw: wire({ watch_duration: 0 }), event: { ...watch, watchSeconds: 0 } },
    { name: "a watch of exactly MAX_WATCH_DURATION_S", raw: wire({ watch_duration: MAX_WATCH_DURATION_S }), event: { ...watch, watchSeconds: MAX_WATCH_DURATION_S } },
    { name: "fractional watch seconds", raw: wire({ watch_duration: 12.5 }), event: { ...watch, watchSeconds: 12.5 } },
    {
      name: "unknown extra fields (ignored)",
      raw: wire({ schema_version: 3, experiment: { id: "x", arm: "b" }, tags: ["a"], session_id: null }),
      event: watch,
    },
    { name: "a title id not in any catalog", raw: wire({ title_id: "t_never_seen" }), event: { ...watch, titleId: "t_never_seen" } },
    { name: "an event_time with a +02:00 offset", raw: wire({ event_time: "2026-09-09T12:00:00+02:00" }), event: watch },
    { name: "an event_time with a -05:30 offset", raw: wire({ event_time: "2026-09-09T04:30:00-05:30" }), event: watch },
    { name: "an event_time with milliseconds", raw: wire({ event_time: "2026-09-09T10:00:00.123Z" }), event: { ...watch, time: T10 + 123 } },
    { name: "an event_time on a leap day", raw: wire({ event_time: "2024-02-29T10:00:00Z" }), event: { ...watch, time: Date.UTC(2024, 1, 29, 10) } },
    { name: "an event_time of exactly 2000-01-01T00:00:00Z", raw: wire({ event_time: "2000-01-01T00:00:00Z" }), event: { ...watch, time: Date.UTC(2000, 0, 1) } },
    { name: "an event_time exactly 24 h ahead of the clock", raw: wire({ event_time: "2026-09-10T12:00:00Z" }), event: { ...watch, time: NOW + 24 * HOUR } },
    { name: "UTF-8 bytes with non-ASCII ids", raw: utf8(wire({ user_id: "ü_1", title_id: "t_日本" })), event: { ...watch, userId: "ü_1", titleId: "t_日本" } },
    { name: "ids of 128 characters", raw: wire({ user_id: "u".repeat(128) }), event: { ...watch, userId: "u".repeat(128) } },
    { name: "a message of exactly MAX_EVENT_BYTES", raw: eventOfBytes(MAX_EVENT_BYTES), event: watch },
    { name: "a byte message of exactly MAX_EVENT_BYTES", raw: utf8(eventOfBytes(MAX_EVENT_BYTES)), event: watch },
  ])("$name", ({ raw, event }) => {
    expect(parseViewEvent(raw, NOW)).toEqual({ ok: true, event });
  });

  it.each(EVENT_TYPES.map((t) => [t]))("every event type is accepted: %s", (type) => {
    const result = parseViewEvent(wire({ event_type: type, rating: type === "rating" ? 3 : undefined }), NOW);
    expect(result.ok && result.event.type).toBe(type);
  });

  it("round-trips what encodeViewEvent writes", () => {
    const raw = encodeViewEvent({ event_id: "e_9", user_id: "u_9", title_id: "t_9", event_type: "rating", event_time: "2026-09-09T10:00:00Z", rating: 4 });
    expect(parseViewEvent(raw, NOW)).toEqual({
      ok: true,
      event: { eventId: "e_9", userId: "u_9", titleId: "t_9", type: "rating", time: T10, watchSeconds: 0, rating: 4 },
    });
  });
});

describe("parseViewEvent rejects with a reason", () => {
  // A string that is within the limit in UTF-16 code units but over it in UTF-8 bytes.
  const multiByte = wire({ pad: "é".repeat(MAX_EVENT_BYTES / 2) });

  it.each<{ name: string; raw: string | Uint8Array | null; reason: string }>([
    { name: "a null message", raw: null, reason: "null" },
    { name: "an empty string", raw: "", reason: "not JSON" },
    { name: "plain text", raw: "watch u_1 t_1", reason: "not JSON" },
    { name: "truncated JSON", raw: wire().slice(0, -1), reason: "not JSON" },
    { name: "invalid UTF-8 bytes (0xff 0xfe)", raw: new Uint8Array([0xff, 0xfe, 0x7b, 0x7d]), reason: "not valid UTF-8" },
    { name: "an overlong UTF-8 encoding", raw: new Uint8Array([0x7b, 0xc0, 0xaf, 0x7d]), reason: "not valid UTF-8" },
    { name: "a UTF-8 encoded surrogate", raw: new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22]), reason: "not valid UTF-8" },
    { name: "a valid event followed by an invalid byte", raw: new Uint8Array([...utf8(wire()), 0x80]), reason: "not valid UTF-8" },
    { name: "a message of MAX_EVENT_BYTES + 1", raw: eventOfBytes(MAX_EVENT_BYTES + 1), reason: `exceeds ${MAX_EVENT_BYTES}` },
    { name: "a byte message of MAX_EVENT_BYTES + 1", raw: utf8(eventOfBytes(MAX_EVENT_BYTES + 1)), reason: `exceeds ${MAX_EVENT_BYTES}` },
    { name: "a string over the limit in UTF-8 bytes though not in characters", raw: multiByte, reason: "exceeds" },
    { name: "JSON null", raw: "null", reason: "invalid (root)" },
    { name: "a JSON array", raw: "[]", reason: "invalid (root)" },
    { name: "a JSON number", raw: "42", reason: "invalid (root)" },
    { name: "a JSON string", raw: '"watch"', reason: "invalid (root)" },
    { name: "an empty object", raw: "{}", reason: "invalid event_id" },
    { name: "a numeric event_id", raw: wire({ event_id: 17 }), reason: "invalid event_id" },
    { name: "an empty event_id", raw: wire({ event_id: "" }), reason: "invalid event_id: must not be empty" },
    { name: "an empty user_id", raw: wire({ user_id: "" }), reason: "invalid user_id: must not be empty" },
    { name: "a whitespace-only user_id", raw: wire({ user_id: "   " }), reason: "invalid user_id: must not be empty" },
    { name: "an empty title_id", raw: wire({ title_id: "" }), reason: "invalid title_id: must not be empty" },
    { name: "a missing title_id", raw: wire({ title_id: undefined }), reason: "invalid title_id" },
    { name: "a user_id longer than 128 characters", raw: wire({ user_id: "u".repeat(129) }), reason: "invalid user_id: is longer than 128" },
    { name: "an unknown event type", raw: wire({ event_type: "skip" }), reason: "invalid event_type" },
    { name: "an event type in the wrong case", raw: wire({ event_type: "Watch" }), reason: "invalid event_type" },
    { name: "a missing event type", raw: wire({ event_type: undefined }), reason: "invalid event_type" },
    { name: "a rating event without a rating", raw: wire({ event_type: "rating" }), reason: "invalid rating: rating events need a rating" },
    { name: "a rating event with a null rating", raw: wire({ event_type: "rating", rating: null }), reason: "invalid rating" },
    { name: "a rating of 0", raw: wire({ event_type: "rating", rating: 0 }), reason: "invalid rating" },
    { name: "a rating of 6", raw: wire({ event_type: "rating", rating: 6 }), reason: "invalid rating" },
    { name: "a fractional rating", raw: wire({ event_type: "rating", rating: 4.5 }), reason: "invalid rating" },
    { name: "a rating given as a string", raw: wire({ event_type: "rating", rating: "5" }), reason: "invalid rating" },
    { name: "a negative watch_duration", raw: wire({ watch_duration: -1 }), reason: "invalid watch_duration" },
    { name: "a watch_duration above MAX_WATCH_DURATION_S", raw: wire({ watch_duration: MAX_WATCH_DURATION_S + 1 }), reason: "invalid watch_duration" },
    { name: "a watch_duration given as a string", raw: wire({ watch_duration: "300" }), reason: "invalid watch_duration" },
    {
      name: "a watch_duration that overflows to Infinity",
      raw: wire().replace('"watch_duration":300', '"watch_duration":1e999'),
      reason: "invalid watch_duration",
    },
    { name: "a device longer than 32 characters", raw: wire({ device: "d".repeat(33) }), reason: "invalid device" },
    { name: "a three-letter country", raw: wire({ country: "DEU" }), reason: "invalid country" },
    { name: "an event_time without a time zone", raw: wire({ event_time: "2026-09-09T10:00:00" }), reason: "invalid event_time" },
    { name: "an event_time with a space separator", raw: wire({ event_time: "2026-09-09 10:00:00Z" }), reason: "invalid event_time" },
    { name: "an event_time as epoch milliseconds", raw: wire({ event_time: T10 }), reason: "invalid event_time" },
    { name: "an event_time that is only a day", raw: wire({ event_time: "2026-09-09" }), reason: "invalid event_time" },
    { name: "an event_time on a day that does not exist", raw: wire({ event_time: "2026-02-30T10:00:00Z" }), reason: "invalid event_time" },
    { name: "an event_time at hour 24", raw: wire({ event_time: "2026-09-09T24:00:00Z" }), reason: "invalid event_time" },
    { name: "an event_time in words", raw: wire({ event_time: "yesterday" }), reason: "invalid event_time" },
    { name: "an event_time 1 s before 2000", raw: wire({ event_time: "1999-12-31T23:59:59Z" }), reason: "is before 2000" },
    { name: "an event_time at the epoch (a clock at 0)", raw: wire({ event_time: "1970-01-01T00:00:00Z" }), reason: "is before 2000" },
    { name: "an event_time offset to before 2000", raw: wire({ event_time: "2000-01-01T00:30:00+01:00" }), reason: "is before 2000" },
    { name: "an event_time 24 h + 1 ms ahead of the clock", raw: wire({ event_time: "2026-09-10T12:00:00.001Z" }), reason: "more than 24h in the future" },
    { name: "an event_time with an offset, 24 h + 1 s ahead", raw: wire({ event_time: "2026-09-10T14:00:01+02:00" }), reason: "more than 24h in the future" },
    { name: "an event_time in 2099", raw: wire({ event_time: "2099-01-01T00:00:00Z" }), reason: "more than 24h in the future" },
  ])("$name", ({ raw, reason }) => {
    const result = parseViewEvent(raw, NOW);
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.reason).toContain(reason);
  });

  it("rejects a NUL character, literal or escaped, which Postgres cannot store", () => {
    const base = { event_id: "e1", user_id: "u1", title_id: "t1", event_type: "watch", event_time: "2026-11-01T10:00:00Z", watch_duration: 60 };
    expect(parseViewEvent(JSON.stringify({ ...base, user_id: "u\u00001" }), Date.parse("2026-11-02"))).toEqual({ ok: false, reason: "contains a NUL character (U+0000)" });
    expect(parseViewEvent(JSON.stringify(base).replace('"u1"', '"u\\u00001"'), Date.parse("2026-11-02"))).toEqual({ ok: false, reason: "contains a NUL character (U+0000)" });
    expect(parseViewEvent(JSON.stringify(base), Date.parse("2026-11-02")).ok).toBe(true);
  });

  it("judges the future against the nowMs it is given, not the wall clock", () => {
    const raw = wire({ event_time: "2030-01-01T00:00:00Z" });
    expect(parseViewEvent(raw, NOW).ok).toBe(false);
    expect(parseViewEvent(raw, Date.UTC(2029, 11, 31, 12)).ok).toBe(true);
  });
});

describe("parseViewEvent never throws", () => {
  it("returns {ok:false} with a reason for 5,000 seeded random byte strings", () => {
    const rng = xoroshiro128plus(20260909);
    for (let i = 0; i < 5000; i++) {
      const bytes = new Uint8Array(uniformInt(rng, 0, 96));
      for (let j = 0; j < bytes.length; j++) bytes[j] = uniformInt(rng, 0, 255);
      let result: ReturnType<typeof parseViewEvent> | undefined;
      expect(() => (result = parseViewEvent(bytes, NOW)), `case ${i}`).not.toThrow();
      expect(result?.ok, `case ${i}`).toBe(false);
      expect(result && !result.ok && result.reason.length > 0, `case ${i}`).toBe(true);
    }
  });

  it("returns a result for 2,000 seeded byte mutations of a valid event", () => {
    const rng = xoroshiro128plus(7);
    const valid = utf8(wire({ event_type: "rating", rating: 4, device: "tv", country: "DE" }));
    let rejected = 0;
    for (let i = 0; i < 2000; i++) {
      const bytes = valid.slice();
      const flips = uniformInt(rng, 1, 4);
      for (let f = 0; f < flips; f++) bytes[uniformInt(rng, 0, bytes.length - 1)] = uniformInt(rng, 0, 255);
      const cut = uniformInt(rng, 0, 3) === 0 ? uniformInt(rng, 0, bytes.length) : bytes.length;
      let result: ReturnType<typeof parseViewEvent> | undefined;
      expect(() => (result = parseViewEvent(bytes.subarray(0, cut), NOW)), `case ${i}`).not.toThrow();
      if (result && !result.ok) {
        rejected++;
        expect(result.reason.length, `case ${i}`).toBeGreaterThan(0);
      }
    }
    // Most mutations break the event; a few only change an id or a digit and stay valid.
    expect(rejected).toBeGreaterThan(1000);
  });
});

describe("viewEventSchema", () => {
  it("drops unknown fields and defaults watch_duration to 0", () => {
    const parsed = viewEventSchema.parse({
      event_id: "e_1",
      user_id: "u_1",
      title_id: "t_1",
      event_type: "like",
      event_time: "2026-09-09T10:00:00Z",
      experiment: "x",
    });
    expect(parsed).toEqual({ event_id: "e_1", user_id: "u_1", title_id: "t_1", event_type: "like", event_time: "2026-09-09T10:00:00Z", watch_duration: 0 });
  });

  it("reports a rating event without a rating on the rating path", () => {
    const result = viewEventSchema.safeParse({ event_id: "e", user_id: "u", title_id: "t", event_type: "rating", event_time: "2026-09-09T10:00:00Z" });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join("."))).toEqual(["rating"]);
  });
});

describe("topicForEventType", () => {
  it.each<[EventType, string]>([
    ["watch", TOPICS.watch],
    ["like", TOPICS.like],
    ["dislike", TOPICS.like],
    ["rating", TOPICS.like],
    ["search", TOPICS.search],
  ])("%s events go to %s", (type, topic) => {
    expect(topicForEventType(type)).toBe(topic);
  });

  it("routes every event type to a topic the aggregator consumes", () => {
    for (const type of EVENT_TYPES) expect(VIEW_EVENT_TOPICS).toContain(topicForEventType(type));
  });
});
