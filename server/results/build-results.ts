/**
 * ExperimentResults from an experiment's daily snapshots and its analysis settings. Pure: the
 * caller loads the snapshots (one row per day, a few KB each), so this runs in milliseconds
 * whatever the number of users. Every test is lib/stats'; this file only picks which one, feeds it
 * the snapshot's sums, and words the outcome.
 *
 *   mean metric   Welch, or CUPED (covariate: the metric in the 7 days before exposure) when on
 *   proportion    two-proportion z over users observable so far
 *   ratio         delta method
 *   sequential    mSPRT confidence sequences; rates and ratios combine the daily looks (running min
 *                 p, intersected intervals); mean-like pseudo sums carry CUPED-adjusted or
 *                 delta-method variances in
 */
import {
  MIN_USERS_PER_VARIANT,
  type CumulativePoint,
  type ExperimentResults,
  type MetricComparison,
  type MetricResult,
  type ResultsHealth,
  type ResultsVariant,
  type SnapshotStats,
  type VariantSnapshot,
} from "../../lib/api/results";
import type { AnalysisSettings } from "../../lib/experiments/analysis-settings";
import { getMetric, type MetricDefinition } from "../../lib/metrics/catalog";
import {
  adjustPValues,
  combineLooks,
  cupedAdjust,
  cupedTest,
  optimalTauSquared,
  proportionAsMean,
  proportionsTest,
  ratioEstimate,
  ratioTest,
  sampleRatioMismatch,
  sequentialTest,
  verdict,
  welchTest,
  type BivariateStats,
  type Comparison,
  type Estimate,
  type MeanStats,
  type SequentialResult,
} from "../../lib/stats";
import { normalQuantile, tQuantile } from "../../lib/stats/distributions";
import { meanMoments } from "../../lib/stats/sufficient-stats";

type Role = MetricResult["role"];

export interface ResultsExperiment {
  key: string;
  name: string;
  status: string;
  primaryMetric: string;
  secondaryMetrics: readonly string[];
  guardrailMetrics: readonly string[];
  /** In the experiment's order. */
  variants: readonly ResultsVariant[];
  /** experiment.weights_since (ISO), to tell when the latest snapshot predates a change of weights. */
  weightsSince: string | null;
}

export interface StoredSnapshot {
  day: string;
  computedAt: string;
  stats: SnapshotStats;
}

export interface ResultsInput {
  experiment: ResultsExperiment;
  settings: AnalysisSettings;
  /** The snapshots at the settings' cap percentile, ascending by day. */
  snapshots: readonly StoredSnapshot[];
  /** Today (UTC), to say when the newest snapshot is behind. */
  today: string;
}

/** One look (one day's snapshot) at one metric, treatment against control. */
interface Look {
  day: string;
  fixed: Comparison;
  method: MetricComparison["method"];
  varianceReduction: number | null;
  /** Per-user mean statistics whose moments carry the variance the test used, for the mSPRT. */
  seq: { control: MeanStats; treatment: MeanStats };
  /** Users the metric covers in the smaller arm. */
  minN: number;
}

type LookOutcome = Look | { unavailable: string };

/** Sums whose mean and sample variance are the given ones: how CUPED and ratio variances reach the mSPRT. */
function pseudoStats(n: number, mean: number, variance: number): MeanStats {
  return { n, sum: n * mean, sumSq: (n - 1) * variance + n * mean * mean };
}

function metricStats(v: VariantSnapshot | undefined, id: string): { mean: MeanStats; bivariate: BivariateStats } {
  return v?.metrics[id] ?? { mean: { n: 0, sum: 0, sumSq: 0 }, bivariate: { n: 0, sumX: 0, sumY: 0, sumXX: 0, sumYY: 0, sumXY: 0 } };
}

