/**
 * buildResults on snapshots made here from seeded per-user draws (no database): the correction
 * is applied across metrics × variants, thin variants are left out with a reason, and the engine as
 * a whole holds its error rates: an A/A is called significant about α of the time at a fixed
 * horizon, and at most α of the time with sequential mode over daily looks.
 */
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { describe, expect, it } from "vitest";
import { SNAPSHOT_FORMAT, type SnapshotStats, type VariantSnapshot } from "../../lib/api/results";
import { DEFAULT_ANALYSIS, type AnalysisSettings } from "../../lib/experiments/analysis-settings";
import { addDays } from "../../lib/format";
import { adjustPValues } from "../../lib/stats";
import { buildResults, type ResultsExperiment, type StoredSnapshot } from "./build-results";

const DAY0 = "2026-04-01";

function normalSampler(seed: number) {
  const rng = xoroshiro128plus(seed);
  const unit = () => (uniformInt(rng, 1, 2 ** 30) - 0.5) / 2 ** 30;
  return () => Math.sqrt(-2 * Math.log(unit())) * Math.cos(2 * Math.PI * unit());
}

/** Sums of (x, y) pairs. */
function bivariate(pairs: readonly [number, number][]) {
  const b = { n: pairs.length, sumX: 0, sumY: 0, sumXX: 0, sumYY: 0, sumXY: 0 };
  for (const [x, y] of pairs) {
    b.sumX += x;
    b.sumY += y;
    b.sumXX += x * x;
    b.sumYY += y * y;
    b.sumXY += x * y;
  }
  return b;
}

/** Per-user values for a variant, for each metric id: [x, y] pairs. */
type Users = Record<string, [number, number][]>;

function snapshot(day: string, variants: Record<string, Users>): SnapshotStats {
  const vs: VariantSnapshot[] = Object.entries(variants).map(([variantKey, metrics]) => {
    const users = Math.max(...Object.values(metrics).map((p) => p.length));
    return {
      variantKey,
      users,
      usersSinceWeights: users,
      metrics: Object.fromEntries(
        Object.entries(metrics).map(([id, pairs]) => {
          const b = bivariate(pairs);
          return [id, { mean: { n: b.n, sum: b.sumX, sumSq: b.sumXX }, bivariate: b }];
        }),
      ),
    };
  });
  return { format: SNAPSHOT_FORMAT, asOfDay: day, capPercentile: 1, variants: vs, caps: {}, covariateCaps: {}, daily: {}, weightsSince: null, dataThrough: null, computeMs: 1 };
}

const experiment = (over: Partial<ResultsExperiment> = {}): ResultsExperiment => ({
  key: "x",
  name: "X",
  status: "running",
  primaryMetric: "watch_time",
  secondaryMetrics: [],
  guardrailMetrics: [],
  variants: [
    { key: "control", name: "Control", isControl: true, weight: 1 },
    { key: "b", name: "B", isControl: false, weight: 1 },
  ],
  weightsSince: null,
  ...over,
});

const stored = (stats: SnapshotStats): StoredSnapshot => ({ day: stats.asOfDay, computedAt: `${stats.asOfDay}T23:00:00.000Z`, stats });

/** A mean metric with a covariate (ρ ≈ 0.7) and a 0/1 metric, for n users, shifted by `lift`. */
function users(normal: () => number, n: number, lift = 0): Users {
  const watch: [number, number][] = [];
  const retained: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const pre = 100 + 30 * normal();
    watch.push([(0.7 * (pre - 100) + 21 * normal() + 100) * (1 + lift), pre]);
    retained.push([normal() > 0.3 ? 1 : 0, 0]);
  }
  return { watch_time: watch, sessions: watch.map(([x, y]) => [x / 50, y / 50]), d1_retention: retained };
}

