import chiSquareCdf from "@stdlib/stats-base-dists-chisquare-cdf";
import { beforeAll, describe, expect, it } from "vitest";
import { assignAll, findLayerOverlaps } from "../experiments/assign";
import { experimentInputSchema } from "../experiments/definition";
import { generateCatalog } from "./catalog";
import {
  ARTWORK_RETURN_MULTIPLIER,
  ARTWORK_WATCHES_MULTIPLIER,
  AUTOPLAY_DURATION_MULTIPLIER,
  ONBOARDING_CHURN_MULTIPLIER,
  createExperimentsHook,
  simAssignmentConfig,
  simExperiments,
  simExperimentsStartMs,
  type SimExperiment,
  type SimExposure,
} from "./experiments";
import { createSimulator, type SessionEffect, type SessionStart, type UserAttributes } from "./simulator";

const DAY = 86_400_000;
const WORLD_START = Date.UTC(2026, 5, 1);
/** The default backfill: experiments start on day 7 and run for three weeks. */
const DAYS = 28;
const START = simExperimentsStartMs(WORLD_START, DAYS);
const START_DAY = new Date(START).toISOString().slice(0, 10);
const EXPERIMENTS = simExperiments(START_DAY);
const STARTS = Object.fromEntries(EXPERIMENTS.map((e) => [e.definition.key, START]));
const byKey = (key: string) => EXPERIMENTS.find((e) => e.definition.key === key) as SimExperiment;

const NEUTRAL: Required<SessionEffect> = { watchesMultiplier: 1, durationMultiplier: 1, returnRateMultiplier: 1, churnMultiplier: 1 };

/** Upper tail of χ²(df). */
const chiSquarePValue = (x: number, df: number) => 1 - chiSquareCdf(x, df);

function goodnessOfFit(counts: readonly number[], shares: readonly number[]): number {
  const n = counts.reduce((s, c) => s + c, 0);
  const chi2 = counts.reduce((s, c, i) => s + (c - n * shares[i]!) ** 2 / (n * shares[i]!), 0);
  return chiSquarePValue(chi2, counts.length - 1);
}

/** Synthetic sessions of `n` users, all after the start; signups spread over the two weeks around it. */
function sessions(n: number, atMs = START + DAY): SessionStart[] {
  const devices = ["tv", "mobile", "web"] as const;
  return Array.from({ length: n }, (_, i) => {
    const signupDay = new Date(START + ((i % 14) - 7) * DAY).toISOString().slice(0, 10);
    const attributes: UserAttributes = { country: i % 2 ? "GB" : "DE", device: devices[i % 3]!, signupDay };
    return { userId: `u_${String(i + 1).padStart(6, "0")}`, atMs, attributes };
  });
}

describe("simExperiments: the simulated experiments", () => {
  it("are stored definitions the API accepts, with a planted effect per treatment and disjoint layers", () => {
    expect(EXPERIMENTS.map((e) => e.definition.key)).toEqual(["autoplay-next-episode", "onboarding-row", "aa-homepage", "hero-artwork"]);
    for (const e of EXPERIMENTS) {
      expect(experimentInputSchema.parse(e.definition)).toEqual(e.definition);
      const variants = e.definition.variants.map((v) => v.key);
      for (const key of Object.keys(e.effects)) expect(variants).toContain(key);
      const control = e.definition.variants.find((v) => v.isControl)!.key;
      expect(e.effects[control]).toBeUndefined();
      expect(e.plantedEffect.length).toBeGreaterThan(20);
    }
    expect(byKey("aa-homepage").effects).toEqual({});
    expect(findLayerOverlaps(EXPERIMENTS.map((e) => simAssignmentConfig(e.definition)))).toEqual([]);
    expect(byKey("onboarding-row").definition.targeting).toEqual([{ attribute: "signupDate", op: "range", value: { min: START_DAY } }]);
  });

  it.each([
    [28, 7],
    [60, 39],
    [22, 1],
    [10, 1],
    [3, 1],
    [2, 1],
    [1, 0],
    [0, 0],
  ])("start three weeks before the end of a %i-day backfill, at least a day in and never after its last day: day %i", (days, offset) => {
    expect(simExperimentsStartMs(WORLD_START, days)).toBe(WORLD_START + offset * DAY);
  });
});

