/**
 * GET /api/experiments/:key/results/power: planning figures (lib/stats power.ts) for one metric,
 * with the baseline given in the query or taken from the control's newest snapshot.
 */
import type pg from "pg";
import { z } from "zod";
import type { PowerResponse } from "../../lib/api/results";
import { getMetric } from "../../lib/metrics/catalog";
import { DEFAULT_POWER, minimumDetectableEffect, powerOf, ratioEstimate, sampleSizePerArm, type Baseline } from "../../lib/stats";
import { meanMoments } from "../../lib/stats/sufficient-stats";
import { HttpError } from "../http/respond";
import { loadResultsExperiment } from "./get-experiment-results";
import { loadSnapshots, snapshotDays } from "./snapshots";

const positive = z.coerce.number().finite().gt(0, "must be more than 0");

export const powerQuerySchema = z
  .object({
    /** A catalog metric id; the experiment's primary metric by default. */
    metric: z.string().optional(),
    baselineMean: z.coerce.number().finite().optional(),
    baselineSd: positive.optional(),
    baselineRate: z.coerce.number().gt(0, "must be in (0, 1)").lt(1, "must be in (0, 1)").optional(),
    /** Relative lift to plan for: 0.02 is +2%. */
    mde: z.coerce.number().finite().refine((x) => x !== 0, "must not be 0").optional(),
    confidence: z.coerce.number().gt(0.5, "must be in (0.5, 1)").lt(1, "must be in (0.5, 1)").optional(),
    power: z.coerce.number().min(0.5, "must be in [0.5, 1)").lt(1, "must be in [0.5, 1)").optional(),
  })
  .superRefine((q, ctx) => {
    if ((q.baselineMean === undefined) !== (q.baselineSd === undefined)) {
      ctx.addIssue({ code: "custom", path: [q.baselineMean === undefined ? "baselineMean" : "baselineSd"], message: "give baselineMean and baselineSd together" });
    }
    if (q.baselineRate !== undefined && q.baselineMean !== undefined) {
      ctx.addIssue({ code: "custom", path: ["baselineRate"], message: "give either baselineRate or baselineMean + baselineSd" });
    }
  });
export type PowerQuery = z.infer<typeof powerQuerySchema>;

export async function getPower(pool: pg.Pool, key: string, query: PowerQuery, clock: () => number = Date.now): Promise<PowerResponse | null> {
  const experiment = await loadResultsExperiment(pool, key);
  if (!experiment) return null;
  const metricId = query.metric ?? experiment.primaryMetric;
  const metric = getMetric(metricId);
  if (!metric) throw new HttpError(400, `metric: "${metricId}" is not a metric of the catalog`);
  const confidence = query.confidence ?? experiment.settings.confidence;
  const power = query.power ?? DEFAULT_POWER;

  // Users so far, and the control's behaviour, from the newest snapshot.
  const days = snapshotDays(experiment, clock());
  const snapshots = days.length > 0 ? await loadSnapshots(pool, experiment.id, experiment.settings.capPercentile, days[0]!, days.at(-1)!) : [];
  const latest = snapshots.at(-1)?.stats;
  const controlKey = (experiment.variants.find((v) => v.isControl) ?? experiment.variants[0])?.key;
  const perVariant = experiment.variants.map((v) => latest?.variants.find((s) => s.variantKey === v.key)?.metrics[metric.id]);
  const usersPerArm = perVariant.length > 0 ? Math.min(...perVariant.map((m) => m?.mean.n ?? 0)) : 0;

  let baseline: Baseline | null = null;
  let baselineSource: PowerResponse["baselineSource"] = "none";
  if (query.baselineRate !== undefined) baseline = { rate: query.baselineRate };
  else if (query.baselineMean !== undefined && query.baselineSd !== undefined) baseline = { mean: query.baselineMean, sd: query.baselineSd };
  if (baseline) baselineSource = "query";
  else {
    const control = latest?.variants.find((v) => v.variantKey === controlKey)?.metrics[metric.id];
    if (control && control.mean.n >= 2) {
      if (metric.kind === "proportion") {
        const rate = control.mean.sum / control.mean.n;
        if (rate > 0 && rate < 1) baseline = { rate };
      } else if (metric.kind === "ratio") {
        if (control.bivariate.sumY > 0) {
          const e = ratioEstimate(control.bivariate);
          if (e.se > 0) baseline = { mean: e.value, sd: e.se * Math.sqrt(e.n) };
        }
      } else {
        const m = meanMoments(control.mean);
        if (m.variance > 0) baseline = { mean: m.mean, sd: Math.sqrt(m.variance) };
      }
      if (baseline) baselineSource = "control";
    }
  }

  const mean = baseline ? ("rate" in baseline ? baseline.rate : baseline.mean) : 0;
  const mdeNow = baseline && usersPerArm >= 2 ? minimumDetectableEffect({ baseline, nPerArm: usersPerArm, confidence, power }) : null;
  const mde = query.mde ?? null;
  const requiredPerArm = baseline && mde !== null && mean !== 0 ? sampleSizePerArm({ baseline, relativeMde: mde, confidence, power }).nPerArm : null;
  const powerNow = baseline && mde !== null && usersPerArm >= 2 ? powerOf({ baseline, nPerArm: usersPerArm, absoluteEffect: mde * mean, confidence }) : null;
  return { metricId: metric.id, baseline, baselineSource, confidence, power, usersPerArm, mdeNow, requiredPerArm, powerNow, mde };
}
