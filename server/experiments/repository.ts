/**
 * Experiments in Postgres: create, edit, move through the lifecycle, with an audit row for every
 * change in the same transaction. Edits and transitions name the version they start from
 * (optimistic locking): two people editing at once get a 409, not a silent overwrite.
 */
import type { ExperimentDetailDto, ExperimentDto, AuditEntryDto } from "../../lib/api/experiments";
import { findLayerOverlaps, type ExperimentStatus, type TargetingRule } from "../../lib/experiments/assign";
import { experimentInputSchema, toAssignmentConfig, variantShares, type ExperimentDefinition } from "../../lib/experiments/definition";
import { editableFields, nextStatus, type Decision, type TransitionRequest } from "../../lib/experiments/lifecycle";
import type { Db } from "../db/client";
import type { Prisma } from "../generated/prisma/client";
import { HttpError } from "../http/respond";
import { experimentHealth } from "./health";

const withVariants = { variants: { orderBy: { position: "asc" } } } as const;
type ExperimentRow = Prisma.ExperimentGetPayload<{ include: typeof withVariants }>;

/** The definition part of a stored experiment: what the edit form shows and the audit compares. */
export function definitionOf(row: ExperimentRow): ExperimentDefinition {
  return {
    key: row.key,
    name: row.name,
    hypothesis: row.hypothesis,
    owner: row.owner,
    variants: row.variants.map((v) => ({ key: v.key, name: v.name, weight: v.weight, isControl: v.isControl })),
    trafficPercent: round6(row.trafficAllocation * 100),
    targeting: row.targeting as TargetingRule[],
    layer: row.layerKey ? { key: row.layerKey, ranges: (row.layerRanges as [number, number][] | null) ?? undefined } : undefined,
    primaryMetric: row.primaryMetric as ExperimentDefinition["primaryMetric"],
    secondaryMetrics: row.secondaryMetrics as ExperimentDefinition["secondaryMetrics"],
    guardrailMetrics: row.guardrailMetrics as ExperimentDefinition["guardrailMetrics"],
  };
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

interface VariantCounts {
  /** Every user assigned. */
  assigned: number;
  /** Users assigned since the current weights took effect: what the sample ratio check uses. */
  sinceWeights: number;
}

/** Users assigned per experiment and variant, for a set of experiments (one grouped scan). */
async function assignedCounts(db: Db, experiments: readonly { id: number; weightsSince: Date | null }[]): Promise<Map<string, VariantCounts>> {
  if (experiments.length === 0) return new Map();
  const rows = await db.$queryRaw<{ experiment_id: number; variant_key: string; assigned: number; since_weights: number }[]>`
    SELECT a.experiment_id, a.variant_key, count(*)::int AS assigned,
           (count(*) FILTER (WHERE a.assigned_at >= coalesce(k.weights_since, '-infinity')))::int AS since_weights
    FROM assignment a
    JOIN unnest(${experiments.map((e) => e.id)}::int[], ${experiments.map((e) => e.weightsSince)}::timestamptz[]) AS k(experiment_id, weights_since)
      USING (experiment_id)
    GROUP BY a.experiment_id, a.variant_key`;
  return new Map(rows.map((r) => [`${r.experiment_id}/${r.variant_key}`, { assigned: r.assigned, sinceWeights: r.since_weights }]));
}

function toDto(row: ExperimentRow, counts: Map<string, VariantCounts>): ExperimentDto {
  const shares = variantShares(row.variants.map((v) => v.weight));
  const variants = row.variants.map((v, i) => ({
    key: v.key,
    name: v.name,
    weight: v.weight,
    isControl: v.isControl,
    sharePercent: shares[i]!,
    assigned: counts.get(`${row.id}/${v.key}`)?.assigned ?? 0,
  }));
  const def = definitionOf(row);
  const status = row.status as ExperimentStatus;
  return {
    key: row.key,
    name: row.name,
    hypothesis: row.hypothesis,
    owner: row.owner,
    status,
    trafficPercent: def.trafficPercent,
    targeting: def.targeting,
    layer: def.layer ? { key: def.layer.key, ranges: def.layer.ranges } : null,
    primaryMetric: row.primaryMetric,
    secondaryMetrics: row.secondaryMetrics,
    guardrailMetrics: row.guardrailMetrics,
    variants,
    assignedTotal: variants.reduce((s, v) => s + v.assigned, 0),
    startedAt: row.startedAt?.toISOString() ?? null,
    stoppedAt: row.stoppedAt?.toISOString() ?? null,
    decision: row.decision as Decision | null,
    decisionVariant: row.decisionVariant,
    decisionNote: row.decisionNote,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    health: experimentHealth(
      status,
      row.variants.map((v) => ({ weight: v.weight, assigned: counts.get(`${row.id}/${v.key}`)?.sinceWeights ?? 0 })),
      row.weightsSince !== null && row.startedAt !== null && row.weightsSince > row.startedAt,
    ),
  };
}

export async function listExperiments(db: Db): Promise<ExperimentDto[]> {
  const rows = await db.experiment.findMany({ include: withVariants, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
  const counts = await assignedCounts(db, rows);
  return rows.map((r) => toDto(r, counts));
}

export async function getExperiment(db: Db, key: string): Promise<ExperimentDetailDto | null> {
  const row = await db.experiment.findUnique({ where: { key }, include: withVariants });
  if (!row) return null;
  const [counts, audit] = await Promise.all([
    assignedCounts(db, [row]),
    db.experimentAudit.findMany({ where: { experimentId: row.id }, orderBy: [{ at: "desc" }, { id: "desc" }], take: 200 }),
  ]);
  return {
    ...toDto(row, counts),
    audit: audit.map(
      (a): AuditEntryDto => ({ id: Number(a.id), actor: a.actor, action: a.action as AuditEntryDto["action"], at: a.at.toISOString(), before: a.before, after: a.after }),
    ),
  };
}

function variantRows(def: ExperimentDefinition) {
  return def.variants.map((v, position) => ({ key: v.key, name: v.name, weight: v.weight, isControl: v.isControl, position }));
}

function columns(def: ExperimentDefinition) {
  return {
    name: def.name,
    hypothesis: def.hypothesis,
    owner: def.owner,
    trafficAllocation: def.trafficPercent / 100,
    targeting: def.targeting as Prisma.InputJsonValue,
    layerKey: def.layer?.key ?? null,
    layerRanges: (def.layer?.ranges as Prisma.InputJsonValue | undefined) ?? undefined,
    primaryMetric: def.primaryMetric,
    secondaryMetrics: def.secondaryMetrics,
    guardrailMetrics: def.guardrailMetrics,
  };
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && "code" in err && (err as { code: unknown }).code === "P2002";
}

export async function createExperiment(db: Db, input: unknown, actor: string): Promise<ExperimentDetailDto> {
  const def = experimentInputSchema.parse(input);
  try {
    await db.$transaction(async (tx) => {
      const row = await tx.experiment.create({
        // The seed is the key at creation: renaming is impossible, so assignments never move.
        data: { key: def.key, seed: def.key, ...columns(def), variants: { create: variantRows(def) } },
      });
      await tx.experimentAudit.create({ data: { experimentId: row.id, actor, action: "create", after: def as Prisma.InputJsonValue } });
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new HttpError(409, `an experiment with key "${def.key}" already exists`);
    throw err;
  }
  return (await getExperiment(db, def.key))!;
}

async function loadForChange(tx: Prisma.TransactionClient, key: string, version: number): Promise<ExperimentRow> {
  const row = await tx.experiment.findUnique({ where: { key }, include: withVariants });
  if (!row) throw new HttpError(404, `no experiment "${key}"`);
  if (row.version !== version) {
    throw new HttpError(409, `experiment "${key}" changed since you loaded it (version ${version}, now ${row.version}): reload and try again`);
  }
  return row;
}

/** Bumps the version only if nobody else did in between; a lost race is the same 409. */
async function claimVersion(tx: Prisma.TransactionClient, row: ExperimentRow, data: Prisma.ExperimentUpdateManyMutationInput): Promise<void> {
  const { count } = await tx.experiment.updateMany({ where: { id: row.id, version: row.version }, data: { ...data, version: row.version + 1 } });
  if (count !== 1) throw new HttpError(409, `experiment "${row.key}" changed while saving: reload and try again`);
}

export async function updateExperiment(db: Db, key: string, version: number, input: unknown, actor: string): Promise<ExperimentDetailDto> {
  const def = experimentInputSchema.parse(input);
  if (def.key !== key) throw new HttpError(400, "key: an experiment's key cannot change (it seeds the assignment hash)");
  await db.$transaction(async (tx) => {
    const row = await loadForChange(tx, key, version);
    const status = row.status as ExperimentStatus;
    const before = definitionOf(row);
    const editable = editableFields(status);
    if (editable === "none") throw new HttpError(409, `a ${status} experiment cannot be edited`);
    if (editable === "running") {
      const sameVariants = before.variants.map((v) => v.key).join() === def.variants.map((v) => v.key).join();
      if (!sameVariants) throw new HttpError(409, "variants: once started, variants cannot be added, removed or renamed (only weights and names change)");
      if (JSON.stringify(before.layer ?? null) !== JSON.stringify(def.layer ?? null)) throw new HttpError(409, "layer: once started, the layer cannot change");
      if (before.variants.find((v) => v.isControl)?.key !== def.variants.find((v) => v.isControl)?.key) {
        throw new HttpError(409, "variants: once started, the control cannot change");
      }
    }
    const weightsChanged = before.variants.map((v) => v.weight).join() !== def.variants.map((v) => v.weight).join();
    await claimVersion(tx, row, { ...columns(def), ...(weightsChanged && row.weightsSince ? { weightsSince: new Date() } : {}) });
    await tx.experimentVariant.deleteMany({ where: { experimentId: row.id } });
    await tx.experimentVariant.createMany({ data: variantRows(def).map((v) => ({ ...v, experimentId: row.id })) });
    await tx.experimentAudit.create({
      data: { experimentId: row.id, actor, action: "update", before: before as Prisma.InputJsonValue, after: def as Prisma.InputJsonValue },
    });
  });
  return (await getExperiment(db, key))!;
}

/**
 * Moves an experiment through its lifecycle. `options.at` backdates the change (the simulator
 * starts its experiments at their simulated start); people's changes happen now.
 */
export async function transitionExperiment(
  db: Db,
  key: string,
  request: TransitionRequest,
  actor: string,
  options: { at?: Date } = {},
): Promise<ExperimentDetailDto> {
  await db.$transaction(async (tx) => {
    const row = await loadForChange(tx, key, request.version);
    const from = row.status as ExperimentStatus;
    const next = nextStatus(from, request.action);
    if ("error" in next) throw new HttpError(409, next.error);
    if (next.to === "running") {
      // Mutual exclusion holds only if no two running experiments share slots of a layer.
      const running = await tx.experiment.findMany({ where: { status: "running", NOT: { id: row.id } }, include: withVariants });
      const configs = [row, ...running].map((r) => toAssignmentConfig({ ...definitionOf(r), seed: r.seed, status: "running", trafficAllocation: r.trafficAllocation }));
      const clash = findLayerOverlaps(configs).find((o) => o.experiments.includes(row.key));
      if (clash) {
        const other = clash.experiments.find((k) => k !== row.key);
        throw new HttpError(409, `layer "${clash.layer}": its slots overlap running experiment "${other}"; give them disjoint ranges`);
      }
    }
    if (request.decision === "ship" && !row.variants.some((v) => v.key === request.decisionVariant)) {
      throw new HttpError(400, `decisionVariant: "${request.decisionVariant}" is not a variant of "${key}"`);
    }
    const now = options.at ?? new Date();
    await claimVersion(tx, row, {
      status: next.to,
      ...(request.action === "start" ? { startedAt: now, weightsSince: now } : {}),
      ...(request.action === "stop"
        ? { stoppedAt: now, decision: request.decision, decisionVariant: request.decisionVariant ?? null, decisionNote: request.note ?? null }
        : {}),
    });
    await tx.experimentAudit.create({
      data: {
        experimentId: row.id,
        actor,
        action: request.action,
        before: { status: from },
        after: {
          status: next.to,
          ...(request.decision ? { decision: request.decision } : {}),
          ...(request.decisionVariant ? { decisionVariant: request.decisionVariant } : {}),
          ...(request.note ? { note: request.note } : {}),
        },
      },
    });
  });
  return (await getExperiment(db, key))!;
}

