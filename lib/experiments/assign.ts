/**
 * Experiment assignment as pure functions: callers load experiments and user attributes, then
 * pass plain values in. Deterministic and sticky by construction; the stored assignment still wins
 * over a recomputation, so that changing weights later never moves a user already assigned.
 *
 * Decision order in `assign`: status → targeting → layer slot → traffic draw → variant draw.
 * The traffic and variant draws are independent hashes (hash.ts), so raising the allocation only
 * adds users and keeps every user already in traffic on the same variant.
 */
import { z } from "zod";
import { SALT, assignmentKey, layerKey, murmur3, toUnit, utf8Transient } from "./hash";

export const EXPERIMENT_STATUSES = ["draft", "running", "paused", "stopped", "archived"] as const;
export type ExperimentStatus = (typeof EXPERIMENT_STATUSES)[number];

export const TARGETING_ATTRIBUTES = ["country", "device", "plan", "signupDate"] as const;
export type TargetingAttribute = (typeof TARGETING_ATTRIBUTES)[number];

const key = z.string().trim().min(1, "must not be empty").max(128, "is longer than 128 characters");
/** A UTC calendar day; compared as text, which orders YYYY-MM-DD days correctly. */
const isoDay = z.iso.date({ error: "must be a calendar day YYYY-MM-DD" });
const attribute = z.enum(TARGETING_ATTRIBUTES);

/**
 * The user as assignment sees them, validated where they enter (the assignment API): a timestamp
 * in signupDate would compare wrongly against day bounds, so only YYYY-MM-DD passes.
 */
export const assignmentUserSchema = z.object({
  id: key,
  /** What targeting can look at; a missing attribute matches no rule on it. */
  attributes: z
    .object({ country: z.string().optional(), device: z.string().optional(), plan: z.string().optional(), signupDate: isoDay.optional() })
    .optional(),
});
export type AssignmentUser = z.infer<typeof assignmentUserSchema>;
export type TargetingAttributes = NonNullable<AssignmentUser["attributes"]>;

export const targetingRuleSchema = z
  .discriminatedUnion("op", [
    z.object({ attribute, op: z.literal("equals"), value: z.string() }),
    z.object({ attribute, op: z.literal("in"), value: z.array(z.string()).min(1, "must list at least one value") }),
    z.object({
      // Only signup dates are ordered; a range over countries or plans would be an accident.
      attribute: z.literal("signupDate", { error: "range applies to signupDate only" }),
      op: z.literal("range"),
      /** Inclusive bounds; either may be left open. */
      value: z
        .object({ min: isoDay.optional(), max: isoDay.optional() })
        .refine((r) => r.min !== undefined || r.max !== undefined, "needs min, max or both")
        .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, "min is after max"),
    }),
  ])
  .superRefine((rule, ctx) => {
    if (rule.attribute !== "signupDate" || rule.op === "range") return;
    const values = rule.op === "equals" ? [rule.value] : rule.value;
    if (values.some((v) => !isoDay.safeParse(v).success)) {
      ctx.addIssue({ code: "custom", path: ["value"], message: "signupDate values must be calendar days YYYY-MM-DD" });
    }
  });
export type TargetingRule = z.infer<typeof targetingRuleSchema>;

/** A half-open interval [start, end) of a layer's slots, 0 ≤ start < end ≤ 1. */
const unitRange = z
  .tuple([z.number().min(0).max(1), z.number().min(0).max(1)])
  .refine(([start, end]) => start < end, "start must be below end");

export const layerSchema = z.object({
  key,
  /** The slots this experiment owns; defaults to the whole layer [[0, 1]]. */
  ranges: z
    .array(unitRange)
    .min(1)
    .refine((rs) => !hasOverlap(rs), "ranges overlap")
    .optional(),
});

