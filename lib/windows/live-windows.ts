import type { ParsedEvent } from "../events/view-event";

export const MINUTE_MS = 60_000;

export interface LiveWindowOptions {
  /** Sliding window length (DESIGN.md: 5 minutes). */
  windowMs?: number;
  /** How far the watermark trails the latest event time (DESIGN.md: 10 minutes). */
  allowedLatenessMs?: number;
  /** Minutes of per-minute history kept for the live chart. */
  historyMinutes?: number;
  /** A source (partition) silent for this long (processing time) stops holding the watermark back. */
  idleSourceMs?: number;
}

interface UserMinute {
  watchCount: number;
  watchSeconds: number;
  titles: Set<string>;
}

interface TitleMinute {
  watchSeconds: number;
  viewers: Set<string>;
}

interface MinuteBucket {
  events: number;
  watchCount: number;
  watchSeconds: number;
  users: Map<string, UserMinute>;
  titles: Map<string, TitleMinute>;
}

/** A user's features over one sliding window (window slides every minute). */
export interface UserWindowFeatures {
  /** Window start, epoch ms (inclusive); the window ends windowMs later (exclusive). */
  windowStart: number;
  watchCount: number;
  watchSeconds: number;
  distinctTitles: number;
}

export interface LiveView {
  series: { minute: number; watchMinutes: number; events: number }[];
  activeViewers: number;
  watchMinutesLastMinute: number;
  topTitles: { titleId: string; watchMinutes: number; viewers: number }[];
}

export type AddOutcome = "live" | "late" | "outside-horizon";

/**
 * Event-time windows for the live view, bucketed per minute so that every 5-minute window sliding
 * by 1 minute is a union of five buckets. Buckets older than the chart history are evicted, so
 * memory stays bounded.
 *
 * The watermark is the allowed lateness behind the SLOWEST active source (partition): each source's
 * events arrive in order but sources drift apart, so one running ahead must not make the others'
 * events late. A source silent for `idleSourceMs` stops counting. The watermark is recomputed as
 * sources come and go, so it can step back when a partition joins or resumes: that only makes the
 * live view more lenient. An event behind it is "late" for these windows (the daily tables still
 * take it).
 */
export class LiveWindows {
  private readonly windowMs: number;
  private readonly latenessMs: number;
  private readonly historyMinutes: number;
  private readonly idleSourceMs: number;
  private readonly buckets = new Map<number, MinuteBucket>();
  /** Per source: latest event time, and when (processing time) it was last heard from. */
  private readonly sources = new Map<string, { maxEventTime: number; lastSeenMs: number }>();
  private currentWatermark: number | null = null;

  constructor(options: LiveWindowOptions = {}) {
    this.windowMs = options.windowMs ?? 5 * MINUTE_MS;
    this.latenessMs = options.allowedLatenessMs ?? 10 * MINUTE_MS;
    this.historyMinutes = options.historyMinutes ?? 60;
    this.idleSourceMs = options.idleSourceMs ?? 60_000;
  }

  /** The slowest active source's latest event time minus the allowed lateness; null before the first event. */
  watermark(): number | null {
    return this.currentWatermark;
  }

  private observe(source: string, eventTime: number, nowMs: number): void {
    const s = this.sources.get(source);
    if (!s) this.sources.set(source, { maxEventTime: eventTime, lastSeenMs: nowMs });
    else {
      s.lastSeenMs = nowMs;
      if (eventTime > s.maxEventTime) s.maxEventTime = eventTime;
    }
    let slowest = Infinity;
    for (const [id, src] of this.sources) {
      if (nowMs - src.lastSeenMs > this.idleSourceMs) this.sources.delete(id);
      else if (src.maxEventTime < slowest) slowest = src.maxEventTime;
    }
    this.currentWatermark = slowest - this.latenessMs;
  }

