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
  minute: number;
  watchCount: number;
  watchSeconds: number;
  titles: Set<string>;
  /** The same user in the latest earlier bucket: exact down to `trackedFrom`, cut below it. */
  prev: UserMinute | null;
}

interface MinuteBucket {
  minute: number;
  events: number;
  watchCount: number;
  watchSeconds: number;
  users: Map<string, UserMinute>;
  /** Per title watched. Who watched it is in `users` (each user's `titles`). */
  titles: Map<string, TitleMinute>;
  /** Users whose latest bucket this is (exact from `trackedFrom` on, see LiveWindows). */
  lastSeenUsers: number;
}

interface TitleMinute {
  watchSeconds: number;
  /** Viewers whose latest bucket with a watch of this title this is (exact from `trackedFrom` on). */
  lastSeenViewers: number;
}

type TitleTotals = Map<string, { watchSeconds: number; viewers: number }>;

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
 * Distinct counts (active viewers, each title's viewers) are not unions of the buckets' user sets,
 * which at high rates hold millions of entries. Instead each bucket counts the users for whom it is
 * the LATEST bucket they appear in ("last seen" there; an out-of-order event never moves that
 * back), and per title the viewers likewise. A user last seen within a window was active in it and
 * one last seen before it was not, so a window's active viewers are its buckets' counts added up,
 * plus the few users in it who were also seen in a later bucket (events ahead of the clock),
 * checked one by one.
 *
 * When a user or a (title, user) pair shows up in a newer bucket, its count moves there from the
 * bucket it was last seen in; each user's entries are linked newest to oldest (`prev`) to find it.
 * The counts are kept exact only from `trackedFrom`, the live window's start as of the clock, so
 * that look-back is short and the links are cut below it. A window starting earlier (one in the
 * past) is counted by going through its buckets instead. Watch time is additive: summed per bucket.
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
  /** The same buckets, oldest first. */
  private ordered: MinuteBucket[] = [];
  /** The buckets' last-seen counts are exact from this minute on: the live window's start, as of the latest clock. */
  private trackedFrom = -Infinity;
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
    this.trackedFrom = Math.max(this.trackedFrom, this.windowStart(nowMs));

    const b = this.buckets.get(minute) ?? this.createBucket(minute);
    b.events++;
    const u = b.users.get(e.userId) ?? this.addUser(b, e.userId);
    if (e.type === "watch") {
      b.watchCount++;
      b.watchSeconds += e.watchSeconds;
      u.watchCount++;
      u.watchSeconds += e.watchSeconds;
      let t = b.titles.get(e.titleId);
      if (!t) b.titles.set(e.titleId, (t = { watchSeconds: 0, lastSeenViewers: 0 }));
      t.watchSeconds += e.watchSeconds;
      if (!u.titles.has(e.titleId)) {
        u.titles.add(e.titleId);
        // The pair is last seen here now, unless seen in a later bucket; it was last seen in the
        // latest earlier bucket holding it.
        if (minute >= this.trackedFrom && !this.seenAfter(minute, e.userId, e.titleId)) {
          t.lastSeenViewers++;
          let before = u.prev;
          while (before && before.minute >= this.trackedFrom && !before.titles.has(e.titleId)) before = before.prev;
          if (before && before.minute >= this.trackedFrom) {
            const earlier = this.buckets.get(before.minute)?.titles.get(e.titleId);
            if (earlier) earlier.lastSeenViewers--;
          }
        }
      }
    }
    return "live";
  }

  /** A user's first event in bucket `b`: links the entry into the user's chain and moves their last-seen count. */
  private addUser(b: MinuteBucket, userId: string): UserMinute {
    const u: UserMinute = { minute: b.minute, watchCount: 0, watchSeconds: 0, titles: new Set(), prev: null };
    b.users.set(userId, u);
    if (b.minute < this.trackedFrom) return u; // before the tracked minutes: neither counted nor linked
    // The user's entry in the earliest later bucket, if any (out-of-order events, or ahead of the clock).
    let next: UserMinute | null = null;
    for (let i = this.ordered.length - 1; i >= 0 && this.ordered[i]!.minute > b.minute; i--) next = this.ordered[i]!.users.get(userId) ?? next;
    if (next) {
      u.prev = next.prev;
      next.prev = u;
    } else {
      // Last seen here now.
      u.prev = this.latestEntryBefore(b.minute, userId);
      b.lastSeenUsers++;
      if (u.prev) this.buckets.get(u.prev.minute)!.lastSeenUsers--;
    }
    // Nothing below `trackedFrom` is looked at: cut there, so the chain keeps no evicted bucket's entries alive.
    let last = u;
    while (last.prev && last.prev.minute >= this.trackedFrom) last = last.prev;
    last.prev = null;
    return u;
  }

  private createBucket(minute: number): MinuteBucket {
    const b: MinuteBucket = {
      minute,
      events: 0,
      watchCount: 0,
      watchSeconds: 0,
      users: new Map(),
      titles: new Map(),
      lastSeenUsers: 0,
    };
    this.buckets.set(minute, b);
    let i = this.ordered.length;
    while (i > 0 && this.ordered[i - 1]!.minute > minute) i--;
    this.ordered.splice(i, 0, b);
    return b;
  }

  /** Whether a bucket after `minute` holds the user (with a watch of `titleId`, if given). */
  private seenAfter(minute: number, userId: string, titleId?: string): boolean {
    for (let i = this.ordered.length - 1; i >= 0 && this.ordered[i]!.minute > minute; i--) {
      const u = this.ordered[i]!.users.get(userId);
      if (u && (titleId === undefined || u.titles.has(titleId))) return true;
    }
    return false;
  }

  /** The user's entry in the latest bucket in [trackedFrom, minute). */
  private latestEntryBefore(minute: number, userId: string): UserMinute | null {
    let i = this.ordered.length - 1;
    while (i >= 0 && this.ordered[i]!.minute >= minute) i--;
    for (; i >= 0 && this.ordered[i]!.minute >= this.trackedFrom; i--) {
      const u = this.ordered[i]!.users.get(userId);
      if (u) return u;
    }
    return null;
  }

  /** Minute buckets held now (at most the chart history, plus minutes ahead of the clock). */
  bucketCount(): number {
    return this.ordered.length;
  }

  /** Drops buckets older than the chart history. Cheap when there is nothing to drop. */
  evict(nowMs: number): void {
    const start = this.horizonStart(nowMs);
    if (this.ordered.length === 0 || this.ordered[0]!.minute >= start) return;
    for (const b of this.ordered) if (b.minute < start) this.buckets.delete(b.minute);
    this.ordered = this.ordered.filter((b) => b.minute >= start);
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

  /** Start of the sliding window as of `nowMs`: it ends with the current minute. */
  private windowStart(nowMs: number): number {
    return Math.floor(nowMs / MINUTE_MS) * MINUTE_MS + MINUTE_MS - this.windowMs;
  }

  /** Watch seconds per title over the window's buckets, summed in minute order; viewers still 0. */
  private static watchTotals(inWindow: MinuteBucket[]): TitleTotals {
    const titles: TitleTotals = new Map();
    for (const b of inWindow) {
      for (const [id, t] of b.titles) {
        const agg = titles.get(id);
        if (agg) agg.watchSeconds += t.watchSeconds;
        else titles.set(id, { watchSeconds: t.watchSeconds, viewers: 0 });
      }
    }
    return titles;
  }

  private static ranked(titles: TitleTotals): LiveView["topTitles"] {
    return [...titles]
      .map(([titleId, t]) => ({ titleId, watchMinutes: t.watchSeconds / 60, viewers: t.viewers }))
      .sort((a, b) => b.watchMinutes - a.watchMinutes || a.titleId.localeCompare(b.titleId));
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
    const windowStart = this.windowStart(nowMs);
    const windowEnd = current + MINUTE_MS;
    const inWindow = this.bucketsIn(windowStart, windowEnd);
    const titles = LiveWindows.watchTotals(inWindow);
    const activeViewers =
      windowStart >= this.trackedFrom ? this.countFromLastSeen(inWindow, windowEnd, titles) : LiveWindows.countByUnion(inWindow, titles);
    const lastComplete = this.buckets.get(current - MINUTE_MS);
    return {
      series,
      activeViewers,
      watchMinutesLastMinute: lastComplete ? lastComplete.watchSeconds / 60 : 0,
      topTitles: LiveWindows.ranked(titles).slice(0, topN),
    };
  }

  /**
   * The titles of the window as of `nowMs`, in the order of `view(nowMs).topTitles` (watch minutes,
   * then title id), without counting distinct viewers: cheap for a window in the past too.
   */
  topTitleIds(nowMs: number): string[] {
    const inWindow = this.bucketsIn(this.windowStart(nowMs), Math.floor(nowMs / MINUTE_MS) * MINUTE_MS + MINUTE_MS);
    return LiveWindows.ranked(LiveWindows.watchTotals(inWindow)).map((t) => t.titleId);
  }

  /**
   * Distinct users of a window starting at or after `trackedFrom` (its buckets `inWindow`, ending at
   * `windowEnd`), returned; distinct viewers per title added to `titles`.
   */
  private countFromLastSeen(inWindow: MinuteBucket[], windowEnd: number, titles: TitleTotals): number {
    // Those last seen within the window…
    let users = 0;
    for (const b of inWindow) {
      users += b.lastSeenUsers;
      for (const [titleId, t] of b.titles) titles.get(titleId)!.viewers += t.lastSeenViewers;
    }
    // …and those in it too among the ones last seen after it, each in the bucket it was last seen in.
    for (let i = this.ordered.length - 1; i >= 0 && this.ordered[i]!.minute >= windowEnd; i--) {
      const later = this.ordered[i]!;
      for (const [userId, laterUser] of later.users) {
        let within: UserMinute[] | null = null;
        for (const b of inWindow) {
          const u = b.users.get(userId);
          if (u) (within ??= []).push(u);
        }
        if (!within) continue;
        if (!this.seenAfter(later.minute, userId)) users++;
        for (const titleId of laterUser.titles) {
          if (within.some((u) => u.titles.has(titleId)) && !this.seenAfter(later.minute, userId, titleId)) titles.get(titleId)!.viewers++;
        }
      }
    }
    return users;
  }

  /**
   * Distinct users and viewers of any window, straight from its buckets: each user (and each title
   * they watched) is counted in the last of the window's buckets holding them.
   */
  private static countByUnion(inWindow: MinuteBucket[], titles: TitleTotals): number {
    let users = 0;
    for (let i = 0; i < inWindow.length; i++) {
      for (const [userId, u] of inWindow[i]!.users) {
        if (inWindow.some((b, j) => j > i && b.users.has(userId))) continue;
        users++;
        let watched = u.titles;
        for (let j = 0; j < i; j++) {
          const earlier = inWindow[j]!.users.get(userId);
          if (!earlier || earlier.titles.size === 0) continue;
          if (watched === u.titles) watched = new Set(u.titles);
          for (const titleId of earlier.titles) watched.add(titleId);
        }
        for (const titleId of watched) titles.get(titleId)!.viewers++;
      }
    }
    return users;
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
