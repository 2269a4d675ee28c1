/**
 * The list's health badge: is this experiment collecting what it should? Sample ratio mismatch
 * (χ² of assigned counts against the weights, flagged at p < 0.001, as in lib/stats) and plain
 * state checks. Full results live on the experiment page (server/results).
 */
import type { ExperimentHealth } from "../../lib/api/experiments";
import type { ExperimentStatus } from "../../lib/experiments/assign";
import { sampleRatioMismatch } from "../../lib/stats";

/** Below this many users a split says little; the badge says "collecting" instead. */
export const MIN_USERS_FOR_SRM = 100;

/**
 * `assigned` counts users since the current weights took effect (experiment.weightsSince);
 * `reweighted` says the weights changed after the start, so messages can say "since".
 */
export function experimentHealth(status: ExperimentStatus, variants: readonly { weight: number; assigned: number }[], reweighted = false): ExperimentHealth {
  const total = variants.reduce((s, v) => s + v.assigned, 0);
  const since = reweighted ? " since the weights changed" : "";
  if (status === "draft") return { status: "idle", message: "not started" };
  if (status === "archived") return { status: "idle", message: "archived" };
  if (total === 0) return status === "running" ? { status: "warning", message: `running, but no user assigned${since || " yet"}` } : { status: "idle", message: `no users assigned${since}` };
  if (total < MIN_USERS_FOR_SRM) return { status: "ok", message: `collecting: ${total} users${since || " so far"}` };
  const srm = sampleRatioMismatch(
    variants.map((v) => v.assigned),
    variants.map((v) => v.weight),
  );
  if (srm.mismatch) return { status: "problem", message: `sample ratio mismatch (p = ${srm.pValue.toPrecision(2)}): check assignment and logging` };
  return { status: "ok", message: `${total.toLocaleString("en")} users${since}, split as expected` };
}
