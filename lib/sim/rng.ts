import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import type { JumpableRandomGenerator } from "pure-rand/types/JumpableRandomGenerator";

/**
 * Folds any safe integer into 32 well-mixed bits (murmur3 fmix32), because xoroshiro128+ seeded
 * with neighbouring integers starts out with visibly correlated outputs.
 */
export function mixSeed(seed: number): number {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  let h = (seed >>> 0) ^ Math.imul(Math.floor(seed / 4294967296) | 0, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** A seeded, mutable random stream over pure-rand's xoroshiro128+. Not for cryptography. */
export class Rng {
  private spare = Number.NaN;

  private constructor(private readonly gen: JumpableRandomGenerator) {}

  /** Wraps a pure-rand generator; the Rng advances it in place. */
  static fromGenerator(gen: JumpableRandomGenerator): Rng {
    return new Rng(gen);
  }

  /** `salt` picks an unrelated stream for the same seed (e.g. the catalog vs the users). */
  static fromSeed(seed: number, salt = 0): Rng {
    const gen = xoroshiro128plus(mixSeed(seed) ^ mixSeed(salt + 0x2545f491));
    for (let i = 0; i < 16; i++) gen.next();
    return new Rng(gen);
  }

  /**
   * Returns a stream starting at this one's current position and moves this one 2^64 draws ahead,
   * so repeated forks give non-overlapping streams (pure-rand's recommended way to split).
   */
  fork(): Rng {
    const child = new Rng(this.gen.clone());
    this.gen.jump();
    return child;
  }

  /**
   * Uniform in [0, 1), 53 bits: pure-rand's uniformFloat64 construction, written out because this
   * is the hot path and bundlers turn imported function calls into namespace getter calls.
   */
  float(): number {
    const hi = this.gen.next() & 0x3ffffff;
    const lo = this.gen.next() & 0x7ffffff;
    return hi * 1.4901161193847656e-8 + lo * 1.1102230246251565e-16;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return uniformInt(this.gen, 0, n - 1);
  }

  /** Uniform in [lo, hi). */
  between(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.float()) * mean;
  }

  /** Standard normal (Box–Muller, the second value kept for the next call). */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const z = this.spare;
      this.spare = Number.NaN;
      return z;
    }
    const r = Math.sqrt(-2 * Math.log(1 - this.float()));
    const theta = 2 * Math.PI * this.float();
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** exp(N(mu, sigma²)): the median is exp(mu). */
  lognormal(mu: number, sigma: number): number {
    return Math.exp(mu + sigma * this.normal());
  }

  /** Fisher–Yates, in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }
}

/**
 * Draws index i with probability weights[i] / Σweights: a cumulative table and a binary search,
 * O(log n) per draw with no allocation.
 */
export class WeightedSampler {
  private readonly cdf: Float64Array;

  constructor(weights: ArrayLike<number>) {
    if (weights.length === 0) throw new RangeError("WeightedSampler needs at least one weight");
    this.cdf = new Float64Array(weights.length);
    let total = 0;
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i] as number;
      if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`weight ${i} is ${w}`);
      total += w;
      this.cdf[i] = total;
    }
    if (!(total > 0)) throw new RangeError("weights sum to zero");
    for (let i = 0; i < this.cdf.length; i++) this.cdf[i] = (this.cdf[i] as number) / total;
    this.cdf[this.cdf.length - 1] = 1;
  }

  get size(): number {
    return this.cdf.length;
  }

  /** Probability of index i. */
  probability(i: number): number {
    return (this.cdf[i] as number) - (i > 0 ? (this.cdf[i - 1] as number) : 0);
  }

  sample(rng: Rng): number {
    const u = rng.float();
    const cdf = this.cdf;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cdf[mid] as number) > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** Zipf weights 1/rank^s for ranks 1..n (index 0 is rank 1). */
export function zipfWeights(n: number, exponent: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 1 / Math.pow(i + 1, exponent);
  return w;
}
