/**
 * The simulator's experiments: stored definitions (what POST /api/experiments takes) plus the
 * behaviour each variant plants, so the results pages have known truths to show. Assignment runs
 * through lib/experiments/assign.ts `assignAll`, the code behind the assignment API, on the
 * definition as stored.
 */
import { assignAll, type AssignmentConfig, type AssignmentUser } from "../experiments/assign";
import { experimentInputSchema, toAssignmentConfig, type ExperimentDefinition } from "../experiments/definition";
import type { ExperimentsHook, SessionEffect, SessionStart } from "./simulator";

const DAY_MS = 86_400_000;

/** The owner and audit actor of everything the simulator creates. */
export const SIM_ACTOR = "simulator";

export interface SimExperiment {
  /** The stored definition (experimentInputSchema's output). */
  readonly definition: ExperimentDefinition;
  /** What each variant plants in the sessions of its users; a variant left out plants nothing. */
  readonly effects: Readonly<Record<string, SessionEffect>>;
  /** The truth the results page should find, in words. */
  readonly plantedEffect: string;
}

/** A user's first session in an experiment: the moment of first exposure. */
export interface SimExposure {
  readonly userId: string;
  readonly experimentKey: string;
  readonly variantKey: string;
  /** Session start, epoch ms. */
  readonly atMs: number;
}

/** Every watch of an autoplay user lasts this much longer. */
export const AUTOPLAY_DURATION_MULTIPLIER = 1.05;
/** The churn hazard of a new user with the onboarding row. */
export const ONBOARDING_CHURN_MULTIPLIER = 0.5;
/** Watches per session with personalised hero artwork. */
export const ARTWORK_WATCHES_MULTIPLIER = 1.25;
/** Rate of coming back with a muted trailer in the hero. */
export const ARTWORK_RETURN_MULTIPLIER = 1.25;

/**
 * The simulated experiments, for a world whose experiments start on `startDay` (YYYY-MM-DD; the
 * onboarding row targets users who sign up from that day on). The planted effects, and what they
 * amount to in the metrics, are measured in experiments.test.ts against the same world without
 * the effect: the figures in `plantedEffect` come from there.
 */
