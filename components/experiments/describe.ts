/**
 * Experiment settings in words, for summaries and the audit log: "Country is one of GB, US",
 * "layer home, slots 0–50%". Pure: data in, text out.
 */
import type { TargetingAttribute, TargetingRule } from "@/lib/experiments/assign";
import { formatDecimal } from "@/lib/format";

export const ATTRIBUTE_LABELS: Readonly<Record<TargetingAttribute, string>> = {
  country: "Country",
  device: "Device",
  plan: "Plan",
  signupDate: "Signup date",
};

/** A percentage without noise: 50 → "50%", 33.3333 → "33.3%", 0.25 → "0.25%". */
export function formatShare(percent: number): string {
  if (!Number.isFinite(percent)) return "–";
  const digits = Number.isInteger(percent) ? 0 : Math.abs(percent) < 1 ? 2 : 1;
  return `${formatDecimal(percent, digits)}%`;
}

export function ruleInWords(rule: TargetingRule): string {
  const label = ATTRIBUTE_LABELS[rule.attribute] ?? rule.attribute;
  switch (rule.op) {
    case "equals":
      return `${label} is ${rule.value}`;
    case "in":
      return rule.value.length === 1 ? `${label} is ${rule.value[0]}` : `${label} is one of ${rule.value.join(", ")}`;
    case "range": {
      const { min, max } = rule.value;
      if (min !== undefined && max !== undefined) return `${label} from ${min} to ${max}`;
      return min !== undefined ? `${label} on or after ${min}` : `${label} on or before ${max}`;
    }
  }
}

/** All rules must match; none means everyone. */
export function targetingInWords(rules: readonly TargetingRule[]): string {
  return rules.length === 0 ? "Everyone" : rules.map(ruleInWords).join(" and ");
}

/** Layer ranges are fractions of the layer's slots, [start, end). */
export function layerInWords(layer: { key: string; ranges?: readonly (readonly [number, number])[] } | null | undefined): string {
  if (!layer) return "None: users may be in other experiments too";
  const ranges = layer.ranges ?? [[0, 1]];
  const slots = ranges.map(([start, end]) => `${formatShare(start * 100).replace("%", "")}–${formatShare(end * 100)}`).join(", ");
  return `${layer.key}, slots ${slots}`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad2 = (n: number) => String(n).padStart(2, "0");

/** An ISO instant in the viewer's time zone: "21 Nov 2026, 14:05". */
export function formatWhen(iso: string | null): string {
  if (!iso) return "–";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()}, ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}
