/**
 * The experiment form's state and its way to and from the API's ExperimentInput. Inputs hold
 * text as typed ("1.5", ""), so a half-typed number is not lost; `toInput` turns it into the
 * shape experimentInputSchema checks, on the client and again on the server.
 */
import type { z } from "zod";
import type { ExperimentDto } from "@/lib/api/experiments";
import type { TargetingAttribute, TargetingRule } from "@/lib/experiments/assign";
import type { ExperimentInput } from "@/lib/experiments/definition";

export type RuleOp = TargetingRule["op"];

export interface VariantDraft {
  /** React key only: survives reordering and removal. */
  rowId: number;
  key: string;
  name: string;
  weight: string;
  isControl: boolean;
}

export interface RuleDraft {
  rowId: number;
  attribute: TargetingAttribute;
  op: RuleOp;
  /** equals: the value; in: values separated by commas. */
  value: string;
  /** range (signupDate only): inclusive days, either may be empty. */
  min: string;
  max: string;
}

export interface RangeDraft {
  rowId: number;
  /** Percent of the layer's slots, 0–100. */
  start: string;
  end: string;
}

export interface ExperimentDraft {
  key: string;
  name: string;
  hypothesis: string;
  owner: string;
  variants: VariantDraft[];
  trafficPercent: string;
  targeting: RuleDraft[];
  inLayer: boolean;
  layerKey: string;
  layerRanges: RangeDraft[];
  /** The layer as loaded: sent back unchanged while it is locked (a started experiment). */
  storedLayer: ExperimentDto["layer"];
  primaryMetric: string;
  secondaryMetrics: string[];
  guardrailMetrics: string[];
}

let lastRowId = 0;
export const nextRowId = () => ++lastRowId;

export function newVariant(index: number, isControl = false): VariantDraft {
  return { rowId: nextRowId(), key: index === 0 ? "control" : `treatment_${index}`, name: index === 0 ? "Control" : `Treatment ${index}`, weight: "1", isControl };
}

export function newRule(): RuleDraft {
  return { rowId: nextRowId(), attribute: "country", op: "in", value: "", min: "", max: "" };
}

export function newRange(start = "0", end = "100"): RangeDraft {
  return { rowId: nextRowId(), start, end };
}

export function emptyDraft(owner: string, primaryMetric: string): ExperimentDraft {
  return {
    key: "",
    name: "",
    hypothesis: "",
    owner,
    variants: [newVariant(0, true), newVariant(1)],
    trafficPercent: "100",
    targeting: [],
    inLayer: false,
    layerKey: "",
    layerRanges: [newRange()],
    storedLayer: null,
    primaryMetric,
    secondaryMetrics: [],
    guardrailMetrics: [],
  };
}

/** Fractions of the unit line as percent text, without float noise: 0.35 → "35". */
const percentText = (fraction: number) => String(Math.round(fraction * 100 * 1e6) / 1e6);

function ruleDraft(rule: TargetingRule): RuleDraft {
  const base = { rowId: nextRowId(), attribute: rule.attribute, op: rule.op, value: "", min: "", max: "" };
  if (rule.op === "equals") return { ...base, value: rule.value };
  if (rule.op === "in") return { ...base, value: rule.value.join(", ") };
  return { ...base, min: rule.value.min ?? "", max: rule.value.max ?? "" };
}

export function draftFromExperiment(e: ExperimentDto): ExperimentDraft {
  return {
    key: e.key,
    name: e.name,
    hypothesis: e.hypothesis,
    owner: e.owner,
    variants: e.variants.map((v) => ({ rowId: nextRowId(), key: v.key, name: v.name, weight: String(v.weight), isControl: v.isControl })),
    trafficPercent: String(e.trafficPercent),
    targeting: e.targeting.map(ruleDraft),
    inLayer: e.layer !== null,
    layerKey: e.layer?.key ?? "",
    layerRanges: (e.layer?.ranges ?? [[0, 1]]).map(([start, end]) => newRange(percentText(start), percentText(end))),
    storedLayer: e.layer,
    primaryMetric: e.primaryMetric,
    secondaryMetrics: e.secondaryMetrics,
    guardrailMetrics: e.guardrailMetrics,
  };
}

/** Typed text → number; empty or unparsable becomes NaN, which the schema reports as "must be a number". */
const toNumber = (text: string) => (text.trim() === "" ? Number.NaN : Number(text));

function ruleInput(rule: RuleDraft): TargetingRule {
  if (rule.op === "equals") return { attribute: rule.attribute, op: "equals", value: rule.value.trim() };
  if (rule.op === "in") {
    const values = rule.value
      .split(",")
      .map((v) => v.trim())
      .filter((v) => v !== "");
    return { attribute: rule.attribute, op: "in", value: values };
  }
  // The schema rejects a range on anything but signupDate, with a message for this field.
  return { attribute: rule.attribute as "signupDate", op: "range", value: { min: rule.min || undefined, max: rule.max || undefined } };
}