export function simExperiments(startDay: string): SimExperiment[] {
  const define = (input: unknown) => experimentInputSchema.parse(input);
  return [
    {
      definition: define({
        key: "autoplay-next-episode",
        name: "Autoplay the next episode",
        hypothesis: "Starting the next episode after a short countdown keeps people watching longer.",
        owner: SIM_ACTOR,
        variants: [
          { key: "control", name: "Countdown off", weight: 50, isControl: true },
          { key: "autoplay", name: "Countdown on", weight: 50 },
        ],
        trafficPercent: 100,
        primaryMetric: "watch_time",
        secondaryMetrics: ["watch_time_per_session", "sessions"],
        guardrailMetrics: ["dislikes"],
      }),
      effects: { autoplay: { durationMultiplier: AUTOPLAY_DURATION_MULTIPLIER } },
      plantedEffect:
        "Every watch of an autoplay user lasts 5% longer. Longer sessions push the next one a little later (about 1% fewer watches), so watch " +
        "time per user rises about 3.5%; dislikes: no effect. A realistic small effect: with the default 20,000 users the lift's standard " +
        "error is about 2.5%, so expect it to read as not yet significant (about 80,000 users give 80% power).",
    },
    {
      definition: define({
        key: "onboarding-row",
        name: "Onboarding row for new users",
        hypothesis: "A 'because you picked…' row on the first visits helps new users find something and come back.",
        owner: SIM_ACTOR,
        variants: [
          { key: "control", name: "Standard home", weight: 50, isControl: true },
          { key: "onboarding-row", name: "With onboarding row", weight: 50 },
        ],
        trafficPercent: 100,
        targeting: [{ attribute: "signupDate", op: "range", value: { min: startDay } }],
        primaryMetric: "d7_retention",
        secondaryMetrics: ["d1_retention", "watch_time"],
      }),
      effects: { "onboarding-row": { churnMultiplier: ONBOARDING_CHURN_MULTIPLIER } },
      plantedEffect:
        "New users only (signed up on or after the start day), exposed at their first session. The treatment halves the churn hazard: " +
        "D7 retention rises by about 6 points (26% → 32%), D1 by about 5, and watch time per user by about 11%, all from users staying; " +
        "a session looks the same in both arms.",
    },
    {
      definition: define({
        key: "aa-homepage",
        name: "A/A: homepage",
        hypothesis: "Two identical arms: checks assignment and statistics end to end. No effect should be found.",
        owner: SIM_ACTOR,
        variants: [
          { key: "a1", name: "A", weight: 50, isControl: true },
          { key: "a2", name: "A again", weight: 50 },
        ],
        trafficPercent: 100,
        primaryMetric: "watch_time",
        secondaryMetrics: ["sessions", "d7_retention"],
        guardrailMetrics: ["dislikes"],
      }),
      effects: {},
      plantedEffect: "None: both arms are identical. A significant result is a false positive (about 1 metric in 20 at 95% confidence).",
    },
    {
      definition: define({
        key: "hero-artwork",
        name: "Hero artwork",
        hypothesis: "Personalised artwork in the hero banner gets more titles started; a muted trailer brings people back sooner.",
        owner: SIM_ACTOR,
        variants: [
          { key: "control", name: "Studio artwork", weight: 34, isControl: true },
          { key: "personalised", name: "Personalised artwork", weight: 33 },
          { key: "trailer", name: "Muted trailer", weight: 33 },
        ],
        trafficPercent: 100,
        // 60% of the layer's slots: the rest is free for experiments people add to the layer.
        layer: { key: "home-hero", ranges: [[0, 0.6]] },
        primaryMetric: "watch_time",
        secondaryMetrics: ["sessions", "distinct_titles"],
        guardrailMetrics: ["dislikes"],
      }),
      effects: {
        personalised: { watchesMultiplier: ARTWORK_WATCHES_MULTIPLIER },
        trailer: { returnRateMultiplier: ARTWORK_RETURN_MULTIPLIER },
      },
      plantedEffect:
        "In 60% of the home-hero layer. personalised: 25% more watches per session, so about +17% watches and watch time per user; dislikes " +
        "rise with the watches (the guardrail fires: a known trade-off, the dislike rate per watch is unchanged). trailer: users come back " +
        "25% sooner, so about +16% sessions and watch time per user. Sessions rise in both arms: the stream processor starts a session at a " +
        "watch ending more than 30 minutes after the previous one, so a long watch is a session of its own.",
    },
  ];
}

/**
 * When the simulated experiments start, as an offset from the world's start: three weeks before
 * the end of the backfill (day 7 of the default 28), at least one day in so that users have some
 * history before exposure, and never after the backfill's last day (a 3-day backfill starts them
 * on day 1, with two days of exposures).
 */
export function simExperimentsStartMs(worldStartMs: number, backfillDays: number): number {
  const offsetDays = Math.max(0, Math.min(Math.max(1, backfillDays - 21), backfillDays - 1));
  return worldStartMs + offsetDays * DAY_MS;
}

/** The assignment config of a running experiment, as the API derives it from the stored row. */
export function simAssignmentConfig(definition: ExperimentDefinition, stored?: StoredParameters): AssignmentConfig {
  return toAssignmentConfig({
    ...definition,
    seed: stored?.seed ?? definition.key,
    status: "running",
    trafficAllocation: stored?.trafficAllocation ?? definition.trafficPercent / 100,
  });
}

/** What a stored experiment has beyond its definition. */
export interface StoredParameters {
  seed: string;
  /** Exactly as stored (the definition's percent is rounded). */
  trafficAllocation: number;
}

export interface ExperimentsHookOptions {
  /** Called once per (experiment, user), at the user's first session in the experiment. */
  onExposure?: (exposure: SimExposure) => void;
  /**
   * When an experiment stopped applying (paused or stopped by a person), epoch ms. Read at every
   * session, so the owner may add an end while the simulator runs: sessions come in event-time
   * order, so an end set at the present only changes the future.
   */
  endMsByKey?: ReadonlyMap<string, number>;
  /** Per experiment key, the stored seed and allocation (else the key and the definition's percent). */
  stored?: Readonly<Record<string, StoredParameters>>;
  /**
   * A variant already stored for the user, which wins over a recomputation as in the assignment
   * API (weights may have changed since); a stored experiment also takes the user's layer.
   */
  storedVariant?: (experimentKey: string, userId: string) => string | undefined;
}