describe("createExperimentsHook", () => {
  it("is a deterministic function of the session: two hooks, and one asked twice, answer the same", () => {
    const a = createExperimentsHook(EXPERIMENTS, STARTS);
    const b = createExperimentsHook(EXPERIMENTS, STARTS, { onExposure: () => undefined });
    for (const s of sessions(5_000)) {
      const first = a(s);
      expect(b(s)).toEqual(first);
      expect(a({ ...s, atMs: s.atMs + DAY })).toEqual(first);
    }
  });

  it("reports each user's first exposure per experiment once, with the variant and the session time", () => {
    const exposures: SimExposure[] = [];
    const hook = createExperimentsHook(EXPERIMENTS, STARTS, { onExposure: (x) => exposures.push(x) });
    const users = sessions(2_000);
    for (const s of users) hook(s);
    const count = exposures.length;
    for (const s of users) hook({ ...s, atMs: s.atMs + 3_600_000 });
    expect(exposures.length).toBe(count);
    const first = users[0]!;
    const expected = assignAll(
      EXPERIMENTS.map((e) => simAssignmentConfig(e.definition)),
      { id: first.userId, attributes: { ...first.attributes, signupDate: first.attributes.signupDay } },
    );
    expect(exposures.filter((x) => x.userId === first.userId)).toEqual(
      expected.map((v) => ({ userId: first.userId, experimentKey: v.experimentKey, variantKey: v.variantKey, atMs: first.atMs })),
    );
  });

  it("splits users by the variant weights: 50/50, 34/33/33 in 60% of the layer, new users only for onboarding", () => {
    const exposures: SimExposure[] = [];
    const hook = createExperimentsHook(EXPERIMENTS, STARTS, { onExposure: (x) => exposures.push(x) });
    const users = sessions(40_000);
    for (const s of users) hook(s);
    const counts = (key: string) => {
      const variants = byKey(key).definition.variants.map((v) => v.key);
      return variants.map((v) => exposures.filter((x) => x.experimentKey === key && x.variantKey === v).length);
    };
    expect(goodnessOfFit(counts("autoplay-next-episode"), [0.5, 0.5])).toBeGreaterThan(0.001);
    expect(goodnessOfFit(counts("aa-homepage"), [0.5, 0.5])).toBeGreaterThan(0.001);
    expect(goodnessOfFit(counts("onboarding-row"), [0.5, 0.5])).toBeGreaterThan(0.001);
    expect(goodnessOfFit(counts("hero-artwork"), [0.34, 0.33, 0.33])).toBeGreaterThan(0.001);
    expect(counts("autoplay-next-episode").reduce((a, b) => a + b)).toBe(users.length);

    const hero = counts("hero-artwork").reduce((a, b) => a + b) / users.length;
    expect(Math.abs(hero - 0.6)).toBeLessThan(4 * Math.sqrt((0.6 * 0.4) / users.length));

    const onboarded = new Set(exposures.filter((x) => x.experimentKey === "onboarding-row").map((x) => x.userId));
    const newUsers = users.filter((s) => s.attributes.signupDay >= START_DAY);
    expect(onboarded.size).toBe(newUsers.length);
    for (const s of newUsers) expect(onboarded.has(s.userId)).toBe(true);
  });

  it("gives treatment sessions exactly the planted multipliers, and control and A/A sessions none", () => {
    const variantsOf = new Map<string, Map<string, string>>();
    const hook = createExperimentsHook(EXPERIMENTS, STARTS, {
      onExposure: (x) => {
        let m = variantsOf.get(x.userId);
        if (!m) variantsOf.set(x.userId, (m = new Map()));
        m.set(x.experimentKey, x.variantKey);
      },
    });
    const seen = { autoplay: 0, onboarding: 0, personalised: 0, trailer: 0, neutral: 0 };
    for (const s of sessions(20_000)) {
      const effect = { ...NEUTRAL, ...hook(s) };
      const v = variantsOf.get(s.userId) ?? new Map<string, string>();
      const autoplay = v.get("autoplay-next-episode") === "autoplay";
      const onboarding = v.get("onboarding-row") === "onboarding-row";
      const hero = v.get("hero-artwork");
      expect(effect).toEqual({
        watchesMultiplier: hero === "personalised" ? ARTWORK_WATCHES_MULTIPLIER : 1,
        durationMultiplier: autoplay ? AUTOPLAY_DURATION_MULTIPLIER : 1,
        returnRateMultiplier: hero === "trailer" ? ARTWORK_RETURN_MULTIPLIER : 1,
        churnMultiplier: onboarding ? ONBOARDING_CHURN_MULTIPLIER : 1,
      });
      if (autoplay) seen.autoplay++;
      if (onboarding) seen.onboarding++;
      if (hero === "personalised") seen.personalised++;
      if (hero === "trailer") seen.trailer++;
      if (!autoplay && !onboarding && (hero === undefined || hero === "control")) {
        seen.neutral++;
        expect(effect).toEqual(NEUTRAL); // whatever their A/A arm
      }
    }
    for (const n of Object.values(seen)) expect(n).toBeGreaterThan(1_000);
  });

  it("keeps a stored variant over a recomputation, and a stored experiment takes the user's layer, as the API does", () => {
    const users = sessions(400);
    const plain = createExperimentsHook(EXPERIMENTS, STARTS);
    const control = users.find((s) => plain(s)?.durationMultiplier === 1)!;
    const stored = createExperimentsHook(EXPERIMENTS, STARTS, {
      storedVariant: (key, userId) => (key === "autoplay-next-episode" && userId === control.userId ? "autoplay" : undefined),
    });
    expect(stored(control)?.durationMultiplier).toBe(AUTOPLAY_DURATION_MULTIPLIER);

    // A person's experiment in the other 40% of the layer, in which a hero-artwork user is stored.
    const neighbour: SimExperiment = {
      definition: experimentInputSchema.parse({
        ...byKey("hero-artwork").definition,
        key: "hero-neighbour",
        layer: { key: "home-hero", ranges: [[0.6, 1]] },
      }),
      effects: { trailer: { churnMultiplier: 0.9 } },
      plantedEffect: "test",
    };
    const withNeighbour = [...EXPERIMENTS, neighbour];
    const starts = { ...STARTS, "hero-neighbour": START };
    const exposures: SimExposure[] = [];
    const heroUser = users.find((s) => {
      const seen: SimExposure[] = [];
      createExperimentsHook(withNeighbour, starts, { onExposure: (x) => seen.push(x) })(s);
      return seen.some((x) => x.experimentKey === "hero-artwork");
    })!;
    const hook = createExperimentsHook(withNeighbour, starts, {
      onExposure: (x) => exposures.push(x),
      storedVariant: (key, userId) => (key === "hero-neighbour" && userId === heroUser.userId ? "trailer" : undefined),
    });
    expect(hook(heroUser)?.churnMultiplier).toBe(0.9);
    expect(exposures.filter((x) => x.experimentKey.startsWith("hero-"))).toEqual([
      { userId: heroUser.userId, experimentKey: "hero-neighbour", variantKey: "trailer", atMs: heroUser.atMs },
    ]);
  });

  it("plants nothing before an experiment's start, after its end, or for an experiment without a start", () => {
    const ends = new Map<string, number>();
    const exposures: SimExposure[] = [];
    const onlyAutoplay = createExperimentsHook(EXPERIMENTS, { "autoplay-next-episode": START }, { endMsByKey: ends, onExposure: (x) => exposures.push(x) });
    const users = sessions(400);
    const treated = users.filter((s) => onlyAutoplay(s)?.durationMultiplier === AUTOPLAY_DURATION_MULTIPLIER);
    expect(treated.length).toBeGreaterThan(100);
    expect(new Set(exposures.map((x) => x.experimentKey))).toEqual(new Set(["autoplay-next-episode"]));
    for (const s of treated) expect(onlyAutoplay({ ...s, atMs: START - 1 })).toBeUndefined();
    ends.set("autoplay-next-episode", START + 2 * DAY);
    for (const s of treated) {
      expect(onlyAutoplay({ ...s, atMs: START + 2 * DAY - 1 })?.durationMultiplier).toBe(AUTOPLAY_DURATION_MULTIPLIER);
      expect(onlyAutoplay({ ...s, atMs: START + 2 * DAY })).toBeUndefined();
    }
  });
});

