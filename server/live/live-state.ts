import type { ParsedEvent } from "../../lib/events/view-event";
import type { GenresSnapshot, OverviewSnapshot, TitleNow } from "../../lib/live/contract";
import { RateMeter } from "../../lib/live/rate-meter";
import { LiveWindows, MINUTE_MS, type LiveView, type UserWindowFeatures } from "../../lib/windows/live-windows";

export interface TitleInfo {
  name: string;
  genre: string | null;
}

const TOP_TITLES = 10;
/** Movement arrows compare with the window that ended this long ago. */
const RANK_LOOKBACK_MS = 5 * MINUTE_MS;
/**
 * Channels ticking together (overview, genres) and the HTTP snapshot share one computation of the
 * windows if they ask within this long of each other.
 */
const FRAME_REUSE_MS = 200;

interface Frame {
  at: number;
  view: LiveView;
}

/**
 * What the live view knows: event-time windows fed by committed batches, the processing rate, and
 * the catalog names to label titles. Snapshots are computed from it once per tick.
 */
export class LiveState {
  private readonly windows = new LiveWindows();
  private readonly rate = new RateMeter(10);
  private lateEvents = 0;
  private deadLetters = 0;
  private newestEventTime: number | null = null;
  private frame: Frame | null = null;
  /**
   * Title ranks per event-time minute, as last computed while that minute was current: the movement
   * arrows read the one from RANK_LOOKBACK_MS ago instead of computing a second view (an expensive
   * union of viewer sets at high rates).
   */
  private readonly ranksByMinute = new Map<number, Map<string, number>>();

  constructor(
    private readonly clock: () => number,
    private readonly titles: Map<string, TitleInfo>,
  ) {}

  /** Feeds valid events of one partition (`source`), e.g. a batch the aggregator just committed. */
  record(events: readonly ParsedEvent[], source: string): void {
    const now = this.clock();
    let newest = this.newestEventTime ?? -Infinity;
    for (const e of events) {
      if (this.windows.add(e, now, source) === "late") this.lateEvents++;
      if (e.time > newest) newest = e.time;
    }
    if (events.length > 0) this.newestEventTime = newest;
    this.rate.add(events.length, now);
    // Here, not only when a snapshot is read: a process nobody watches would keep every minute.
    this.windows.evict(now);
  }

  /** Minute buckets the live windows hold (bounded by their hour of history). */
  retainedMinutes(): number {
    return this.windows.bucketCount();
  }

  /** Dead letters stored so far (read from Postgres: the aggregator may run in another process). */
  setDeadLetters(total: number): void {
    this.deadLetters = total;
  }

  private currentFrame(now: number): Frame {
    if (this.frame && now >= this.frame.at && now - this.frame.at < FRAME_REUSE_MS) return this.frame;
    this.windows.evict(now);
    const view = this.windows.view(now, Infinity);
    const minute = Math.floor(now / MINUTE_MS) * MINUTE_MS;
    this.ranksByMinute.set(minute, new Map(view.topTitles.map((t, i) => [t.titleId, i + 1])));
    for (const m of this.ranksByMinute.keys()) if (m < minute - RANK_LOOKBACK_MS) this.ranksByMinute.delete(m);
    this.frame = { at: now, view };
    return this.frame;
  }

  /** Ranks in the window that ended RANK_LOOKBACK_MS before the current minute. */
  private rankBefore(now: number): Map<string, number> {
    const before = Math.floor(now / MINUTE_MS) * MINUTE_MS - RANK_LOOKBACK_MS;
    let ranks = this.ranksByMinute.get(before);
    if (!ranks) {
      // Nobody asked during that minute (just started, or no screen was watching): compute it once,
      // without the distinct viewers a past window would have to union.
      ranks = new Map(this.windows.topTitleIds(before).map((id, i) => [id, i + 1]));
      this.ranksByMinute.set(before, ranks);
    }
    return ranks;
  }

  snapshot(): OverviewSnapshot {
    const now = this.clock();
    const { at, view } = this.currentFrame(now);
    const before = this.rankBefore(at);
    const topTitles: TitleNow[] = view.topTitles.slice(0, TOP_TITLES).map((t) => {
      const info = this.titles.get(t.titleId);
      return { ...t, name: info?.name ?? t.titleId, genre: info?.genre ?? null, rankBefore: before.get(t.titleId) ?? null };
    });
    return {
      at,
      eventsPerSec: this.rate.rate(at),
      activeViewers: view.activeViewers,
      watchMinutesLastMinute: view.watchMinutesLastMinute,
      series: view.series,
      topTitles,
      watermark: this.windows.watermark(),
      newestEventTime: this.newestEventTime,
      lateEvents: this.lateEvents,
      deadLetters: this.deadLetters,
    };
  }

  /** Watch minutes per genre over the same 5-minute window as the top titles. */
  genres(): GenresSnapshot {
    const { at, view } = this.currentFrame(this.clock());
    const byGenre = new Map<string | null, { watchMinutes: number; titles: number }>();
    let total = 0;
    for (const t of view.topTitles) {
      const genre = this.titles.get(t.titleId)?.genre ?? null;
      const g = byGenre.get(genre) ?? { watchMinutes: 0, titles: 0 };
      g.watchMinutes += t.watchMinutes;
      g.titles += 1;
      byGenre.set(genre, g);
      total += t.watchMinutes;
    }
    const genres = [...byGenre]
      .map(([genre, g]) => ({ genre, watchMinutes: g.watchMinutes, share: total > 0 ? g.watchMinutes / total : 0, titles: g.titles }))
      .sort((a, b) => b.watchMinutes - a.watchMinutes || (a.genre ?? "~").localeCompare(b.genre ?? "~"));
    return { at, totalWatchMinutes: total, genres };
  }

  userWindows(userId: string): UserWindowFeatures[] {
    return this.windows.userWindows(userId, this.clock());
  }
}