/**
 * The simulator's hook: for a session in [start, end) of experiments, the user's variants by
 * `assignAll` (in definition order; stored variants first, as the API does) and the product of
 * the variants' effects. Experiments missing from `startMsByKey` are off. The effect is a pure
 * function of the session and the fixed inputs, so the world stays reproducible; `onExposure`
 * only observes.
 */
export function createExperimentsHook(
  experiments: readonly SimExperiment[],
  startMsByKey: Readonly<Record<string, number>>,
  options: ExperimentsHookOptions = {},
): ExperimentsHook {
  const { onExposure, endMsByKey, storedVariant } = options;
  const timed = experiments
    .filter((e) => Number.isFinite(startMsByKey[e.definition.key]))
    .map((e) => ({
      key: e.definition.key,
      startMs: startMsByKey[e.definition.key] as number,
      config: simAssignmentConfig(e.definition, options.stored?.[e.definition.key]),
      effects: e.effects,
      // Users already reported; the Set is per experiment so that no key is built per session.
      exposed: new Set<string>(),
    }));
  const byKey = new Map(timed.map((t) => [t.key, t]));
  const firstStart = Math.min(...timed.map((t) => t.startMs));

  return (session: SessionStart) => {
    if (!(session.atMs >= firstStart)) return undefined;
    const configs: AssignmentConfig[] = [];
    for (const t of timed) {
      if (session.atMs < t.startMs) continue;
      const end = endMsByKey?.get(t.key);
      if (end !== undefined && session.atMs >= end) continue;
      configs.push(t.config);
    }
    if (configs.length === 0) return undefined;
    const { country, device, signupDay } = session.attributes;
    const user: AssignmentUser = { id: session.userId, attributes: { country, device, signupDate: signupDay } };
    const variants = storedVariant ? withStored(configs, user, storedVariant) : assignAll(configs, user);
    if (variants.length === 0) return undefined;
    let watches = 1;
    let duration = 1;
    let returnRate = 1;
    let churn = 1;
    for (const v of variants) {
      const t = byKey.get(v.experimentKey) as (typeof timed)[number];
      const effect = t.effects[v.variantKey];
      if (effect) {
        watches *= effect.watchesMultiplier ?? 1;
        duration *= effect.durationMultiplier ?? 1;
        returnRate *= effect.returnRateMultiplier ?? 1;
        churn *= effect.churnMultiplier ?? 1;
      }
      if (onExposure && !t.exposed.has(session.userId)) {
        t.exposed.add(session.userId);
        onExposure({ userId: session.userId, experimentKey: v.experimentKey, variantKey: v.variantKey, atMs: session.atMs });
      }
    }
    return { watchesMultiplier: watches, durationMultiplier: duration, returnRateMultiplier: returnRate, churnMultiplier: churn };
  };
}

/** assignAll where a stored variant wins and takes its layer: the assignment API's order of decisions. */
function withStored(
  configs: readonly AssignmentConfig[],
  user: AssignmentUser,
  storedVariant: (experimentKey: string, userId: string) => string | undefined,
): { experimentKey: string; variantKey: string }[] {
  let stored: { experimentKey: string; variantKey: string }[] | undefined;
  let takenLayers: Set<string> | undefined;
  for (const c of configs) {
    const variantKey = storedVariant(c.key, user.id);
    if (variantKey === undefined) continue;
    (stored ??= []).push({ experimentKey: c.key, variantKey });
    if (c.layer) (takenLayers ??= new Set()).add(c.layer.key);
  }
  if (!stored) return assignAll(configs, user);
  const taken = takenLayers;
  const fresh = configs.filter((c) => storedVariant(c.key, user.id) === undefined && !(c.layer && taken?.has(c.layer.key)));
  return [...stored, ...assignAll(fresh, user)];
}