// ---- The planted truths, measured on simulated worlds ----

const USERS = 6_000;
const SEED = 5;
const catalog = generateCatalog(SEED);
const SESSION_GAP = 30 * 60_000;
/**
 * Watch time per user of autoplay users against the same users without autoplay, in worlds of
 * 20,000 users: +3.5%, +4.0%, +4.2%, +2.7% for seeds 42, 7, 3, 5 (a 5% longer watch, minus about
 * 1.3% fewer watches because longer sessions push the next one later).
 */
const AUTOPLAY_WATCH_TIME_LIFT = 0.036;

/** One user's behaviour since first exposure to one experiment, as the results define it. */
interface UserStats {
  watchSeconds: number;
  watches: number;
  /** Sessions as the stream processor counts them: a watch more than 30 min after the previous one. */
  sessions: number;
  dislikes: number;
  lastWatchMs: number;
  /** Days since the world's start with a watch. */
  watchDays: Set<number>;
}

interface World {
  exposures: Map<string, Map<string, SimExposure>>;
  stats: Map<string, Map<string, UserStats>>;
}

/** Runs a world of USERS users for DAYS days through the hook and keeps per-user stats since exposure. */
function simulate(experiments: readonly SimExperiment[]): World {
  const exposures = new Map(experiments.map((e) => [e.definition.key, new Map<string, SimExposure>()]));
  const stats = new Map(experiments.map((e) => [e.definition.key, new Map<string, UserStats>()]));
  const hook = createExperimentsHook(experiments, STARTS, { onExposure: (x) => exposures.get(x.experimentKey)!.set(x.userId, x) });
  const sim = createSimulator({ seed: SEED, catalog, startMs: WORLD_START, users: USERS, signupDays: DAYS + 14, experimentsHook: hook });
  const keys = [...exposures.keys()];
  for (let d = 0; d < DAYS; d++) {
    for (const e of sim.eventsBetween(WORLD_START + d * DAY, WORLD_START + (d + 1) * DAY)) {
      if (e.event_type !== "watch" && e.event_type !== "dislike") continue;
      const t = Date.parse(e.event_time);
      for (const key of keys) {
        const x = exposures.get(key)!.get(e.user_id);
        if (!x || t < x.atMs) continue;
        const byUser = stats.get(key)!;
        let s = byUser.get(e.user_id);
        if (!s) byUser.set(e.user_id, (s = { watchSeconds: 0, watches: 0, sessions: 0, dislikes: 0, lastWatchMs: -Infinity, watchDays: new Set() }));
        if (e.event_type === "dislike") {
          s.dislikes++;
          continue;
        }
        s.watchSeconds += e.watch_duration ?? 0;
        s.watches++;
        if (t - s.lastWatchMs > SESSION_GAP) s.sessions++;
        s.lastWatchMs = t;
        s.watchDays.add(Math.floor((t - WORLD_START) / DAY));
      }
    }
  }
  return { exposures, stats };
}

