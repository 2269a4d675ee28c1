/**
 * What a data scientist writes when creating or editing an experiment: one zod schema shared by
 * the form (inline errors, by path) and the API (400 with the same messages).
 */
import { z } from "zod";
import { METRIC_IDS } from "../metrics/catalog";
import { layerSchema, targetingRuleSchema, type AssignmentConfig, type ExperimentStatus } from "./assign";

/** Lowercase slug: what URLs, assignment responses and exposure events carry. */
const slug = z
  .string()
  .trim()
  .min(2, "must be at least 2 characters")
  .max(64, "must be at most 64 characters")
  .regex(/^[a-z0-9][a-z0-9_-]*$/, "use lowercase letters, digits, - and _ (starting with a letter or digit)");

export const variantInputSchema = z.object({
  key: slug,
  name: z.string().trim().min(1, "needs a name").max(120, "must be at most 120 characters"),
  weight: z.number({ error: "must be a number" }).finite("must be a number").gt(0, "must be more than 0").max(1_000_000, "is too large"),
  isControl: z.boolean().default(false),
});
export type VariantInput = z.infer<typeof variantInputSchema>;

const metricId = z.enum(METRIC_IDS, { error: "is not a metric of the catalog" });

export const experimentInputSchema = z
  .object({
    key: slug,
    name: z.string().trim().min(1, "needs a name").max(200, "must be at most 200 characters"),
    hypothesis: z.string().trim().max(4000, "must be at most 4,000 characters").default(""),
    owner: z.string().trim().min(1, "needs an owner").max(200, "must be at most 200 characters"),
    // Checked on the list itself, so these show even while other fields still have mistakes.
    variants: z
      .array(variantInputSchema)
      .min(2, "needs at least two variants: a control and a treatment")
      .max(10, "at most 10 variants")
      .superRefine((variants, ctx) => {
        const controls = variants.filter((v) => v.isControl).length;
        if (controls !== 1) ctx.addIssue({ code: "custom", message: controls === 0 ? "mark one variant as the control" : "only one variant can be the control" });
        const seen = new Set<string>();
        variants.forEach((v, i) => {
          if (seen.has(v.key)) ctx.addIssue({ code: "custom", path: [i, "key"], message: `duplicate variant key "${v.key}"` });
          seen.add(v.key);
        });
      }),
    /** Share of eligible users in the experiment, in percent. */
    trafficPercent: z.number({ error: "must be a number" }).min(0, "must be 0–100").max(100, "must be 0–100"),
    targeting: z.array(targetingRuleSchema).max(20, "at most 20 rules").default([]),
    layer: layerSchema.optional(),
    primaryMetric: metricId,
    secondaryMetrics: z.array(metricId).max(10).default([]),
    guardrailMetrics: z.array(metricId).max(10).default([]),
  })
  .superRefine((e, ctx) => {
    const metrics = [e.primaryMetric, ...e.secondaryMetrics, ...e.guardrailMetrics];
    const dup = metrics.find((m, i) => metrics.indexOf(m) !== i);
    if (dup !== undefined) ctx.addIssue({ code: "custom", path: ["secondaryMetrics"], message: `metric "${dup}" is listed twice` });
  });
export type ExperimentInput = z.input<typeof experimentInputSchema>;
export type ExperimentDefinition = z.output<typeof experimentInputSchema>;

/** The body of PATCH /api/experiments/:key: the whole definition plus the version it edits. */
export const experimentUpdateSchema = z.object({
  version: z.number().int().positive(),
  experiment: experimentInputSchema,
});

/** Each variant's share of the experiment's users, in percent (what the form shows). */
export function variantShares(weights: readonly number[]): number[] {
  const total = weights.reduce((s, w) => s + (w > 0 ? w : 0), 0);
  return weights.map((w) => (total > 0 && w > 0 ? (100 * w) / total : 0));
}

/** The pure assignment config of a stored experiment, for lib/experiments/assign.ts. */
export function toAssignmentConfig(e: {
  key: string;
  seed: string;
  status: ExperimentStatus;
  trafficAllocation: number;
  targeting: AssignmentConfig["targeting"];
  layer?: AssignmentConfig["layer"];
  variants: readonly { key: string; weight: number }[];
}): AssignmentConfig {
  return {
    key: e.key,
    seed: e.seed,
    status: e.status,
    trafficAllocation: e.trafficAllocation,
    variants: e.variants.map((v) => ({ key: v.key, weight: v.weight })),
    targeting: e.targeting,
    layer: e.layer,
  };
}
