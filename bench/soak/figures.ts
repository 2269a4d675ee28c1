/** Pure arithmetic of the soak's verdicts: samples in, figures out. */

export interface Sample {
  /** Epoch ms. */
  at: number;
  value: number;
}

export const mean = (xs: readonly number[]) => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

/**
 * Flatness of a memory series after warm-up. With n samples and k = max(1, round(share · n)):
 *   first = mean of the first k samples, last = mean of the last k samples,
 *   growth = last / first − 1.
 * Means over a fifth of the run, not single samples, because heapUsed is a GC sawtooth: one sample
 * can sit anywhere between a trough and a peak. The slope (least squares, per hour) says whether
 * what growth there is keeps going or has levelled off.
 */
export interface Flatness {
  samples: number;
  windowSamples: number;
  first: number;
  last: number;
  growth: number;
  min: number;
  max: number;
  slopePerHour: number;
}

export function flatness(series: readonly Sample[], share = 0.2): Flatness | null {
  const n = series.length;
  if (n < 2) return null;
  const k = Math.max(1, Math.round(share * n));
  const values = series.map((s) => s.value);
  const first = mean(values.slice(0, k));
  const last = mean(values.slice(n - k));
  return {
    samples: n,
    windowSamples: k,
    first,
    last,
    growth: last / first - 1,
    min: Math.min(...values),
    max: Math.max(...values),
    slopePerHour: slope(series) * 3_600_000,
  };
}

/** Least-squares slope, value units per ms. */
export function slope(series: readonly Sample[]): number {
  if (series.length < 2) return 0;
  const t0 = series[0]!.at;
  const xs = series.map((s) => s.at - t0);
  const mx = mean(xs);
  const my = mean(series.map((s) => s.value));
  let num = 0;
  let den = 0;
  for (let i = 0; i < series.length; i++) {
    num += (xs[i]! - mx) * (series[i]!.value - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/**
 * Latencies in 1 ms bins up to `maxMs`, one overflow bin above: percentiles over millions of
 * receipts without keeping them.
 */
export class Histogram {
  private bins: Uint32Array;
  count = 0;
  max = 0;

  constructor(private readonly maxMs = 60_000) {
    this.bins = new Uint32Array(maxMs + 2);
  }

  add(ms: number): void {
    const v = Math.max(0, ms);
    this.bins[Math.min(this.maxMs + 1, Math.floor(v))]!++;
    this.count++;
    if (v > this.max) this.max = v;
  }

  /** The smallest bin holding at least q of the values (its upper edge, ms); NaN when empty. */
  percentile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < this.bins.length; i++) {
      seen += this.bins[i]!;
      if (seen >= rank) return i > this.maxMs ? this.max : i + 1;
    }
    return this.max;
  }

  summary(): LatencySummary {
    return { count: this.count, p50: this.percentile(0.5), p99: this.percentile(0.99), max: this.max };
  }

  reset(): void {
    this.bins.fill(0);
    this.count = 0;
    this.max = 0;
  }
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}