function layerInput(d: ExperimentDraft, locked: boolean): ExperimentInput["layer"] {
  // Sent as stored, not as re-typed percentages: the server refuses any difference once started.
  if (locked) return d.storedLayer ? { key: d.storedLayer.key, ranges: d.storedLayer.ranges } : undefined;
  if (!d.inLayer) return undefined;
  const ranges = d.layerRanges.map((r): [number, number] => [toNumber(r.start) / 100, toNumber(r.end) / 100]);
  const wholeLayer = ranges.length === 1 && ranges[0]![0] === 0 && ranges[0]![1] === 1;
  return { key: d.layerKey.trim(), ranges: wholeLayer ? undefined : ranges };
}

/** `layerLocked`: the experiment has started, so its layer goes back exactly as it was loaded. */
export function toInput(d: ExperimentDraft, { layerLocked = false } = {}): ExperimentInput {
  return {
    key: d.key.trim(),
    name: d.name,
    hypothesis: d.hypothesis,
    owner: d.owner,
    variants: d.variants.map((v) => ({ key: v.key.trim(), name: v.name, weight: toNumber(v.weight), isControl: v.isControl })),
    trafficPercent: toNumber(d.trafficPercent),
    targeting: d.targeting.map(ruleInput),
    layer: layerInput(d, layerLocked),
    primaryMetric: d.primaryMetric as ExperimentInput["primaryMetric"],
    secondaryMetrics: d.secondaryMetrics as ExperimentInput["secondaryMetrics"],
    guardrailMetrics: d.guardrailMetrics as ExperimentInput["guardrailMetrics"],
  };
}

// ---- Issues: zod's answer, by field ------------------------------------------------------------

export interface FieldIssue {
  /** "variants.1.key": where the issue points, as zod reports it. */
  path: string;
  /** The field to move focus to from the error summary. */
  fieldId: string;
  /** "Variant 2 key", for the summary. */
  label: string;
  message: string;
}

/** The DOM id of the input that shows an issue at `path`. */
export function fieldId(path: readonly PropertyKey[]): string {
  const [head, index, leaf] = path;
  if (head === "variants" && typeof index === "number") return `exp-variants-${index}-${typeof leaf === "string" ? leaf : "key"}`;
  if (head === "targeting" && typeof index === "number") return `exp-targeting-${index}-attribute`;
  if (head === "layer") return "exp-layer-key";
  return `exp-${String(head ?? "form")}`;
}

const TOP_LABELS: Readonly<Record<string, string>> = {
  key: "Key",
  name: "Name",
  hypothesis: "Hypothesis",
  owner: "Owner",
  variants: "Variants",
  trafficPercent: "Traffic allocation",
  targeting: "Targeting",
  layer: "Layer",
  primaryMetric: "Primary metric",
  secondaryMetrics: "Secondary metrics",
  guardrailMetrics: "Guardrail metrics",
};

function pathLabel(path: readonly PropertyKey[]): string {
  const [head, index, leaf] = path;
  if (head === "variants" && typeof index === "number") return `Variant ${index + 1}${typeof leaf === "string" ? ` ${leaf === "isControl" ? "control" : leaf}` : ""}`;
  if (head === "targeting" && typeof index === "number") return `Targeting rule ${index + 1}`;
  if (head === "layer" && path[1] === "ranges" && typeof path[2] === "number") return `Layer range ${path[2] + 1}`;
  if (head === "layer" && path[1] === "key") return "Layer key";
  return TOP_LABELS[String(head)] ?? String(head ?? "Experiment");
}

/** zod's defaults speak of the fractions the API stores; the form shows layer ranges in percent. */
function friendlyMessage(issue: z.core.$ZodIssue): string {
  const [head, sub] = issue.path;
  if (head === "layer" && sub === "ranges" && (issue.code === "too_big" || issue.code === "too_small")) return "must be between 0 and 100%";
  if (issue.code === "invalid_type" && issue.expected === "number") return "must be a number";
  return issue.message;
}

export function describeIssues(issues: readonly z.core.$ZodIssue[]): FieldIssue[] {
  return issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    fieldId: fieldId(issue.path),
    label: pathLabel(issue.path),
    message: friendlyMessage(issue),
  }));
}

/** The messages at exactly `path`, or (with `prefix`) at it and anywhere below it. */
export function messagesAt(issues: readonly FieldIssue[], path: string, { prefix = false } = {}): string[] {
  return issues.filter((i) => i.path === path || (prefix && i.path.startsWith(`${path}.`))).map((i) => i.message);
}