function look(metric: MetricDefinition, stats: SnapshotStats, controlKey: string, variantKey: string, settings: AnalysisSettings): LookOutcome {
  const find = (key: string) => stats.variants.find((v) => v.variantKey === key);
  const c = metricStats(find(controlKey), metric.id);
  const t = metricStats(find(variantKey), metric.id);
  const minN = Math.min(c.mean.n, t.mean.n);
  if (minN < 2) {
    const assigned = Math.min(find(controlKey)?.users ?? 0, find(variantKey)?.users ?? 0);
    return { unavailable: metric.kind === "proportion" && assigned >= 2 ? "not observable yet (users need time since exposure)" : "fewer than 2 users in a variant" };
  }
  const options = { confidence: settings.confidence };

  if (metric.kind === "proportion") {
    const cs = { n: c.mean.n, successes: Math.round(c.mean.sum) };
    const ts = { n: t.mean.n, successes: Math.round(t.mean.sum) };
    const fixed = proportionsTest(cs, ts, options);
    return { day: stats.asOfDay, fixed, method: "proportions", varianceReduction: null, seq: { control: proportionAsMean(cs), treatment: proportionAsMean(ts) }, minN };
  }

  if (metric.kind === "ratio") {
    if (!(c.bivariate.sumY > 0 && t.bivariate.sumY > 0)) return { unavailable: "no denominator yet (no sessions) in a variant" };
    const fixed = ratioTest(c.bivariate, t.bivariate, options);
    // Linearised: a per-user variance n·se² gives the mSPRT the delta method's variance of the ratio.
    const lin = (e: { n: number; value: number; se: number }) => pseudoStats(e.n, e.value, e.n * e.se ** 2);
    return { day: stats.asOfDay, fixed, method: "ratio", varianceReduction: null, seq: { control: lin(ratioEstimate(c.bivariate)), treatment: lin(ratioEstimate(t.bivariate)) }, minN };
  }

  if (settings.cuped) {
    const cuped = cupedTest(c.bivariate, t.bivariate, options);
    if (cuped.theta !== 0) {
      const { adjusted } = cupedAdjust([c.bivariate, t.bivariate]);
      const [ac, at] = adjusted as [(typeof adjusted)[0], (typeof adjusted)[0]];
      return {
        day: stats.asOfDay,
        fixed: cuped,
        method: "cuped",
        varianceReduction: Number.isFinite(cuped.varianceReduction) ? cuped.varianceReduction : null,
        seq: { control: pseudoStats(ac.n, ac.mean, ac.variance), treatment: pseudoStats(at.n, at.mean, at.variance) },
        minN,
      };
    }
    // A covariate without variance (nobody active before exposure): CUPED is plain Welch.
  }
  return { day: stats.asOfDay, fixed: welchTest(c.mean, t.mean, options), method: "welch", varianceReduction: null, seq: { control: c.mean, treatment: t.mean }, minN };
}

interface Outcome {
  absolute: Estimate;
  relative: Estimate;
  pValue: number;
  sequential: boolean;
}

const halfWidth = (e: Estimate) => (e.upper - e.lower) / 2;

/**
 * Always-valid inference (mSPRT) at the newest look. τ² is tuned (optimalTauSquared) to the
 * variance of the lift at the newest look, from the control's variance: it depends on the spread
 * of the metric, never on the lift.
 *
 * Looks are combined (running minimum p, intersected intervals: combineLooks) only for metrics whose
 * estimand stays put as days pass: rates (D1/D7 among users observable so far) and ratios. A mean
 * metric here is a per-user total since exposure, so its true lift grows with every day of the
 * window; intersecting yesterday's interval for a smaller quantity with today's would be wrong (it
 * empties on a real effect), so those use the newest look's confidence sequence alone. Only looks
 * with MIN_USERS_PER_VARIANT users per arm are combined (the mSPRT's validity with an estimated
 * variance is asymptotic). The relative interval is the absolute confidence sequence scaled by the
 * delta method's ratio se(relative) / se(absolute) at each look, combined like the absolute one.
 */
