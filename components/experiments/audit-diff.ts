/**
 * What an audit entry changed, as a few "field: before → after" lines instead of two JSON dumps.
 * Entries hold a whole definition (create, update) or a status change with its decision
 * (start, pause, resume, stop, archive); see server/experiments/repository.ts. "analysis" entries
 * hold the results settings before and after (server/results/save-analysis-settings.ts).
 */
import type { AuditEntryDto } from "@/lib/api/experiments";
import type { TargetingRule } from "@/lib/experiments/assign";
import { readAnalysisSettings, type AnalysisSettings } from "@/lib/experiments/analysis-settings";
import { DECISION_LABELS, type Decision } from "@/lib/experiments/lifecycle";
import { formatShare, layerInWords, targetingInWords } from "./describe";

export interface AuditChange {
  field: string;
  /** Null when the field was not there before (created, added). */
  before: string | null;
  /** Null when the field was removed. */
  after: string | null;
}

type Json = Record<string, unknown>;
type MetricName = (id: string) => string;

const MAX_TEXT = 80;

const asObject = (value: unknown): Json => (value && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {});
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function text(value: unknown): string {
  const s = typeof value === "string" ? value : JSON.stringify(value);
  if (s === "") return "(empty)";
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 1)}…` : s;
}

interface VariantLike {
  key: string;
  name: string;
  weight: number;
  isControl: boolean;
}

function variantsOf(value: unknown): VariantLike[] {
  return asArray(value).map((v) => {
    const o = asObject(v);
    return { key: String(o.key ?? ""), name: String(o.name ?? ""), weight: Number(o.weight ?? 0), isControl: o.isControl === true };
  });
}

function variantsInWords(variants: VariantLike[]): string {
  const total = variants.reduce((s, v) => s + (v.weight > 0 ? v.weight : 0), 0);
  return variants.map((v) => `${v.key}${v.isControl ? " (control)" : ""} ${formatShare(total > 0 ? (100 * v.weight) / total : 0)}`).join(", ");
}

function metricsInWords(value: unknown, metricName: MetricName): string {
  const ids = asArray(value).map(String);
  return ids.length === 0 ? "none" : ids.map(metricName).join(", ");
}

function layerOf(value: unknown) {
  const o = asObject(value);
  if (typeof o.key !== "string") return null;
  return { key: o.key, ranges: Array.isArray(o.ranges) ? (o.ranges as [number, number][]) : undefined };
}

/** Variant by variant: added, removed, renamed, reweighted, the control moved. */
function variantChanges(beforeValue: unknown, afterValue: unknown): AuditChange[] {
  const before = variantsOf(beforeValue);
  const after = variantsOf(afterValue);
  const changes: AuditChange[] = [];
  const beforeByKey = new Map(before.map((v) => [v.key, v]));
  const afterKeys = new Set(after.map((v) => v.key));
  for (const v of after) {
    const old = beforeByKey.get(v.key);
    if (!old) {
      changes.push({ field: `Variant ${v.key}`, before: null, after: `added, weight ${v.weight}` });
      continue;
    }
    if (old.name !== v.name) changes.push({ field: `Variant ${v.key} name`, before: text(old.name), after: text(v.name) });
    if (old.weight !== v.weight) changes.push({ field: `Variant ${v.key} weight`, before: String(old.weight), after: String(v.weight) });
  }
  for (const v of before) if (!afterKeys.has(v.key)) changes.push({ field: `Variant ${v.key}`, before: `weight ${v.weight}`, after: null });
  const oldControl = before.find((v) => v.isControl)?.key;
  const newControl = after.find((v) => v.isControl)?.key;
  if (oldControl !== newControl) changes.push({ field: "Control", before: oldControl ?? null, after: newControl ?? null });
  return changes;
}

/** The definition fields, in the order the form shows them, each with a way to put it in words. */
const DEFINITION_FIELDS: ReadonlyArray<{ key: string; label: string; words: (value: unknown, metricName: MetricName) => string }> = [
  { key: "name", label: "Name", words: text },
  { key: "hypothesis", label: "Hypothesis", words: text },
  { key: "owner", label: "Owner", words: text },
  { key: "trafficPercent", label: "Traffic", words: (v) => formatShare(Number(v)) },
  { key: "targeting", label: "Targeting", words: (v) => targetingInWords(asArray(v) as TargetingRule[]) },
  { key: "layer", label: "Layer", words: (v) => layerInWords(layerOf(v)) },
  { key: "primaryMetric", label: "Primary metric", words: (v, name) => name(String(v)) },
  { key: "secondaryMetrics", label: "Secondary metrics", words: metricsInWords },
  { key: "guardrailMetrics", label: "Guardrail metrics", words: metricsInWords },
];

function definitionChanges(before: Json, after: Json, metricName: MetricName): AuditChange[] {
  const changes: AuditChange[] = [];
  for (const field of DEFINITION_FIELDS.slice(0, 3)) {
    if (!same(before[field.key], after[field.key])) changes.push(change(field, before[field.key], after[field.key], metricName));
  }
  if (!same(before.variants, after.variants)) changes.push(...variantChanges(before.variants, after.variants));
  for (const field of DEFINITION_FIELDS.slice(3)) {
    if (!same(before[field.key], after[field.key])) changes.push(change(field, before[field.key], after[field.key], metricName));
  }
  return changes;
}

function change(field: (typeof DEFINITION_FIELDS)[number], before: unknown, after: unknown, metricName: MetricName): AuditChange {
  return {
    field: field.label,
    before: before === undefined ? null : field.words(before, metricName),
    after: after === undefined ? null : field.words(after, metricName),
  };
}

/** What a new experiment started with: the settings a reader checks first. */
function creationSummary(after: Json, metricName: MetricName): AuditChange[] {
  const lines: AuditChange[] = [
    { field: "Variants", before: null, after: variantsInWords(variantsOf(after.variants)) },
    { field: "Traffic", before: null, after: formatShare(Number(after.trafficPercent)) },
  ];
  if (asArray(after.targeting).length > 0) lines.push({ field: "Targeting", before: null, after: targetingInWords(asArray(after.targeting) as TargetingRule[]) });
  if (layerOf(after.layer)) lines.push({ field: "Layer", before: null, after: layerInWords(layerOf(after.layer)) });
  lines.push({ field: "Primary metric", before: null, after: metricName(String(after.primaryMetric)) });
  return lines;
}

function decisionInWords(after: Json): string {
  const decision = after.decision as Decision;
  const label = DECISION_LABELS[decision] ?? String(decision);
  return decision === "ship" && typeof after.decisionVariant === "string" ? `${label}: ${after.decisionVariant}` : label;
}

const onOff = (v: boolean) => (v ? "on" : "off");

const ANALYSIS_FIELDS: ReadonlyArray<{ key: keyof AnalysisSettings; label: string; words: (value: never) => string }> = [
  { key: "confidence", label: "Confidence level", words: (v: number) => `${Math.round(v * 100)}%` },
  { key: "correction", label: "Multiple-comparison correction", words: (v: string) => ({ none: "none", holm: "Holm", bh: "Benjamini–Hochberg" })[v] ?? v },
  { key: "sequential", label: "Sequential testing", words: onOff },
  { key: "cuped", label: "CUPED", words: onOff },
  { key: "capPercentile", label: "Outlier cap", words: (v: number) => (v >= 1 ? "off" : `${+(v * 100).toFixed(1)}th percentile`) },
];

function analysisChanges(beforeValue: unknown, afterValue: unknown): AuditChange[] {
  const before = readAnalysisSettings(beforeValue);
  const after = readAnalysisSettings(afterValue);
  return ANALYSIS_FIELDS.filter((f) => before[f.key] !== after[f.key]).map((f) => ({
    field: f.label,
    before: f.words(before[f.key] as never),
    after: f.words(after[f.key] as never),
  }));
}

export function auditChanges(entry: Pick<AuditEntryDto, "action" | "before" | "after">, metricName: MetricName = (id) => id): AuditChange[] {
  const before = asObject(entry.before);
  const after = asObject(entry.after);
  if (entry.action === "create") return creationSummary(after, metricName);
  if (entry.action === "update") return definitionChanges(before, after, metricName);
  if (entry.action === "analysis") return analysisChanges(entry.before, entry.after);
  // A lifecycle transition: the status, and when stopping, the decision and its note.
  const changes: AuditChange[] = [];
  if (!same(before.status, after.status)) changes.push({ field: "Status", before: before.status == null ? null : String(before.status), after: after.status == null ? null : String(after.status) });
  if (after.decision !== undefined) changes.push({ field: "Decision", before: null, after: decisionInWords(after) });
  if (after.note !== undefined) changes.push({ field: "Note", before: null, after: text(after.note) });
  return changes;
}
