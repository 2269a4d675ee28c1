import { assign, getBucketRanges, type TargetingRule } from "../../lib/experiments/assign";
import type { Db } from "../db/client";

export interface UserAssignment {
  experimentKey: string;
  experimentName: string;
  /** draft | running | paused | stopped | archived */
  experimentStatus: string;
  variantKey: string;
  /** The variant's name, or its key when the definition no longer has it. */
  variantName: string;
  isControl: boolean;
  /** First exposure (ISO time): the user's behaviour counts for the experiment from here on. */
  assignedAt: string;
  /** api | simulator */
  source: string;
  /** Who was eligible: the experiment's targeting rules (all must match) and traffic share. */
  targeting: TargetingRule[];
  trafficPercent: number;
  /**
   * The user's variant draw, a fixed hash of the experiment's seed and the user id in [0, 1), and
   * the range of it each variant owns under the current weights. A later change of weights can move
   * the ranges, but never the stored variant.
   */
  bucket: number;
  ranges: { variantKey: string; start: number; end: number }[];
}

export interface UserAssignmentsResponse {
  userId: string;
  /** Newest first. */
  assignments: UserAssignment[];
}

/** The user's stored experiment assignments, with what decided each one. */
export async function getUserAssignments(db: Db, userId: string): Promise<UserAssignmentsResponse> {
  const rows = await db.assignment.findMany({
    where: { userId },
    orderBy: [{ assignedAt: "desc" }, { experimentId: "asc" }],
    include: { experiment: { include: { variants: { orderBy: { position: "asc" } } } } },
  });
  return {
    userId,
    assignments: rows.map((a) => {
      const e = a.experiment;
      const variant = e.variants.find((v) => v.key === a.variantKey);
      const weights = e.variants.map((v) => v.weight);
      const bounds = weights.some((w) => w > 0) ? getBucketRanges(weights) : [];
      return {
        experimentKey: e.key,
        experimentName: e.name,
        experimentStatus: e.status,
        variantKey: a.variantKey,
        variantName: variant?.name ?? a.variantKey,
        isControl: variant?.isControl ?? false,
        assignedAt: a.assignedAt.toISOString(),
        source: a.source,
        targeting: e.targeting as TargetingRule[],
        trafficPercent: e.trafficAllocation * 100,
        bucket: variantDraw(e.seed, e.key, userId),
        ranges: e.variants.flatMap((v, i) => (bounds[i] ? [{ variantKey: v.key, start: bounds[i][0], end: bounds[i][1] }] : [])),
      };
    }),
  };
}

/**
 * The variant draw that `assign` makes for this user: asked of a running, untargeted, full-traffic
 * copy of the experiment, assign goes straight to the draw (the bucket does not depend on weights).
 */
function variantDraw(seed: string, key: string, userId: string): number {
  const result = assign(
    { key, seed, status: "running", trafficAllocation: 1, targeting: [], variants: [{ key: "all", weight: 1 }] },
    { id: userId },
  );
  if ("excluded" in result) throw new Error(`assign excluded ${userId} from an untargeted full-traffic experiment`);
  return result.bucket;
}
