"use client";

import { useId, useState, type ReactNode } from "react";
import type { ExperimentResults, MetricResult } from "@/lib/api/results";
import { formatDecimal, formatInteger } from "@/lib/format";
import { getMetric } from "@/lib/metrics/catalog";
import { DEFAULT_POWER, minimumDetectableEffect, sampleSizePerArm, type Baseline } from "@/lib/stats";
import { formatAbsoluteLift, formatLevel, formatLift, formatMetricValue, unitOf } from "./format";
import styles from "./results.module.css";

type Kind = "mean" | "rate";
type Mode = "mde" | "users";

const POWERS = [0.8, 0.9, 0.95] as const;
const CONFIDENCES = [0.9, 0.95, 0.99] as const;

interface Inputs {
  kind: Kind;
  mean: string;
  sd: string;
  /** Percent. */
  rate: string;
  users: string;
  /** Percent. */
  mde: string;
}

/** Three significant digits, without grouping, for an input's starting value. */
const seed = (x: number) => (Number.isFinite(x) ? String(Number(x.toPrecision(3))) : "");

/**
 * The control's figures as a starting point: a rate for yes/no metrics; else the mean and the
 * per-user sd recovered from its standard error (sd = se·√n; for a ratio, the linearised one).
 */
function fromMetric(m: MetricResult, controlKey: string): Partial<Inputs> | null {
  const c = m.variants.find((v) => v.variantKey === controlKey);
  if (!c || c.n < 2) return null;
  if (m.kind === "proportion") return { kind: "rate", rate: seed(c.value * 100) };
  return { kind: "mean", mean: seed(c.value), sd: seed(c.se * Math.sqrt(c.n)) };
}

const parse = (s: string) => (s.trim() === "" ? NaN : Number(s));

/**
 * Planning, in the browser with lib/stats: the smallest lift a design detects (MDE) from users per
 * variant, or the users per variant a target lift needs. Fixed-horizon, two-sided, equal arms.
 */
