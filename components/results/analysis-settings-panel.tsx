"use client";

import { useId, useState } from "react";
import { useSaveAnalysis } from "@/components/hooks/use-results";
import type { ExperimentResults } from "@/lib/api/results";
import { CORRECTIONS, type AnalysisSettings, type Correction } from "@/lib/experiments/analysis-settings";
import { formatInteger } from "@/lib/format";
import { formatLevel } from "./format";
import styles from "./results.module.css";

const CONFIDENCES = [0.9, 0.95, 0.99] as const satisfies readonly AnalysisSettings["confidence"][];
const CAPS = [1, 0.999, 0.99, 0.95] as const satisfies readonly AnalysisSettings["capPercentile"][];

export const CORRECTION_LABELS: Readonly<Record<Correction, string>> = {
  none: "None",
  holm: "Holm",
  bh: "Benjamini–Hochberg",
};

const CAP_LABELS: Readonly<Record<AnalysisSettings["capPercentile"], string>> = {
  1: "Off",
  0.999: "99.9th percentile",
  0.99: "99th percentile",
  0.95: "95th percentile",
};

function explainConfidence(c: number): string {
  const oneIn = Math.round(1 / (1 - c));
  return `How sure an interval is. At ${formatLevel(c)}, a variant that changes nothing still reads as better or worse about 1 time in ${oneIn}. Higher is stricter and needs more users.`;
}

function explainCorrection(c: Correction, comparisons: number): string {
  const many =
    comparisons > 0
      ? `This experiment reads ${formatInteger(comparisons)} comparison${comparisons === 1 ? "" : "s"} (metrics × variants); each is a chance of a false alarm.`
      : "Every metric × variant comparison is a chance of a false alarm.";
  switch (c) {
    case "none":
      return `${many} None: each is judged on its own, so with many metrics some “better” or “worse” calls are luck.`;
    case "holm":
      return `${many} Holm keeps the chance of even one false alarm across all of them at the confidence level: strict.`;
    case "bh":
      return `${many} Benjamini–Hochberg keeps the share of false alarms among the “better” and “worse” calls low: less strict than Holm, finds more.`;
  }
}

const EXPLAIN_SEQUENTIAL =
  "On: p-values and intervals stay valid however often you look, so you may stop as soon as a result is clear; intervals are wider in exchange. Off: decide only at the planned end, not the first day p dips below the line.";
const EXPLAIN_CUPED = "Uses each user's same metric from the 7 days before the experiment to take out noise the variant did not cause: narrower intervals, the same answer on average.";

function explainCap(p: AnalysisSettings["capPercentile"]): string {
  if (p === 1) return "Off: every user's value counts as it is, so a handful of extreme users can swing a mean.";
  return `Values above the ${CAP_LABELS[p]} of the experiment's users are lowered to it, so a handful of extreme users (bots, binge-watchers) cannot swing a mean.`;
}

function same(a: AnalysisSettings, b: AnalysisSettings): boolean {
  return a.confidence === b.confidence && a.correction === b.correction && a.sequential === b.sequential && a.cuped === b.cuped && a.capPercentile === b.capPercentile;
}

/** Read-only for viewers: the values and what they mean. */
function ReadOnlySettings({ settings, comparisons }: { settings: AnalysisSettings; comparisons: number }) {
  const rows: [string, string, string][] = [
    ["Confidence level", formatLevel(settings.confidence), explainConfidence(settings.confidence)],
    ["Multiple comparisons", CORRECTION_LABELS[settings.correction], explainCorrection(settings.correction, comparisons)],
    ["Sequential testing", settings.sequential ? "On" : "Off", EXPLAIN_SEQUENTIAL],
    ["CUPED", settings.cuped ? "On" : "Off", EXPLAIN_CUPED],
    ["Outlier capping", CAP_LABELS[settings.capPercentile], explainCap(settings.capPercentile)],
  ];
  return (
    <div className={styles.form}>
      {rows.map(([label, value, explain]) => (
        <div key={label} className={styles.setting}>
          <span className={styles.settingLabel}>{label}</span>
          <div className={styles.settingControl}>
            <span className={styles.readValue}>{value}</span>
            <span className={styles.explain}>{explain}</span>
          </div>
        </div>
      ))}
      <p className="muted">Only editors can change these.</p>
    </div>
  );
}

/**
 * How the results are read: confidence, multiple-comparison correction, sequential mode, CUPED,
 * outlier capping. Editors change and save them (the results are recomputed); viewers read them.
 */
