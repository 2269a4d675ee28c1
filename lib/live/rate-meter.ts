/**
 * Events per second over a trailing window, from per-second buckets. The caller passes the clock.
 */
export class RateMeter {
  private readonly buckets = new Map<number, number>();

  constructor(private readonly windowSec = 10) {}

  add(count: number, nowMs: number): void {
    const sec = Math.floor(nowMs / 1000);
    this.buckets.set(sec, (this.buckets.get(sec) ?? 0) + count);
  }

  /** Average rate over the last `windowSec` complete seconds. */
  rate(nowMs: number): number {
    const current = Math.floor(nowMs / 1000);
    let sum = 0;
    for (const [sec, n] of this.buckets) {
      if (sec < current - this.windowSec) this.buckets.delete(sec);
      else if (sec < current) sum += n;
    }
    return sum / this.windowSec;
  }
}