const EMPTY: UserStats = { watchSeconds: 0, watches: 0, sessions: 0, dislikes: 0, lastWatchMs: -Infinity, watchDays: new Set() };

function usersOf(world: World, key: string, variant: string): { user: string; exposure: SimExposure; stats: UserStats }[] {
  return [...world.exposures.get(key)!.values()]
    .filter((x) => x.variantKey === variant)
    .map((x) => ({ user: x.userId, exposure: x, stats: world.stats.get(key)!.get(x.userId) ?? EMPTY }));
}

/** Watched on the 7th day after the exposure day; undefined while that day is not complete. */
function retainedD7(exposure: SimExposure, stats: UserStats): boolean | undefined {
  const day = Math.floor((exposure.atMs - WORLD_START) / DAY) + 7;
  return day <= DAYS - 1 ? stats.watchDays.has(day) : undefined;
}

/** Treatment vs control on a per-user mean: relative lift and its delta-method standard error. */
function meanLift(treatment: readonly number[], control: readonly number[]): { lift: number; se: number } {
  const moments = (xs: readonly number[]) => {
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1);
    return { mean, varOfMean: variance / xs.length };
  };
  const t = moments(treatment);
  const c = moments(control);
  return { lift: t.mean / c.mean - 1, se: Math.sqrt(t.varOfMean / c.mean ** 2 + (t.mean ** 2 * c.varOfMean) / c.mean ** 4) };
}