export const assignmentConfigSchema = z.object({
  key,
  /** Hashed with the user id; set once at creation (usually to the key) and never changed. */
  seed: key,
  status: z.enum(EXPERIMENT_STATUSES),
  /** Share of eligible users in the experiment, 0..1. */
  trafficAllocation: z.number().min(0).max(1),
  /** Relative weights: [1, 1] and [0.5, 0.5] are the same split. */
  variants: z
    .array(z.object({ key, weight: z.number().finite().min(0) }))
    .min(1, "needs at least one variant")
    .refine((vs) => vs.reduce((s, v) => s + v.weight, 0) > 0, "weights must sum to more than 0")
    .refine((vs) => new Set(vs.map((v) => v.key)).size === vs.length, "variant keys must be unique"),
  /** All rules must match. */
  targeting: z.array(targetingRuleSchema).default([]),
  /** Mutual exclusion: a user is in at most one experiment of a layer. */
  layer: layerSchema.optional(),
});
export type AssignmentConfig = z.output<typeof assignmentConfigSchema>;

export type ExclusionReason = "not-running" | "targeting" | "traffic" | "layer";
export type AssignResult = { variantKey: string; bucket: number } | { excluded: ExclusionReason };

/** A [start, end) interval of the unit line. */
export type BucketRange = readonly [number, number];

/**
 * GrowthBook's ranges: variant i owns [s_i, s_i + coverage · w_i / Σw), laid end to end from 0 in
 * variant order, in double arithmetic in exactly that order (so other languages get the same
 * boundaries). Assignment passes coverage 1, because traffic is a separate draw.
 */
export function getBucketRanges(weights: readonly number[], coverage = 1): BucketRange[] {
  const total = weights.reduce((s, w) => s + w, 0);
  if (!(total > 0) || weights.some((w) => !(w >= 0))) throw new RangeError(`weights must be ≥ 0 and sum to more than 0, got [${weights.join(", ")}]`);
  if (!(coverage >= 0 && coverage <= 1)) throw new RangeError(`coverage must be in [0, 1], got ${coverage}`);
  let start = 0;
  return weights.map((w) => {
    const end = start + coverage * (w / total);
    const range = [start, end] as const;
    start = end;
    return range;
  });
}

/** Index of the range holding `bucket`, or -1 when none does (e.g. past the coverage). */
export function chooseVariant(bucket: number, ranges: readonly BucketRange[]): number {
  for (let i = 0; i < ranges.length; i++) {
    const [start, end] = ranges[i]!;
    if (bucket >= start && bucket < end) return i;
  }
  return -1;
}

/** Whether a traffic draw in [0, 1) lands inside the allocation. */
export function inTraffic(trafficDraw: number, allocation: number): boolean {
  return trafficDraw < allocation;
}

/** Whether every rule matches (an empty list matches everyone). Ranges are inclusive. */
export function matchesTargeting(rules: readonly TargetingRule[], attributes: TargetingAttributes | undefined): boolean {
  for (const rule of rules) {
    const actual = attributes?.[rule.attribute];
    if (actual === undefined) return false;
    switch (rule.op) {
      case "equals":
        if (actual !== rule.value) return false;
        break;
      case "in":
        if (!rule.value.includes(actual)) return false;
        break;
      case "range":
        if (rule.value.min !== undefined && actual < rule.value.min) return false;
        if (rule.value.max !== undefined && actual > rule.value.max) return false;
        break;
    }
  }
  return true;
}

/** The user's slot in a layer, a uniform draw in [0, 1) shared by every experiment of the layer. */
export function layerSlot(layer: string, userId: string): number {
  return toUnit(murmur3(utf8Transient(layerKey(layer, userId)), SALT.layer));
}

function inRanges(x: number, ranges: readonly BucketRange[] | undefined): boolean {
  if (ranges === undefined) return true;
  for (const [start, end] of ranges) if (x >= start && x < end) return true;
  return false;
}

/**
 * One user's variant in one experiment, or why they are not in it. Pure and deterministic: the
 * same experiment config and user always give the same answer. `slot` is the user's layer slot
 * when the caller already has it (assignAll computes it once per layer).
 */