  /**
   * Adds one event from `source` (a partition). `nowMs` is the processing clock: events older than
   * the chart history are not live (a backfill of last month passes through without filling the
   * live view).
   */
  add(e: ParsedEvent, nowMs: number, source = "default"): AddOutcome {
    const wm = this.sources.has(source) ? this.currentWatermark : null; // a new source is judged once it counts
    this.observe(source, e.time, nowMs);
    if (wm !== null && e.time < wm) return "late";
    const minute = Math.floor(e.time / MINUTE_MS) * MINUTE_MS;
    if (minute < this.horizonStart(nowMs)) return "outside-horizon";

    let b = this.buckets.get(minute);
    if (!b) {
      b = { events: 0, watchCount: 0, watchSeconds: 0, users: new Map(), titles: new Map() };
      this.buckets.set(minute, b);
    }
    b.events++;
    let u = b.users.get(e.userId);
    if (!u) {
      u = { watchCount: 0, watchSeconds: 0, titles: new Set() };
      b.users.set(e.userId, u);
    }
    if (e.type === "watch") {
      b.watchCount++;
      b.watchSeconds += e.watchSeconds;
      u.watchCount++;
      u.watchSeconds += e.watchSeconds;
      u.titles.add(e.titleId);
      let t = b.titles.get(e.titleId);
      if (!t) {
        t = { watchSeconds: 0, viewers: new Set() };
        b.titles.set(e.titleId, t);
      }
      t.watchSeconds += e.watchSeconds;
      t.viewers.add(e.userId);
    }
    return "live";
  }

  /** Drops buckets older than the chart history. Call once per tick. */
  evict(nowMs: number): void {
    const start = this.horizonStart(nowMs);
    for (const minute of this.buckets.keys()) if (minute < start) this.buckets.delete(minute);
  }

  private horizonStart(nowMs: number): number {
    return Math.floor(nowMs / MINUTE_MS) * MINUTE_MS - this.historyMinutes * MINUTE_MS;
  }

  private bucketsIn(fromMs: number, toMs: number): MinuteBucket[] {
    const out: MinuteBucket[] = [];
    for (let m = fromMs; m < toMs; m += MINUTE_MS) {
      const b = this.buckets.get(m);
      if (b) out.push(b);
    }
    return out;
  }

  /** The live view as of `nowMs`: the sliding window is the last `windowMs`, up to and including the current minute. */
  view(nowMs: number, topN = 10): LiveView {
    const current = Math.floor(nowMs / MINUTE_MS) * MINUTE_MS;
    const series: LiveView["series"] = [];
    for (let i = this.historyMinutes - 1; i >= 0; i--) {
      const minute = current - i * MINUTE_MS;
      const b = this.buckets.get(minute);
      series.push({ minute, watchMinutes: b ? b.watchSeconds / 60 : 0, events: b?.events ?? 0 });
    }
    const windowStart = current + MINUTE_MS - this.windowMs;
    const inWindow = this.bucketsIn(windowStart, current + MINUTE_MS);
    const users = new Set<string>();
    const titles = new Map<string, { watchSeconds: number; viewers: Set<string> }>();
    for (const b of inWindow) {
      for (const id of b.users.keys()) users.add(id);
      for (const [id, t] of b.titles) {
        let agg = titles.get(id);
        if (!agg) {
          agg = { watchSeconds: 0, viewers: new Set() };
          titles.set(id, agg);
        }
        agg.watchSeconds += t.watchSeconds;
        for (const v of t.viewers) agg.viewers.add(v);
      }
    }
    const topTitles = [...titles]
      .map(([titleId, t]) => ({ titleId, watchMinutes: t.watchSeconds / 60, viewers: t.viewers.size }))
      .sort((a, b) => b.watchMinutes - a.watchMinutes || a.titleId.localeCompare(b.titleId))
      .slice(0, topN);
    const lastComplete = this.buckets.get(current - MINUTE_MS);
    return {
      series,
      activeViewers: users.size,
      watchMinutesLastMinute: lastComplete ? lastComplete.watchSeconds / 60 : 0,
      topTitles,
    };
  }

  /** A user's sliding-window features for every window (sliding by one minute) that ends within the history. */
  userWindows(userId: string, nowMs: number): UserWindowFeatures[] {
    const current = Math.floor(nowMs / MINUTE_MS) * MINUTE_MS;
    const out: UserWindowFeatures[] = [];
    const first = this.horizonStart(nowMs);
    for (let start = first; start + this.windowMs <= current + MINUTE_MS; start += MINUTE_MS) {
      let watchCount = 0;
      let watchSeconds = 0;
      const titles = new Set<string>();
      for (const b of this.bucketsIn(start, start + this.windowMs)) {
        const u = b.users.get(userId);
        if (!u) continue;
        watchCount += u.watchCount;
        watchSeconds += u.watchSeconds;
        for (const t of u.titles) titles.add(t);
      }
      if (watchCount > 0) out.push({ windowStart: start, watchCount, watchSeconds, distinctTitles: titles.size });
    }
    return out;
  }
}