/** Difference of two proportions and its standard error. */
function proportionDiff(treatment: readonly boolean[], control: readonly boolean[]): { diff: number; se: number } {
  const p = (xs: readonly boolean[]) => xs.filter(Boolean).length / xs.length;
  const [pt, pc] = [p(treatment), p(control)];
  return { diff: pt - pc, se: Math.sqrt((pt * (1 - pt)) / treatment.length + (pc * (1 - pc)) / control.length) };
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/**
 * Each simulated user has an own random stream, so the same world without one experiment's effect
 * is that experiment's exact counterfactual: its control users behave identically, and its
 * treatment users' difference is the planted effect alone. That paired comparison measures the
 * truth precisely; the treatment-vs-control comparison (what a results page computes) estimates
 * it with sampling noise, checked against its own standard error.
 */
describe(`the planted truths in a seeded world (${USERS.toLocaleString("en")} users, ${DAYS} days, experiments from day 7)`, () => {
  let planted: World;
  const without: Record<string, World> = {};
  const report: string[] = [];

  beforeAll(() => {
    planted = simulate(EXPERIMENTS);
    for (const key of ["autoplay-next-episode", "onboarding-row", "hero-artwork"]) {
      without[key] = simulate(EXPERIMENTS.map((e) => (e.definition.key === key ? { ...e, effects: {} } : e)));
    }
    return () => console.log(report.join("\n"));
  });

  /** Per-user arm totals in the planted world against the same users without the effect. */
  function paired(key: string, variant: string) {
    const a = usersOf(planted, key, variant);
    const b = usersOf(without[key]!, key, variant);
    expect(b.map((u) => u.exposure)).toEqual(a.map((u) => u.exposure)); // same users, same first exposure
    const ratio = (f: (s: UserStats) => number) => sum(a.map((u) => f(u.stats))) / sum(b.map((u) => f(u.stats)));
    /** Standard error of `ratio(f)` over users (ratio estimator, delta method). */
    const ratioSe = (f: (s: UserStats) => number) => {
      const r = ratio(f);
      const residuals = a.map((u, i) => f(u.stats) - r * f(b[i]!.stats));
      return Math.sqrt((sum(residuals.map((x) => x * x)) * a.length) / (a.length - 1)) / sum(b.map((u) => f(u.stats)));
    };
    return { planted: a, without: b, ratio, ratioSe };
  }

  it("autoplay-next-episode: +5% per watch gives about +3.5% watch time per user; control users are untouched", () => {
    const key = "autoplay-next-episode";
    const control = paired(key, "control");
    expect(control.planted).toEqual(control.without);
    const t = paired(key, "autoplay");
    const perWatch = t.ratio((s) => s.watchSeconds) / t.ratio((s) => s.watches);
    const watchTime = t.ratio((s) => s.watchSeconds) - 1;
    const ab = meanLift(
      t.planted.map((u) => u.stats.watchSeconds),
      control.planted.map((u) => u.stats.watchSeconds),
    );
    report.push(
      `${key}: ${t.planted.length} vs ${control.planted.length} users; per watch ${pct(perWatch - 1)}, watch time per user ${pct(watchTime)} ± ${pct(t.ratioSe((s) => s.watchSeconds))}, ` +
        `watches ${pct(t.ratio((s) => s.watches) - 1)}, dislikes ${pct(t.ratio((s) => s.dislikes) - 1)} (paired); ` +
        `A/B watch time ${pct(ab.lift)} ± ${pct(ab.se)} (1 SE)`,
    );
    // Exactly planted per watch (up to which titles get watched); per user, later sessions and
    // re-drawn churn after the first longer session make it noisy: ±1.6% (1 SE) at 6,000 users.
    expect(perWatch).toBeGreaterThan(1.035);
    expect(perWatch).toBeLessThan(1.065);
    expect(Math.abs(watchTime - AUTOPLAY_WATCH_TIME_LIFT)).toBeLessThan(3 * t.ratioSe((s) => s.watchSeconds));
    expect(Math.abs(ab.lift - watchTime)).toBeLessThan(3 * ab.se);
  });

  it("onboarding-row: halving churn lifts D7 retention of new users; everyone retained without it is retained with it", () => {
    const key = "onboarding-row";
    const control = paired(key, "control");
    expect(control.planted).toEqual(control.without);
    const t = paired(key, "onboarding-row");
    for (const u of t.planted) expect(u.exposure.atMs).toBeGreaterThanOrEqual(START);
    const d7 = (users: typeof t.planted) => users.map((u) => retainedD7(u.exposure, u.stats)).filter((r): r is boolean => r !== undefined);
    const [withRow, withoutRow] = [d7(t.planted), d7(t.without)];
    // Lower churn only ever keeps a user longer: the same random draws, a higher survival chance.
    withoutRow.forEach((retained, i) => {
      if (retained) expect(withRow[i]).toBe(true);
    });
    const truth = proportionDiff(withRow, withoutRow).diff;
    const ab = proportionDiff(withRow, d7(control.planted));
    const perWatch = t.ratio((s) => s.watchSeconds) / t.ratio((s) => s.watches);
    report.push(
      `${key}: ${t.planted.length} vs ${control.planted.length} new users; D7 ${pct(sum(withoutRow.map(Number)) / withoutRow.length)} → ` +
        `${pct(sum(withRow.map(Number)) / withRow.length)} (paired, +${(100 * truth).toFixed(1)} points), watch time per user ` +
        `${pct(t.ratio((s) => s.watchSeconds) - 1)}, per watch ${pct(perWatch - 1)}; A/B D7 ${(100 * ab.diff).toFixed(1)} ± ${(100 * ab.se).toFixed(1)} points`,
    );
    expect(truth).toBeGreaterThan(0.03);
    expect(t.ratio((s) => s.watchSeconds)).toBeGreaterThan(1.03);
    expect(Math.abs(perWatch - 1)).toBeLessThan(0.02);
    expect(Math.abs(ab.diff - truth)).toBeLessThan(3 * ab.se);
  });

  it("aa-homepage: no notable difference between the two identical arms", () => {
    const a1 = usersOf(planted, "aa-homepage", "a1");
    const a2 = usersOf(planted, "aa-homepage", "a2");
    const watch = meanLift(
      a2.map((u) => u.stats.watchSeconds),
      a1.map((u) => u.stats.watchSeconds),
    );
    const d7 = (users: typeof a1) => users.map((u) => retainedD7(u.exposure, u.stats)).filter((r): r is boolean => r !== undefined);
    const retention = proportionDiff(d7(a2), d7(a1));
    report.push(
      `aa-homepage: ${a2.length} vs ${a1.length} users; watch time ${pct(watch.lift)} ± ${pct(watch.se)}, ` +
        `D7 ${(100 * retention.diff).toFixed(1)} ± ${(100 * retention.se).toFixed(1)} points (A/B, 1 SE)`,
    );
    expect(Math.abs(a1.length - a2.length)).toBeLessThan(4 * Math.sqrt((a1.length + a2.length) / 4));
    expect(Math.abs(watch.lift)).toBeLessThan(3 * watch.se);
    expect(Math.abs(retention.diff)).toBeLessThan(3 * retention.se);
  });

  it("hero-artwork: personalised gets 10%+ more watches per user, trailer 10%+ more sessions; both more watch time", () => {
    const key = "hero-artwork";
    const control = paired(key, "control");
    expect(control.planted).toEqual(control.without);
    const lines: string[] = [];
    for (const [variant, metric] of [
      ["personalised", (s: UserStats) => s.watches],
      ["trailer", (s: UserStats) => s.sessions],
    ] as const) {
      const t = paired(key, variant);
      const ab = meanLift(
        t.planted.map((u) => u.stats.watchSeconds),
        control.planted.map((u) => u.stats.watchSeconds),
      );
      const watchTime = t.ratio((s) => s.watchSeconds) - 1;
      lines.push(
        `${variant} ${t.planted.length} users: watches ${pct(t.ratio((s) => s.watches) - 1)}, sessions ${pct(t.ratio((s) => s.sessions) - 1)}, ` +
          `watch time ${pct(watchTime)} ± ${pct(t.ratioSe((s) => s.watchSeconds))}, dislikes ${pct(t.ratio((s) => s.dislikes) - 1)} (paired); A/B watch time ${pct(ab.lift)} ± ${pct(ab.se)}`,
      );
      expect(t.ratio(metric)).toBeGreaterThan(1.1);
      expect(watchTime).toBeGreaterThan(0.08);
      expect(Math.abs(ab.lift - watchTime)).toBeLessThan(3 * ab.se);
    }
    report.push(`${key} (control ${control.planted.length} users): ${lines.join("; ")}`);
  });
});
