/**
 * How an experiment's results are analysed, set per experiment on its page (editors) and stored
 * in experiment.analysis. Every field has a default, so `{}` is a valid setting.
 */
import { z } from "zod";

export const CORRECTIONS = ["none", "holm", "bh"] as const;
export type Correction = (typeof CORRECTIONS)[number];

export const analysisSettingsSchema = z.object({
  /** Two-sided confidence level of every interval and test. */
  confidence: z.union([z.literal(0.9), z.literal(0.95), z.literal(0.99)], { error: "must be 0.9, 0.95 or 0.99" }).default(0.95),
  /** Multiple-comparison correction across metrics × variants: Holm (family-wise) or Benjamini–Hochberg (false discovery rate). */
  correction: z.enum(CORRECTIONS).default("holm"),
  /** Always-valid (mSPRT) p-values and intervals, so looking every day does not inflate false positives. */
  sequential: z.boolean().default(false),
  /** CUPED: adjust each metric with the same metric in the 7 days before first exposure. */
  cuped: z.boolean().default(true),
  /** Cap per-user values at this percentile of the experiment's users (winsorization); 1 = no cap. */
  capPercentile: z.union([z.literal(1), z.literal(0.999), z.literal(0.99), z.literal(0.95)], { error: "must be 1 (off), 0.999, 0.99 or 0.95" }).default(0.99),
});
export type AnalysisSettings = z.output<typeof analysisSettingsSchema>;

export const DEFAULT_ANALYSIS: AnalysisSettings = analysisSettingsSchema.parse({});

/** Stored settings, with defaults for anything missing or no longer valid. */
export function readAnalysisSettings(stored: unknown): AnalysisSettings {
  const parsed = analysisSettingsSchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : DEFAULT_ANALYSIS;
}
