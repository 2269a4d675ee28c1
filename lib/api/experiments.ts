/**
 * JSON shapes of the experiments API (/api/experiments, /api/assignments, /api/admin/*).
 */
import type { AccountRole, TokenKind } from "../auth/roles";
import type { ExperimentStatus, TargetingRule } from "../experiments/assign";
import type { Decision, TransitionAction } from "../experiments/lifecycle";

export interface VariantDto {
  key: string;
  name: string;
  weight: number;
  isControl: boolean;
  /** Share of the experiment's users this variant should get, percent. */
  sharePercent: number;
  /** Users assigned so far. */
  assigned: number;
}

/** At-a-glance state of an experiment for the list: what a reader should look at first. */
export interface ExperimentHealth {
  status: "ok" | "warning" | "problem" | "idle";
  /** Plain words, e.g. "sample ratio mismatch (p = 0.0002)". */
  message: string;
}

export interface ExperimentDto {
  key: string;
  name: string;
  hypothesis: string;
  owner: string;
  status: ExperimentStatus;
  trafficPercent: number;
  targeting: TargetingRule[];
  layer: { key: string; ranges?: [number, number][] } | null;
  primaryMetric: string;
  secondaryMetrics: string[];
  guardrailMetrics: string[];
  variants: VariantDto[];
  assignedTotal: number;
  startedAt: string | null;
  stoppedAt: string | null;
  decision: Decision | null;
  decisionVariant: string | null;
  decisionNote: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  health: ExperimentHealth;
}

export interface AuditEntryDto {
  id: number;
  actor: string;
  /** "analysis": the results settings changed (server/results/save-analysis-settings.ts). */
  action: "create" | "update" | "analysis" | TransitionAction;
  at: string;
  before: unknown;
  after: unknown;
}

export interface ExperimentDetailDto extends ExperimentDto {
  audit: AuditEntryDto[];
}

export interface ExperimentListResponse {
  experiments: ExperimentDto[];
}

/** POST /api/assignments answer: the user's variant in every running experiment they qualify for. */
export interface AssignmentsResponse {
  userId: string;
  assignments: {
    experimentKey: string;
    variantKey: string;
    /** When the user was first assigned (first exposure). */
    assignedAt: string;
    /** True when this call made the assignment. */
    firstExposure: boolean;
  }[];
}

export interface MeResponse {
  email: string;
  role: AccountRole;
}

export interface AccountDto {
  id: number;
  email: string;
  role: AccountRole;
  createdAt: string;
  disabled: boolean;
}

export interface AccessTokenDto {
  id: number;
  kind: TokenKind;
  name: string;
  prefix: string;
  createdBy: string;
  createdAt: string;
  revoked: boolean;
}
