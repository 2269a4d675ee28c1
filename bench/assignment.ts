/**
 * In-process assignment: 2M `assign` calls on the worst path (targeting passes, full traffic, so
 * every call makes both hash draws and picks a variant), against the raw hash of the same keys
 * measured in the same run — the floor that any assignment built on it pays. Then `assignAll`
 * over a realistic set of six experiments in two layers, per user.
 */
import { assign, assignAll, assignmentConfigSchema, type AssignmentUser, type AssignmentConfig } from "../lib/experiments/assign";
import { assignmentKey, hashUnit } from "../lib/experiments/hash";
import type { BenchResult } from "./report";

const COUNTRIES = ["US", "CA", "GB", "DE", "BR"];

function users(n: number): AssignmentUser[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `u_${i}`,
    attributes: { country: COUNTRIES[i % 2]!, device: "tv", plan: "standard", signupDate: "2026-03-15" },
  }));
}

const parse = (e: unknown): AssignmentConfig => assignmentConfigSchema.parse(e);
const running = { status: "running", trafficAllocation: 1, targeting: [] };

/** Calls per second of `fn` over `items`, best of `rounds` after one untimed warm-up round. */
function rate<T>(items: readonly T[], fn: (item: T) => number, rounds = 3): { perSecond: number; checksum: number } {
  let checksum = 0;
  for (let i = 0; i < items.length; i++) checksum += fn(items[i]!);
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < items.length; i++) checksum += fn(items[i]!);
    best = Math.min(best, performance.now() - t0);
  }
  return { perSecond: items.length / (best / 1000), checksum };
}

export function benchAssignment(calls = Number(process.env.BENCH_ASSIGNMENTS ?? 2_000_000)): BenchResult[] {
  const experiment = parse({
    ...running,
    key: "home-row",
    seed: "home-row-2026",
    variants: [
      { key: "control", weight: 1 },
      { key: "bigger-art", weight: 1 },
      { key: "autoplay", weight: 2 },
    ],
    targeting: [
      { attribute: "country", op: "in", value: ["US", "CA", "GB"] },
      { attribute: "signupDate", op: "range", value: { min: "2026-01-01", max: "2026-12-31" } },
    ],
  });
  const population = users(calls);
  const keys = population.map((u) => assignmentKey(experiment.seed, u.id));

  const raw = rate(keys, (key) => hashUnit(key));
  const single = rate(population, (user) => {
    const r = assign(experiment, user);
    return "bucket" in r ? r.bucket : -1;
  });
  if (!(single.checksum > 0)) throw new Error("assign excluded every user");

  const portfolio = [
    experiment,
    parse({ ...running, key: "ranker-a", seed: "ranker-a", variants: [{ key: "control", weight: 1 }, { key: "two-tower", weight: 1 }], layer: { key: "ranker", ranges: [[0, 0.5]] } }),
    parse({ ...running, key: "ranker-b", seed: "ranker-b", variants: [{ key: "control", weight: 1 }, { key: "fresh-boost", weight: 1 }], layer: { key: "ranker", ranges: [[0.5, 1]] } }),
    parse({ ...running, key: "artwork", seed: "artwork-v3", trafficAllocation: 0.3, variants: [{ key: "a", weight: 1 }, { key: "b", weight: 1 }], layer: { key: "artwork" } }),
    parse({ ...running, key: "search-box", seed: "search-box", variants: [{ key: "control", weight: 9 }, { key: "voice", weight: 1 }], targeting: [{ attribute: "device", op: "equals", value: "tv" }] }),
    parse({ ...running, key: "old-cohort", seed: "old-cohort", variants: [{ key: "control", weight: 1 }, { key: "reminder", weight: 1 }], targeting: [{ attribute: "signupDate", op: "range", value: { max: "2025-12-31" } }] }),
  ];
  const perUser = population.slice(0, Math.min(calls, 500_000));
  const all = rate(perUser, (user) => assignAll(portfolio, user).length);

  return [
    {
      name: `assign(), in-process, ${calls.toLocaleString("en")} calls`,
      value: single.perSecond,
      unit: "calls/s",
      baseline: { name: "hashUnit() alone on the same keys", value: raw.perSecond },
      target: "≥ 2,000,000/s (issue 4; DESIGN.md ≥ 1M/s)",
      ok: single.perSecond >= 2_000_000,
      notes: "worst path: 2 targeting rules pass, 100% traffic, 3 variants, 2 hashes per call; best of 3",
    },
    {
      name: `assignAll, 6 experiments in 2 layers, ${perUser.length.toLocaleString("en")} users`,
      value: all.perSecond,
      unit: "users/s",
      notes: `${(all.perSecond * portfolio.length).toLocaleString("en", { maximumFractionDigits: 0 })} experiment decisions/s`,
    },
  ];
}
