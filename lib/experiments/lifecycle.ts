/**
 * An experiment's life: draft → running ⇄ paused → stopped → archived (a draft can be archived
 * unstarted). Only a running experiment assigns users; a paused one keeps its assignments and
 * serves nobody until resumed; stopping records the decision and is final.
 */
import { z } from "zod";
import type { ExperimentStatus } from "./assign";

export const TRANSITIONS = {
  start: { from: ["draft"], to: "running", label: "Start" },
  pause: { from: ["running"], to: "paused", label: "Pause" },
  resume: { from: ["paused"], to: "running", label: "Resume" },
  stop: { from: ["running", "paused"], to: "stopped", label: "Stop" },
  archive: { from: ["draft", "stopped"], to: "archived", label: "Archive" },
} as const satisfies Record<string, { from: readonly ExperimentStatus[]; to: ExperimentStatus; label: string }>;

export type TransitionAction = keyof typeof TRANSITIONS;
export const TRANSITION_ACTIONS = Object.keys(TRANSITIONS) as [TransitionAction, ...TransitionAction[]];

export const DECISIONS = ["ship", "rollback", "inconclusive"] as const;
export type Decision = (typeof DECISIONS)[number];

export const DECISION_LABELS: Readonly<Record<Decision, string>> = {
  ship: "Ship a variant",
  rollback: "Roll back",
  inconclusive: "Inconclusive",
};

/** The body of POST /api/experiments/:key/transitions. */
export const transitionRequestSchema = z
  .object({
    action: z.enum(TRANSITION_ACTIONS),
    /** The version the caller saw; a stale one gets a 409 instead of acting on changed data. */
    version: z.number().int().positive(),
    decision: z.enum(DECISIONS).optional(),
    /** The variant to ship, with decision "ship". */
    decisionVariant: z.string().trim().min(1).max(128).optional(),
    note: z.string().trim().max(4000).optional(),
  })
  .superRefine((t, ctx) => {
    if (t.action === "stop" && t.decision === undefined) {
      ctx.addIssue({ code: "custom", path: ["decision"], message: "stopping records a decision: ship, rollback or inconclusive" });
    }
    if (t.action !== "stop" && t.decision !== undefined) {
      ctx.addIssue({ code: "custom", path: ["decision"], message: "a decision is recorded only when stopping" });
    }
    if (t.decision === "ship" && t.decisionVariant === undefined) {
      ctx.addIssue({ code: "custom", path: ["decisionVariant"], message: "name the variant to ship" });
    }
    if (t.decision !== "ship" && t.decisionVariant !== undefined) {
      ctx.addIssue({ code: "custom", path: ["decisionVariant"], message: "only a ship decision names a variant" });
    }
  });
export type TransitionRequest = z.infer<typeof transitionRequestSchema>;

/** The actions open from a status, in the order the page shows them. */
export function availableActions(status: ExperimentStatus): TransitionAction[] {
  return TRANSITION_ACTIONS.filter((a) => (TRANSITIONS[a].from as readonly ExperimentStatus[]).includes(status));
}

/** The status after `action`, or an error message saying why it is not allowed. */
export function nextStatus(status: ExperimentStatus, action: TransitionAction): { to: ExperimentStatus } | { error: string } {
  const t = TRANSITIONS[action];
  if (!(t.from as readonly ExperimentStatus[]).includes(status)) {
    return { error: `cannot ${action} an experiment that is ${status} (only from ${t.from.join(" or ")})` };
  }
  return { to: t.to };
}

/**
 * What an edit may change in each status. Once users are assigned, variant keys and the layer are
 * fixed (stored assignments name them); weights, allocation and targeting may change, and only
 * new users see the change.
 */
export function editableFields(status: ExperimentStatus): "all" | "running" | "none" {
  if (status === "draft") return "all";
  if (status === "running" || status === "paused") return "running";
  return "none";
}