export function AnalysisSettingsPanel({ experimentKey, results, mayEdit }: { experimentKey: string; results: ExperimentResults; mayEdit: boolean }) {
  const saved = results.settings;
  // null: follow the server's settings; a draft only while someone is changing them.
  const [draft, setDraft] = useState<AnalysisSettings | null>(null);
  const [justSaved, setJustSaved] = useState(false);
  const save = useSaveAnalysis(experimentKey);
  const id = useId();
  const current = draft ?? saved;
  const dirty = draft !== null && !same(draft, saved);
  const comparisons = results.metrics.reduce((s, m) => s + m.comparisons.length, 0);
  const change = (patch: Partial<AnalysisSettings>) => {
    setJustSaved(false);
    setDraft({ ...current, ...patch });
  };

  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid="analysis-settings" data-correction={saved.correction} data-confidence={saved.confidence}>
      <header className="panel__header">
        <h2 id={`${id}-title`}>Analysis settings</h2>
        <span className="panel__meta">{mayEdit ? "saved with the experiment; changes are audited" : "read-only"}</span>
      </header>
      {!mayEdit ? (
        <ReadOnlySettings settings={saved} comparisons={comparisons} />
      ) : (
        <form
          className={styles.form}
          onSubmit={(event) => {
            event.preventDefault();
            if (!dirty || !draft) return;
            save.mutate(draft, {
              onSuccess: () => {
                setDraft(null);
                setJustSaved(true);
              },
            });
          }}
        >
          <div className={styles.setting}>
            <label className={styles.settingLabel} htmlFor={`${id}-confidence`}>
              Confidence level
            </label>
            <div className={styles.settingControl}>
              <select
                id={`${id}-confidence`}
                className="input"
                value={current.confidence}
                aria-describedby={`${id}-confidence-help`}
                onChange={(e) => change({ confidence: Number(e.target.value) as AnalysisSettings["confidence"] })}
              >
                {CONFIDENCES.map((c) => (
                  <option key={c} value={c}>
                    {formatLevel(c)}
                  </option>
                ))}
              </select>
              <span id={`${id}-confidence-help`} className={styles.explain}>
                {explainConfidence(current.confidence)}
              </span>
            </div>
          </div>

          <fieldset className={styles.setting} aria-describedby={`${id}-correction-help`}>
            <legend>Multiple comparisons</legend>
            <div className={styles.settingControl}>
              <div className={styles.choices}>
                {CORRECTIONS.map((c) => (
                  <label key={c} className={styles.choice}>
                    <input type="radio" name={`${id}-correction`} value={c} checked={current.correction === c} onChange={() => change({ correction: c })} />
                    {CORRECTION_LABELS[c]}
                  </label>
                ))}
              </div>
              <span id={`${id}-correction-help`} className={styles.explain}>
                {explainCorrection(current.correction, comparisons)}
              </span>
            </div>
          </fieldset>

          <div className={styles.setting}>
            <span className={styles.settingLabel}>Sequential testing</span>
            <div className={styles.settingControl}>
              <label className={styles.choice}>
                <input type="checkbox" checked={current.sequential} onChange={(e) => change({ sequential: e.target.checked })} aria-describedby={`${id}-sequential-help`} />
                Always-valid p-values (safe to look every day)
              </label>
              <span id={`${id}-sequential-help`} className={styles.explain}>
                {EXPLAIN_SEQUENTIAL}
              </span>
            </div>
          </div>

          <div className={styles.setting}>
            <span className={styles.settingLabel}>CUPED</span>
            <div className={styles.settingControl}>
              <label className={styles.choice}>
                <input type="checkbox" checked={current.cuped} onChange={(e) => change({ cuped: e.target.checked })} aria-describedby={`${id}-cuped-help`} />
                Reduce variance with pre-experiment data
              </label>
              <span id={`${id}-cuped-help`} className={styles.explain}>
                {EXPLAIN_CUPED}
              </span>
            </div>
          </div>

          <div className={styles.setting}>
            <label className={styles.settingLabel} htmlFor={`${id}-cap`}>
              Outlier capping
            </label>
            <div className={styles.settingControl}>
              <select
                id={`${id}-cap`}
                className="input"
                value={current.capPercentile}
                aria-describedby={`${id}-cap-help`}
                onChange={(e) => change({ capPercentile: Number(e.target.value) as AnalysisSettings["capPercentile"] })}
              >
                {CAPS.map((c) => (
                  <option key={c} value={c}>
                    {CAP_LABELS[c]}
                  </option>
                ))}
              </select>
              <span id={`${id}-cap-help`} className={styles.explain}>
                {explainCap(current.capPercentile)}
              </span>
            </div>
          </div>

          <div className={styles.formActions}>
            <button type="submit" className="button button--primary" disabled={!dirty || save.isPending} data-testid="save-analysis">
              {save.isPending ? "Saving…" : "Save and recompute"}
            </button>
            {dirty ? (
              <button type="button" className="button button--quiet" onClick={() => setDraft(null)} disabled={save.isPending}>
                Discard changes
              </button>
            ) : null}
            <span aria-live="polite">
              {save.isError ? (
                <span className={styles.saveError} role="alert">
                  Not saved: {save.error.message}
                </span>
              ) : justSaved && !dirty ? (
                <span className={styles.saved} data-testid="analysis-saved">
                  ✓ Saved. The results above use the new settings.
                </span>
              ) : dirty ? (
                <span className="muted">Unsaved changes: the results above still use the saved settings.</span>
              ) : null}
            </span>
          </div>
        </form>
      )}
    </section>
  );
}
