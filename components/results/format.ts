/**
 * Results in words and figures: lifts, p-values, metric values in their unit, "3 minutes ago".
 * Pure: numbers in, strings out. JSON turns non-finite numbers into null, so every input may be one.
 */
import { getMetric, type MetricDefinition } from "@/lib/metrics/catalog";
import { NO_VALUE, formatDecimal, formatInteger } from "@/lib/format";
import type { VerdictWord } from "@/lib/api/results";

type Num = number | null | undefined;

const finite = (x: Num): x is number => typeof x === "number" && Number.isFinite(x);

/** Typographic minus, so "−3.1%" and "+3.1%" line up in a column. */
const sign = (x: number) => (x > 0 ? "+" : x < 0 ? "−" : "±");

/** Digits enough to show a small value without a wall of zeros: 12.3, 1.23, 0.123, 0.0123. */
function significantDigits(x: number): number {
  const a = Math.abs(x);
  if (a === 0 || a >= 100) return 0;
  if (a >= 10) return 1;
  if (a >= 1) return 2;
  return Math.min(4, 2 - Math.floor(Math.log10(a)));
}

/** A relative lift 0.041 → "+4.1%". */
export function formatLift(x: Num, digits = 1): string {
  if (!finite(x)) return NO_VALUE;
  return `${sign(x)}${formatDecimal(Math.abs(x * 100), digits)}%`;
}

/** An interval "(+2.0% to +6.2%)", or "" when it is missing. */
export function formatLiftInterval(lower: Num, upper: Num): string {
  if (!finite(lower) || !finite(upper)) return "";
  return `${formatLift(lower)} to ${formatLift(upper)}`;
}

type Unit = MetricDefinition["unit"];

/** A metric's display unit, from the catalog. */
export function unitOf(metricId: string): Unit {
  return getMetric(metricId)?.unit ?? "count";
}

const UNIT_SUFFIX: Readonly<Record<Unit, string>> = {
  minutes: " min",
  count: "",
  share: "",
  "minutes per session": " min",
};

/** A metric's value in its unit: watch time "41.2 min", sessions "3.41", D7 retention "26.4%". */
export function formatMetricValue(x: Num, unit: Unit): string {
  if (!finite(x)) return NO_VALUE;
  if (unit === "share") return `${formatDecimal(x * 100, 1)}%`;
  return `${formatDecimal(x, significantDigits(x))}${UNIT_SUFFIX[unit]}`;
}

/** A difference in the metric's unit: "+1.4 min", "+5.9 pts" (percentage points for rates). */
export function formatAbsoluteLift(x: Num, unit: Unit): string {
  if (!finite(x)) return NO_VALUE;
  if (unit === "share") return `${sign(x)}${formatDecimal(Math.abs(x * 100), 1)} pts`;
  return `${sign(x)}${formatDecimal(Math.abs(x), significantDigits(x))}${UNIT_SUFFIX[unit]}`;
}

/** An interval of values in the metric's unit. */
export function formatValueInterval(lower: Num, upper: Num, unit: Unit, absolute = false): string {
  if (!finite(lower) || !finite(upper)) return "";
  const f = absolute ? formatAbsoluteLift : formatMetricValue;
  return `${f(lower, unit)} to ${f(upper, unit)}`;
}

/** p-values as people read them: "0.03", "0.004", "< 0.001". */
export function formatP(p: Num): string {
  if (!finite(p)) return NO_VALUE;
  if (p < 0.001) return "< 0.001";
  if (p >= 0.1) return formatDecimal(p, 2);
  return formatDecimal(p, 3);
}

/** For the SRM line, where a tiny p is the point: "2.1 × 10⁻⁶" rather than "< 0.001". */
export function formatSrmP(p: Num): string {
  if (!finite(p)) return NO_VALUE;
  if (p >= 0.001) return formatDecimal(p, 3);
  if (p === 0) return "≈ 0";
  const exponent = Math.floor(Math.log10(p));
  const mantissa = p / 10 ** exponent;
  const superscript = String(exponent).replace(/[-0-9]/g, (c) => "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"["-0123456789".indexOf(c)]!);
  return `${formatDecimal(mantissa, 1)} × 10${superscript}`;
}

/** A share 0.5063 → "50.6%". */
export function formatShareOf(x: Num): string {
  return finite(x) ? `${formatDecimal(x * 100, 1)}%` : NO_VALUE;
}

/** A confidence level 0.95 → "95%". */
export function formatLevel(x: number): string {
  return `${+(x * 100).toFixed(1)}%`;
}

/** "just now", "5 seconds ago", "3 minutes ago", "2 hours ago", "4 days ago". */
export function formatAgo(iso: string | null, nowMs: number): string {
  if (!iso) return NO_VALUE;
  const then = Date.parse(iso);
  if (!Number.isFinite(then)) return NO_VALUE;
  const s = Math.max(0, Math.round((nowMs - then) / 1000));
  const unit = (n: number, word: string) => `${formatInteger(n)} ${word}${n === 1 ? "" : "s"} ago`;
  if (s < 5) return "just now";
  if (s < 60) return unit(s, "second");
  if (s < 3600) return unit(Math.floor(s / 60), "minute");
  if (s < 86_400) return unit(Math.floor(s / 3600), "hour");
  return unit(Math.floor(s / 86_400), "day");
}

export interface VerdictLook {
  label: string;
  /** A shape as well as a colour, so the verdict reads without colour vision. */
  icon: string;
  className: "better" | "worse" | "unclear";
}

export const VERDICT_LOOK: Readonly<Record<VerdictWord, VerdictLook>> = {
  better: { label: "Better", icon: "✓", className: "better" },
  worse: { label: "Worse", icon: "✕", className: "worse" },
  "not yet clear": { label: "Not yet clear", icon: "?", className: "unclear" },
};