export function assign(experiment: AssignmentConfig, user: AssignmentUser, slot?: number): AssignResult {
  if (experiment.status !== "running") return { excluded: "not-running" };
  if (experiment.targeting.length > 0 && !matchesTargeting(experiment.targeting, user.attributes)) return { excluded: "targeting" };
  const layer = experiment.layer;
  if (layer !== undefined && !inRanges(slot ?? layerSlot(layer.key, user.id), layer.ranges)) return { excluded: "layer" };

  const bytes = utf8Transient(assignmentKey(experiment.seed, user.id));
  if (!inTraffic(toUnit(murmur3(bytes, SALT.traffic)), experiment.trafficAllocation)) return { excluded: "traffic" };
  const bucket = toUnit(murmur3(bytes, SALT.variant));

  // getBucketRanges(weights, 1) + chooseVariant without allocating: the same arithmetic, in order.
  const variants = experiment.variants;
  let total = 0;
  for (let i = 0; i < variants.length; i++) total += variants[i]!.weight;
  let start = 0;
  for (let i = 0; i < variants.length; i++) {
    const end = start + variants[i]!.weight / total;
    if (bucket >= start && bucket < end) return { variantKey: variants[i]!.key, bucket };
    start = end;
  }
  // Unreachable for valid weights: the ranges cover [0, 1) up to rounding far below 2^-32.
  throw new RangeError(`bucket ${bucket} is in no variant of ${experiment.key}`);
}

export interface ExperimentVariant {
  experimentKey: string;
  variantKey: string;
  bucket: number;
}

/**
 * The user's variant in every running experiment they qualify for, in input order, at most one per
 * layer. A user whose layer slot belongs to an experiment that then excludes them (targeting,
 * traffic) gets nothing from that layer: falling through to a neighbour would bias its sample.
 * Overlapping layer ranges are a config error (see `findLayerOverlaps`); should they slip through,
 * the first experiment in input order wins.
 */
export function assignAll(experiments: readonly AssignmentConfig[], user: AssignmentUser): ExperimentVariant[] {
  const out: ExperimentVariant[] = [];
  let slots: Map<string, number> | undefined;
  let taken: Set<string> | undefined;
  for (const experiment of experiments) {
    if (experiment.status !== "running") continue;
    const layer = experiment.layer?.key;
    let slot: number | undefined;
    if (layer !== undefined) {
      if (taken?.has(layer)) continue;
      slots ??= new Map();
      slot = slots.get(layer);
      if (slot === undefined) slots.set(layer, (slot = layerSlot(layer, user.id)));
    }
    const result = assign(experiment, user, slot);
    if ("excluded" in result) continue;
    out.push({ experimentKey: experiment.key, variantKey: result.variantKey, bucket: result.bucket });
    if (layer !== undefined) (taken ??= new Set()).add(layer);
  }
  return out;
}

export interface LayerOverlap {
  layer: string;
  experiments: [string, string];
}

/**
 * Pairs of experiments whose ranges in the same layer overlap. Check the running experiments plus
 * the one about to start: a non-empty answer means the start must be refused.
 */
export function findLayerOverlaps(experiments: readonly AssignmentConfig[]): LayerOverlap[] {
  const overlaps: LayerOverlap[] = [];
  for (let i = 0; i < experiments.length; i++) {
    const a = experiments[i]!;
    if (a.layer === undefined) continue;
    for (let j = i + 1; j < experiments.length; j++) {
      const b = experiments[j]!;
      if (b.layer?.key !== a.layer.key) continue;
      if (hasOverlap([...(a.layer.ranges ?? [[0, 1]]), ...(b.layer.ranges ?? [[0, 1]])])) {
        overlaps.push({ layer: a.layer.key, experiments: [a.key, b.key] });
      }
    }
  }
  return overlaps;
}

function hasOverlap(ranges: readonly BucketRange[]): boolean {
  const sorted = [...ranges].sort((x, y) => x[0] - y[0]);
  for (let i = 1; i < sorted.length; i++) if (sorted[i]![0] < sorted[i - 1]![1]) return true;
  return false;
}
