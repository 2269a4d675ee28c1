/**
 * The metrics table of ExperimentResults as CSV (RFC 4180, CRLF line ends): one row per metric and
 * variant, the control's row without a comparison. Numbers are unformatted (full precision, `.` as
 * decimal point, relative lifts as fractions) so spreadsheets and notebooks read them as numbers.
 */
import type { ExperimentResults } from "../../lib/api/results";

const COLUMNS = [
  "metric_id",
  "metric",
  "role",
  "kind",
  "variant",
  "is_control",
  "users",
  "n",
  "value",
  "value_lower",
  "value_upper",
  "absolute_lift",
  "absolute_lower",
  "absolute_upper",
  "relative_lift",
  "relative_lower",
  "relative_upper",
  "p_value",
  "adjusted_p_value",
  "verdict",
  "method",
  "sequential",
  "cap",
  "confidence",
  "correction",
  "as_of_day",
] as const;

function cell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function resultsToCsv(results: ExperimentResults): string {
  const lines = [COLUMNS.join(",")];
  for (const m of results.metrics) {
    for (const v of m.variants) {
      const c = m.comparisons.find((x) => x.variantKey === v.variantKey);
      const row: Record<(typeof COLUMNS)[number], unknown> = {
        metric_id: m.metricId,
        metric: m.name,
        role: m.role,
        kind: m.kind,
        variant: v.variantKey,
        is_control: v.variantKey === results.controlKey,
        users: v.users,
        n: v.n,
        value: v.value,
        value_lower: v.lower,
        value_upper: v.upper,
        absolute_lift: c?.absolute.estimate,
        absolute_lower: c?.absolute.lower,
        absolute_upper: c?.absolute.upper,
        relative_lift: c?.relative.estimate,
        relative_lower: c?.relative.lower,
        relative_upper: c?.relative.upper,
        p_value: c?.pValue,
        adjusted_p_value: c?.adjustedPValue,
        verdict: c?.verdict,
        method: c?.method,
        sequential: c?.sequential,
        cap: m.cap,
        confidence: results.settings.confidence,
        correction: results.settings.correction,
        as_of_day: results.asOfDay,
      };
      lines.push(COLUMNS.map((k) => cell(row[k])).join(","));
    }
  }
  return lines.join("\r\n") + "\r\n";
}

/** `autoplay-results-2026-03-14.csv`: safe in a Content-Disposition header whatever the key. */
export function csvFilename(results: ExperimentResults): string {
  const key = results.experimentKey.replace(/[^a-zA-Z0-9_-]/g, "_");
  return `${key}-results${results.asOfDay ? `-${results.asOfDay}` : ""}.csv`;
}
