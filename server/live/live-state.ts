import type { ParsedEvent } from "../../lib/events/view-event";
import type { OverviewSnapshot } from "../../lib/live/contract";
import { RateMeter } from "../../lib/live/rate-meter";
import { LiveWindows, type UserWindowFeatures } from "../../lib/windows/live-windows";

export interface TitleInfo {
  name: string;
  genre: string;
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

  constructor(
    private readonly clock: () => number,
    private readonly titles: Map<string, TitleInfo>,
  ) {}

  /** Feeds valid events of one partition (`source`), e.g. a batch the aggregator just committed. */
  record(events: readonly ParsedEvent[], source: string): void {
    const now = this.clock();
    for (const e of events) if (this.windows.add(e, now, source) === "late") this.lateEvents++;
    this.rate.add(events.length, now);
  }

  /** Dead letters stored so far (read from Postgres: the aggregator may run in another process). */
  setDeadLetters(total: number): void {
    this.deadLetters = total;
  }

  snapshot(): OverviewSnapshot {
    const now = this.clock();
    this.windows.evict(now);
    const view = this.windows.view(now);
    return {
      at: now,
      eventsPerSec: this.rate.rate(now),
      activeViewers: view.activeViewers,
      watchMinutesLastMinute: view.watchMinutesLastMinute,
      series: view.series,
      topTitles: view.topTitles.map((t) => {
        const info = this.titles.get(t.titleId);
        return { ...t, name: info?.name ?? t.titleId, genre: info?.genre ?? null };
      }),
      watermark: this.windows.watermark(),
      lateEvents: this.lateEvents,
      deadLetters: this.deadLetters,
    };
  }

  userWindows(userId: string): UserWindowFeatures[] {
    return this.windows.userWindows(userId, this.clock());
  }
}