describe("buildResults", () => {
  it("[RESULTS] corrects across metrics × variants, as adjustPValues does over all of them", () => {
    const normal = normalSampler(1);
    const stats = snapshot(DAY0, { control: users(normal, 400), b: users(normal, 400, 0.03), c: users(normal, 400) });
    const e = experiment({
      secondaryMetrics: ["sessions", "d1_retention"],
      variants: [...experiment().variants, { key: "c", name: "C", isControl: false, weight: 1 }],
    });
    for (const correction of ["holm", "bh", "none"] as const) {
      const r = buildResults({ experiment: e, settings: { ...DEFAULT_ANALYSIS, correction }, snapshots: [stored(stats)], today: DAY0 });
      const comparisons = r.metrics.flatMap((m) => m.comparisons);
      expect(comparisons).toHaveLength(3 * 2);
      const raw = comparisons.map((c) => c.pValue);
      const want = correction === "none" ? raw : adjustPValues(raw, correction);
      comparisons.forEach((c, i) => expect(c.adjustedPValue).toBeCloseTo(want[i]!, 12));
    }
  });

  it("[RESULTS] leaves out a comparison it cannot make, and says why", () => {
    const normal = normalSampler(2);
    const few = users(normal, 1);
    const stats = snapshot(DAY0, { control: users(normal, 300), b: { ...few, d1_retention: [] } });
    const r = buildResults({ experiment: experiment({ secondaryMetrics: ["d1_retention"] }), settings: DEFAULT_ANALYSIS, snapshots: [stored(stats)], today: DAY0 });
    const d1 = r.metrics.find((m) => m.metricId === "d1_retention")!;
    expect(d1.comparisons).toEqual([]);
    expect(d1.note).toMatch(/B: fewer than 2 users in a variant\./);
    expect(d1.note).toMatch(/D1 retention counts users exposed at least 1 day before 2026-04-01: none yet/);
    expect(d1.variants[1]).toMatchObject({ variantKey: "b", n: 0, lower: null, upper: null });
    expect(r.health.tooFewUsers).toBe(true);
    expect(r.health.messages.join(" ")).toMatch(/Too few users to trust the results yet: fewer than 100 in B \(1\)/);
  });

  it("[RESULTS] A/A at a fixed horizon: significant about α of the time (CUPED on)", () => {
    const normal = normalSampler(3);
    const runs = 1000;
    let significant = 0;
    let reduction = 0;
    for (let i = 0; i < runs; i++) {
      const stats = snapshot(DAY0, { control: users(normal, 300), b: users(normal, 300) });
      const r = buildResults({ experiment: experiment(), settings: { ...DEFAULT_ANALYSIS, correction: "none" }, snapshots: [stored(stats)], today: DAY0 });
      const c = r.metrics[0]!.comparisons[0]!;
      expect(c.method).toBe("cuped");
      if (c.verdict !== "not yet clear") significant++;
      reduction += r.metrics[0]!.varianceReduction! / runs;
    }
    // 5% of 1,000 = 50, binomial sd ≈ 6.9: within 3 sd.
    expect(significant).toBeGreaterThanOrEqual(29);
    expect(significant).toBeLessThanOrEqual(71);
    // ρ ≈ 0.7: CUPED removes about ρ² ≈ half the variance.
    expect(reduction).toBeGreaterThan(0.4);
    expect(reduction).toBeLessThan(0.6);
  });

  it("[RESULTS] A/A in sequential mode, read every day for 10 days: significant at most α of the time", () => {
    const normal = normalSampler(4);
    const runs = 300;
    const settings: AnalysisSettings = { ...DEFAULT_ANALYSIS, sequential: true, correction: "none" };
    let everSignificant = 0;
    for (let i = 0; i < runs; i++) {
      // Users arrive over 10 days; a day's snapshot holds everyone so far (the rate metric's estimand stays put).
      const control = users(normal, 1500);
      const b = users(normal, 1500);
      const snapshots: StoredSnapshot[] = [];
      let seen = false;
      for (let d = 1; d <= 10; d++) {
        const n = 150 * d;
        const slice = (u: Users): Users => Object.fromEntries(Object.entries(u).map(([k, v]) => [k, v.slice(0, n)]));
        snapshots.push(stored(snapshot(addDays(DAY0, d), { control: slice(control), b: slice(b) })));
        const r = buildResults({ experiment: experiment({ primaryMetric: "d1_retention" }), settings, snapshots, today: addDays(DAY0, d) });
        const c = r.metrics[0]!.comparisons[0]!;
        expect(c.sequential).toBe(true);
        if (c.verdict !== "not yet clear") seen = true;
      }
      if (seen) everSignificant++;
    }
    // A fixed-horizon test peeked at 10 times would be fooled ~15–20% of the time; the mSPRT ≤ 5%.
    expect(everSignificant / runs).toBeLessThanOrEqual(0.06);
  });

  it("[RESULTS] sequential mode finds a real lift, with a wider interval than the fixed-horizon test", () => {
    const normal = normalSampler(5);
    const stats = snapshot(DAY0, { control: users(normal, 3000), b: users(normal, 3000, 0.04) });
    const fixed = buildResults({ experiment: experiment(), settings: DEFAULT_ANALYSIS, snapshots: [stored(stats)], today: DAY0 }).metrics[0]!.comparisons[0]!;
    const seq = buildResults({ experiment: experiment(), settings: { ...DEFAULT_ANALYSIS, sequential: true }, snapshots: [stored(stats)], today: DAY0 }).metrics[0]!.comparisons[0]!;
    expect(fixed.verdict).toBe("better");
    expect(seq.verdict).toBe("better");
    expect(seq.absolute.upper - seq.absolute.lower).toBeGreaterThan(fixed.absolute.upper - fixed.absolute.lower);
    expect(seq.relative.estimate).toBeCloseTo(fixed.relative.estimate, 12);
    expect(seq.relative.lower).toBeLessThan(fixed.relative.lower);
  });
});