function sequentialOutcome(looks: readonly Look[], confidence: number, combine: boolean, tauSquared?: number): Outcome | null {
  const latest = looks.at(-1);
  if (!latest) return null;
  const eligible = looks.filter((l) => l.minN >= MIN_USERS_PER_VARIANT);
  const used = combine && eligible.length > 0 && eligible.at(-1) === latest ? eligible : [latest];
  const { control, treatment } = latest.seq;
  const cm = meanMoments(control);
  const tm = meanMoments(treatment);
  const planned = cm.variance * (1 / cm.n + 1 / tm.n);
  if (!(planned > 0)) return null;
  const tau2 = tauSquared ?? optimalTauSquared(planned, confidence);
  const results: { seq: SequentialResult; relative: Estimate }[] = [];
  for (const l of used) {
    const lv = meanMoments(l.seq.control).variance / l.seq.control.n + meanMoments(l.seq.treatment).variance / l.seq.treatment.n;
    if (!(lv > 0)) continue;
    const seq = sequentialTest(l.seq.control, l.seq.treatment, { confidence, tauSquared: tau2 });
    const scale = l.fixed.absolute.se > 0 ? l.fixed.relative.se / l.fixed.absolute.se : NaN;
    const hw = halfWidth(seq.absolute) * scale;
    results.push({ seq, relative: { estimate: l.fixed.relative.estimate, se: l.fixed.relative.se, lower: l.fixed.relative.estimate - hw, upper: l.fixed.relative.estimate + hw } });
  }
  const newest = results.at(-1);
  if (!newest) return null;
  const combined = combineLooks(results.map((r) => r.seq));
  const relative = { ...newest.relative, lower: Math.max(...results.map((r) => r.relative.lower)), upper: Math.min(...results.map((r) => r.relative.upper)) };
  // An empty intersection means the looks disagree more than the model allows: keep the newest alone.
  if (!(combined.absolute.lower <= combined.absolute.upper && relative.lower <= relative.upper)) {
    return { absolute: newest.seq.absolute, relative: newest.relative, pValue: newest.seq.pValue, sequential: true };
  }
  return { absolute: combined.absolute, relative, pValue: combined.pValue, sequential: true };
}

/** Whether a metric's estimand is the same quantity at every look (see sequentialOutcome). */
const stationary = (m: MetricDefinition) => m.kind !== "mean";

function fixedOutcome(l: Look): Outcome {
  return { absolute: l.fixed.absolute, relative: l.fixed.relative, pValue: l.fixed.pValue, sequential: false };
}