export function PowerCalculator({ results }: { results: ExperimentResults }) {
  const id = useId();
  const usable = results.metrics.filter((m) => fromMetric(m, results.controlKey) !== null);
  const primary = usable.find((m) => m.metricId === results.primaryMetric) ?? usable[0];
  const arms = Math.max(2, results.variants.length);
  const smallestArm = Math.min(...results.variants.map((v) => results.metrics[0]?.variants.find((x) => x.variantKey === v.key)?.users ?? 0));
  const [source, setSource] = useState<string>(primary?.metricId ?? "custom");
  const [mode, setMode] = useState<Mode>("mde");
  const [confidence, setConfidence] = useState<number>(results.settings.confidence);
  const [power, setPower] = useState<number>(DEFAULT_POWER);
  const [inputs, setInputs] = useState<Inputs>(() => ({
    kind: getMetric(results.primaryMetric)?.kind === "proportion" ? "rate" : "mean",
    mean: "",
    sd: "",
    rate: "",
    users: smallestArm >= 2 ? String(smallestArm) : "10000",
    mde: "2",
    ...(primary ? fromMetric(primary, results.controlKey) : {}),
  }));
  const set = (patch: Partial<Inputs>) => setInputs((i) => ({ ...i, ...patch }));
  const sourceMetric = results.metrics.find((m) => m.metricId === source);
  const unit = inputs.kind === "rate" ? "share" : sourceMetric ? unitOf(sourceMetric.metricId) : "count";

  let answer: ReactNode = null;
  let problem: string | null = null;
  // "Enter …" asks for what is missing (no alarm); anything else is a number that cannot work.
  let prompt = false;
  try {
    const baseline: Baseline = inputs.kind === "rate" ? { rate: parse(inputs.rate) / 100 } : { mean: parse(inputs.mean), sd: parse(inputs.sd) };
    if (inputs.kind === "mean" && !Number.isFinite(parse(inputs.mean))) throw new RangeError("Enter the baseline mean.");
    const level = formatLevel(confidence);
    const powerWords = `${formatLevel(power)} of the time, at ${level} confidence`;
    if (mode === "mde") {
      const n = parse(inputs.users);
      if (!(n >= 2)) throw new RangeError("Enter at least 2 users per variant.");
      const mde = minimumDetectableEffect({ baseline, nPerArm: n, confidence, power });
      answer = (
        <>
          With <strong>{formatInteger(n)}</strong> users per variant ({formatInteger(n * arms)} in all), a true lift of <strong data-testid="mde-relative">±{formatDecimal(Math.abs(mde.relative * 100), 1)}%</strong> (
          {formatAbsoluteLift(Math.abs(mde.absolute), unit).replace(/^\+/, "±")}) or more is detected {powerWords}. Smaller true lifts will often read as “not yet clear”.
        </>
      );
    } else {
      const relativeMde = parse(inputs.mde) / 100;
      if (!(relativeMde > 0)) throw new RangeError("Enter the relative lift to detect, above 0%.");
      const { nPerArm } = sampleSizePerArm({ baseline, relativeMde, confidence, power });
      answer = (
        <>
          To detect a true lift of <strong>{formatLift(relativeMde)}</strong> {powerWords}, you need <strong data-testid="users-needed">{formatInteger(nPerArm)}</strong> users per variant (
          {formatInteger(nPerArm * arms)} for {arms} variants)
          {smallestArm > 0 ? <>; the smallest variant has {formatInteger(smallestArm)} so far ({formatDecimal(Math.min(999, (100 * smallestArm) / nPerArm), 0)}% of the way)</> : null}.
        </>
      );
    }
  } catch (error) {
    prompt = error instanceof RangeError && /^Enter /.test(error.message);
    problem = error instanceof RangeError ? (prompt ? error.message : "Check the numbers: the baseline sd and rate must be above 0 (a rate below 100%).") : String(error);
  }

  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid="power-calculator">
      <header className="panel__header">
        <h2 id={`${id}-title`}>Plan: power and minimum detectable effect</h2>
        <span className="panel__meta">computed in your browser</span>
      </header>
      <div className={styles.form}>
        <div className={styles.calcGrid}>
          <label className="field">
            <span className="field__label">Baseline from</span>
            <select
              className="input"
              value={source}
              onChange={(e) => {
                setSource(e.target.value);
                const m = results.metrics.find((x) => x.metricId === e.target.value);
                const filled = m ? fromMetric(m, results.controlKey) : null;
                if (filled) set(filled);
              }}
            >
              {usable.map((m) => (
                <option key={m.metricId} value={m.metricId}>
                  {m.name} (control)
                </option>
              ))}
              <option value="custom">My own numbers</option>
            </select>
          </label>
          <fieldset className="field" style={{ border: 0, margin: 0, padding: 0 }}>
            <legend className="field__label">The metric is</legend>
            <div className={styles.choices} style={{ minHeight: 36, alignItems: "center" }}>
              <label className={styles.choice}>
                <input type="radio" name={`${id}-kind`} checked={inputs.kind === "mean"} onChange={() => (setSource("custom"), set({ kind: "mean" }))} />a mean per user
              </label>
              <label className={styles.choice}>
                <input type="radio" name={`${id}-kind`} checked={inputs.kind === "rate"} onChange={() => (setSource("custom"), set({ kind: "rate" }))} />a rate (yes/no)
              </label>
            </div>
          </fieldset>

          {inputs.kind === "mean" ? (
            <>
              <label className="field">
                <span className="field__label">Baseline mean</span>
                <input className="input input--num" inputMode="decimal" value={inputs.mean} onChange={(e) => (setSource("custom"), set({ mean: e.target.value }))} />
                <span className="field__hint">the control’s average per user{sourceMetric && inputs.kind === "mean" && source !== "custom" ? ` (${formatMetricValue(parse(inputs.mean), unit)})` : ""}</span>
              </label>
              <label className="field">
                <span className="field__label">Standard deviation per user</span>
                <input className="input input--num" inputMode="decimal" value={inputs.sd} onChange={(e) => (setSource("custom"), set({ sd: e.target.value }))} />
                <span className="field__hint">how much users differ from each other</span>
              </label>
            </>
          ) : (
            <label className="field">
              <span className="field__label">Baseline rate (%)</span>
              <input className="input input--num" inputMode="decimal" value={inputs.rate} onChange={(e) => (setSource("custom"), set({ rate: e.target.value }))} />
              <span className="field__hint">the share of control users with a “yes”</span>
            </label>
          )}
        </div>

        <fieldset className="field" style={{ border: 0, margin: 0, padding: 0 }}>
          <legend className="field__label">I want to know</legend>
          <div className={styles.choices}>
            <label className={styles.choice}>
              <input type="radio" name={`${id}-mode`} checked={mode === "mde"} onChange={() => setMode("mde")} />
              the smallest lift I can detect
            </label>
            <label className={styles.choice}>
              <input type="radio" name={`${id}-mode`} checked={mode === "users"} onChange={() => setMode("users")} />
              the users I need for a lift
            </label>
          </div>
        </fieldset>

        <div className={styles.calcGrid}>
          {mode === "mde" ? (
            <label className="field">
              <span className="field__label">Users per variant</span>
              <input className="input input--num" inputMode="numeric" value={inputs.users} onChange={(e) => set({ users: e.target.value })} data-testid="calc-users" />
            </label>
          ) : (
            <label className="field">
              <span className="field__label">Relative lift to detect (%)</span>
              <input className="input input--num" inputMode="decimal" value={inputs.mde} onChange={(e) => set({ mde: e.target.value })} data-testid="calc-mde" />
            </label>
          )}
          <div className={styles.calcGrid} style={{ gap: "0.75rem" }}>
            <label className="field">
              <span className="field__label">Confidence</span>
              <select className="input" value={confidence} onChange={(e) => setConfidence(Number(e.target.value))}>
                {CONFIDENCES.map((c) => (
                  <option key={c} value={c}>
                    {formatLevel(c)}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span className="field__label">Power</span>
              <select className="input" value={power} onChange={(e) => setPower(Number(e.target.value))}>
                {POWERS.map((p) => (
                  <option key={p} value={p}>
                    {formatLevel(p)}
                  </option>
                ))}
              </select>
            </label>
          </div>
        </div>

        <div aria-live="polite">
          {problem ? (
            <p className={prompt ? "field__hint" : styles.calcProblem} role="status">
              {problem}
            </p>
          ) : (
            <p className={styles.calcAnswer} data-testid="calc-answer">
              {answer}
            </p>
          )}
        </div>
        <p className="field__hint">
          Power: the chance of calling a real lift of that size “better” or “worse”. Fixed-horizon, two-sided, equal variants; sequential mode and a multiple-comparison correction need somewhat more users.
        </p>
      </div>
    </section>
  );
}