const pct = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(1)}%` : "n/a");

/** The variant's own estimate (mean, rate or ratio) and interval. */
function variantEstimate(metric: MetricDefinition, v: VariantSnapshot | undefined, confidence: number): MetricResult["variants"][number] {
  const { mean, bivariate } = metricStats(v, metric.id);
  const base = { variantKey: v?.variantKey ?? "", users: v?.users ?? 0 };
  const n = mean.n;
  const z = normalQuantile(1 - (1 - confidence) / 2);
  if (metric.kind === "ratio") {
    if (n < 2 || !(bivariate.sumY > 0)) return { ...base, n, value: bivariate.sumY > 0 ? bivariate.sumX / bivariate.sumY : 0, se: 0, lower: null, upper: null };
    const e = ratioEstimate(bivariate);
    return { ...base, n, value: e.value, se: e.se, lower: e.value - z * e.se, upper: e.value + z * e.se };
  }
  if (n < 2) return { ...base, n, value: n === 1 ? mean.sum : 0, se: 0, lower: null, upper: null };
  const m = meanMoments(mean);
  // Proportions: the z-test's per-arm se √(p(1 − p)/n); means: the t interval.
  const se = metric.kind === "proportion" ? Math.sqrt((m.mean * (1 - m.mean)) / n) : Math.sqrt(m.variance / n);
  const q = metric.kind === "proportion" ? z : tQuantile(1 - (1 - confidence) / 2, n - 1);
  return { ...base, n, value: m.mean, se, lower: m.mean - q * se, upper: m.mean + q * se };
}

function metricRoles(e: ResultsExperiment): { metric: MetricDefinition; role: Role }[] {
  const out: { metric: MetricDefinition; role: Role }[] = [];
  const seen = new Set<string>();
  const add = (ids: readonly string[], role: Role) => {
    for (const id of ids) {
      const metric = getMetric(id);
      if (!metric || seen.has(id)) continue;
      seen.add(id);
      out.push({ metric, role });
    }
  };
  add([e.primaryMetric], "primary");
  add(e.secondaryMetrics, "secondary");
  add(e.guardrailMetrics, "guardrail");
  return out;
}

function srmHealth(e: ResultsExperiment, latest: SnapshotStats | undefined): ResultsHealth["srm"] {
  const counts = e.variants.map((v) => latest?.variants.find((s) => s.variantKey === v.key)?.usersSinceWeights ?? 0);
  const total = counts.reduce((s, c) => s + c, 0);
  const weightTotal = e.variants.reduce((s, v) => s + v.weight, 0);
  const byKey = (values: readonly number[]) => Object.fromEntries(e.variants.map((v, i) => [v.key, values[i]!]));
  const expected = e.variants.map((v) => (weightTotal > 0 ? v.weight / weightTotal : 0));
  if (total === 0 || weightTotal <= 0) return { pValue: 1, mismatch: false, observed: byKey(counts), observedShare: byKey(counts.map(() => 0)), expectedShare: byKey(expected) };
  const srm = sampleRatioMismatch(counts, e.variants.map((v) => v.weight));
  return { pValue: srm.pValue, mismatch: srm.mismatch, observed: byKey(counts), observedShare: byKey(srm.observedShares), expectedShare: byKey(srm.expectedShares) };
}

export function emptyResults(input: Omit<ResultsInput, "snapshots">, message: string): ExperimentResults {
  const { experiment: e, settings } = input;
  return {
    experimentKey: e.key,
    experimentName: e.name,
    status: e.status,
    variants: [...e.variants],
    primaryMetric: e.primaryMetric,
    message,
    settings,
    asOfDay: null,
    computedAt: null,
    controlKey: (e.variants.find((v) => v.isControl) ?? e.variants[0])?.key ?? "",
    health: { srm: srmHealth(e, undefined), tooFewUsers: true, minUsersPerVariant: MIN_USERS_PER_VARIANT, messages: [message] },
    metrics: [],
    cumulative: [],
    daily: [],
  };
}

export function buildResults(input: ResultsInput): ExperimentResults {
  const { experiment: e, settings, snapshots } = input;
  const latestSnapshot = snapshots.at(-1);
  if (!latestSnapshot) return emptyResults(input, "No results yet: the first snapshot is being computed.");
  const latest = latestSnapshot.stats;
  const controlKey = (e.variants.find((v) => v.isControl) ?? e.variants[0])!.key;
  const ordered = [e.variants.find((v) => v.key === controlKey)!, ...e.variants.filter((v) => v.key !== controlKey)];
  const treatments = ordered.slice(1);
  const { confidence } = settings;
  const roles = metricRoles(e);

  // Looks per metric and treatment, in day order (only the latest is needed outside sequential mode,
  // and every day for the primary metric's cumulative chart).
  const needAllDays = (id: string) => settings.sequential || id === e.primaryMetric;
  const looks = new Map<string, { ok: Look[]; latest: LookOutcome }>();
  for (const { metric } of roles) {
    for (const v of treatments) {
      const days = needAllDays(metric.id) ? snapshots : [latestSnapshot];
      const ok: Look[] = [];
      let last: LookOutcome = { unavailable: "no data" };
      for (const s of days) {
        last = look(metric, s.stats, controlKey, v.key, settings);
        if (!("unavailable" in last)) ok.push(last);
      }
      looks.set(`${metric.id}/${v.key}`, { ok, latest: last });
    }
  }

  // The latest outcome of every (metric, treatment), then one correction across all of them.
  const outcomes = new Map<string, { outcome: Outcome; look: Look } | { unavailable: string }>();
  for (const [k, { ok, latest: l }] of looks) {
    if ("unavailable" in l) {
      outcomes.set(k, l);
      continue;
    }
    const metric = getMetric(k.slice(0, k.indexOf("/")))!;
    const outcome = settings.sequential ? (sequentialOutcome(ok, confidence, stationary(metric)) ?? fixedOutcome(l)) : fixedOutcome(l);
    outcomes.set(k, { outcome, look: l });
  }
  const keys = [...outcomes.keys()].filter((k) => !("unavailable" in outcomes.get(k)!));
  const rawP = keys.map((k) => {
    const p = (outcomes.get(k) as { outcome: Outcome }).outcome.pValue;
    return Number.isFinite(p) ? Math.min(1, Math.max(0, p)) : 1;
  });
  const adjusted = settings.correction === "none" || rawP.length === 0 ? rawP : adjustPValues(rawP, settings.correction);
  const adjustedByKey = new Map(keys.map((k, i) => [k, { p: rawP[i]!, adjusted: adjusted[i]! }]));

  const metrics: MetricResult[] = roles.map(({ metric, role }) => {
    const comparisons: MetricComparison[] = [];
    const notes = new Set<string>();
    const reductions: number[] = [];
    for (const v of treatments) {
      const o = outcomes.get(`${metric.id}/${v.key}`)!;
      if ("unavailable" in o) {
        notes.add(`${v.name}: ${o.unavailable}.`);
        continue;
      }
      const { p, adjusted: adjustedPValue } = adjustedByKey.get(`${metric.id}/${v.key}`)!;
      const words = verdict({ confidence, absolute: o.outcome.absolute }, { higherIsBetter: metric.higherIsBetter, adjustedPValue });
      const rel = o.outcome.relative;
      if (o.look.varianceReduction !== null) reductions.push(o.look.varianceReduction);
      comparisons.push({
        variantKey: v.key,
        absolute: o.outcome.absolute,
        relative: rel,
        pValue: p,
        adjustedPValue,
        verdict: words.verdict,
        summary: `${pct(rel.estimate)} (${pct(rel.lower)} to ${pct(rel.upper)}), ${words.verdict}`,
        explanation: words.summary,
        method: o.look.method,
        sequential: o.outcome.sequential,
      });
    }
    const variants = ordered.map((v) => ({ ...variantEstimate(metric, latest.variants.find((s) => s.variantKey === v.key), confidence), variantKey: v.key }));
    if (metric.kind === "proportion") {
      const days = metric.id === "d7_retention" ? 7 : 1;
      const observable = Math.min(...variants.map((v) => v.n));
      if (observable < MIN_USERS_PER_VARIANT) {
        notes.add(`${metric.name} counts users exposed at least ${days} day${days > 1 ? "s" : ""} before ${latest.asOfDay}: ${observable === 0 ? "none yet" : `only ${observable} in the smallest variant so far`}.`);
      }
    }
    return {
      metricId: metric.id,
      name: metric.name,
      description: metric.description,
      kind: metric.kind,
      role,
      higherIsBetter: metric.higherIsBetter,
      variants,
      comparisons,
      varianceReduction: reductions.length > 0 ? reductions.reduce((s, r) => s + r, 0) / reductions.length : null,
      breached: role === "guardrail" && comparisons.some((c) => c.verdict === "worse"),
      cap: latest.caps[metric.id] ?? null,
      note: notes.size > 0 ? [...notes].join(" ") : null,
    };
  });

  // The primary metric's lift as it evolved: each day as that day's reader would have seen it.
  const cumulative: CumulativePoint[] = [];
  const primary = getMetric(e.primaryMetric);
  if (primary) {
    const tauByVariant = new Map<string, number | undefined>();
    if (settings.sequential) {
      // One τ² per variant for the whole chart (combineLooks needs it fixed), tuned at the newest look.
      for (const v of treatments) {
        const newest = looks.get(`${primary.id}/${v.key}`)?.ok.at(-1);
        if (!newest) continue;
        const cm = meanMoments(newest.seq.control);
        const planned = cm.variance * (1 / cm.n + 1 / newest.seq.treatment.n);
        if (planned > 0) tauByVariant.set(v.key, optimalTauSquared(planned, confidence));
      }
    }
    for (const s of snapshots) {
      const lift: CumulativePoint["lift"] = {};
      for (const v of treatments) {
        const ok = looks.get(`${primary.id}/${v.key}`)?.ok.filter((l) => l.day <= s.day) ?? [];
        const today = ok.at(-1);
        if (!today || today.day !== s.day) continue;
        const tau = tauByVariant.get(v.key);
        const o = settings.sequential && tau !== undefined ? (sequentialOutcome(ok, confidence, stationary(primary), tau) ?? fixedOutcome(today)) : fixedOutcome(today);
        lift[v.key] = { estimate: o.relative.estimate, lower: o.relative.lower, upper: o.relative.upper };
      }
      if (Object.keys(lift).length > 0) cumulative.push({ day: s.day, lift });
    }
  }

  const daily = snapshots.map((s) => ({
    day: s.day,
    values: Object.fromEntries(ordered.flatMap((v) => {
      const value = s.stats.daily[e.primaryMetric]?.[v.key];
      return value === undefined ? [] : [[v.key, value]];
    })),
  }));

  // Health.
  const srm = srmHealth(e, latest);
  const users = ordered.map((v) => latest.variants.find((s) => s.variantKey === v.key)?.users ?? 0);
  const tooFewUsers = users.some((n) => n < MIN_USERS_PER_VARIANT);
  const messages: string[] = [];
  if (srm.mismatch) {
    const worst = ordered.reduce((w, v) => (Math.abs(srm.observedShare[v.key]! - srm.expectedShare[v.key]!) > Math.abs(srm.observedShare[w.key]! - srm.expectedShare[w.key]!) ? v : w));
    messages.push(
      `Sample ratio mismatch (p = ${srm.pValue.toPrecision(2)}): ${worst.name} has ${(srm.observedShare[worst.key]! * 100).toFixed(1)}% of users where its weight says ${(srm.expectedShare[worst.key]! * 100).toFixed(1)}%. ` +
        "Assignment or logging is broken somewhere; do not trust these results until it is explained.",
    );
  }
  if (users.every((n) => n === 0)) messages.push("No users exposed yet.");
  else if (tooFewUsers) {
    const small = ordered.filter((_, i) => users[i]! < MIN_USERS_PER_VARIANT).map((v) => `${v.name} (${users[ordered.indexOf(v)]})`);
    messages.push(`Too few users to trust the results yet: fewer than ${MIN_USERS_PER_VARIANT} in ${small.join(", ")}.`);
  }
  if (e.weightsSince !== null && latest.weightsSince !== null && latest.weightsSince !== e.weightsSince) {
    messages.push("The weights changed after the newest snapshot: the sample ratio check catches up at the next refresh.");
  }
  if (e.status === "running" && latest.asOfDay < input.today) {
    messages.push(`Results are as of ${latest.asOfDay}; today's are being computed.`);
  }
  for (const m of metrics) if (m.breached) messages.push(`Guardrail breached: ${m.name} got worse.`);

  return {
    experimentKey: e.key,
    experimentName: e.name,
    status: e.status,
    variants: ordered,
    primaryMetric: e.primaryMetric,
    message: users.every((n) => n === 0) ? "No users exposed yet." : null,
    settings,
    asOfDay: latest.asOfDay,
    computedAt: latestSnapshot.computedAt,
    controlKey,
    health: { srm, tooFewUsers, minUsersPerVariant: MIN_USERS_PER_VARIANT, messages },
    metrics,
    cumulative,
    daily,
  };
}
