"use client";

import Link from "next/link";
import { useRef, useState, type FormEvent, type ReactNode, type RefObject } from "react";
import type { ExperimentStatus } from "@/lib/experiments/assign";
import { experimentInputSchema, type ExperimentInput } from "@/lib/experiments/definition";
import { editableFields } from "@/lib/experiments/lifecycle";
import type { MetricDefinition } from "@/lib/metrics/catalog";
import { describeIssues, messagesAt, toInput, type ExperimentDraft, type FieldIssue } from "./experiment-draft";
import { Field } from "./form-field";
import { MetricsPicker } from "./metrics-picker";
import { LayerEditor, TargetingEditor } from "./targeting-editor";
import { VariantsEditor } from "./variants-editor";
import styles from "./experiment-form.module.css";

export interface ExperimentFormProps {
  /** "create": a new draft; "edit": an existing experiment, whose key stays. */
  mode: "create" | "edit";
  initial: ExperimentDraft;
  /** The experiment's status when the form opened: what may still change. */
  status: ExperimentStatus;
  metrics: readonly MetricDefinition[];
  busy: boolean;
  /** The server's refusal, shown above the form (a 400 the client check missed, a 409). */
  serverError?: ReactNode;
  /** Called with a definition that passed experimentInputSchema. */
  onSubmit: (experiment: ExperimentInput) => void;
  cancelHref: string;
}

/** Issues at the top of the form, each a link to its field; focused after a failed submit. */
function ErrorSummary({ issues, summaryRef }: { issues: readonly FieldIssue[]; summaryRef: RefObject<HTMLDivElement | null> }) {
  return (
    <div className={`form-alert form-alert--error ${styles.summary}`} role="alert" tabIndex={-1} ref={summaryRef} data-testid="form-error-summary">
      <p className="form-alert__title">
        {issues.length === 1 ? "Fix 1 problem before saving" : `Fix ${issues.length} problems before saving`}
      </p>
      <ul>
        {issues.map((issue, i) => (
          <li key={`${issue.path}/${i}`}>
            <a href={`#${issue.fieldId}`}>
              {issue.label}: {issue.message}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * Create or edit an experiment. The same zod schema as the API checks the form on submit, and
 * after a first submit on every change, so each issue shows next to its field as it is fixed.
 */
export function ExperimentForm({ mode, initial, status, metrics, busy, serverError, onSubmit, cancelHref }: ExperimentFormProps) {
  const [draft, setDraft] = useState(initial);
  const [submitted, setSubmitted] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);
  const editable = mode === "create" ? "all" : editableFields(status);
  const locked = editable !== "all";

  const input = toInput(draft, { layerLocked: locked });
  const parsed = experimentInputSchema.safeParse(input);
  const issues = submitted && !parsed.success ? describeIssues(parsed.error.issues) : [];
  const errorsAt = (path: string) => messagesAt(issues, path);
  const set = (patch: Partial<ExperimentDraft>) => setDraft((d) => ({ ...d, ...patch }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (!parsed.success) {
      // After React paints the summary: move focus there, so screen readers hear what to fix.
      requestAnimationFrame(() => summaryRef.current?.focus());
      return;
    }
    onSubmit(parsed.data);
  };

  const traffic = Number(draft.trafficPercent);
  return (
    <form className={styles.form} onSubmit={submit} noValidate aria-label={mode === "create" ? "New experiment" : `Edit ${initial.key}`} data-testid="experiment-form">
      {issues.length > 0 ? <ErrorSummary issues={issues} summaryRef={summaryRef} /> : null}
      {serverError}

      <section className="panel" aria-labelledby="form-about">
        <header className="panel__header">
          <h2 id="form-about">What it tests</h2>
        </header>
        <div className={styles.grid2}>
          <Field
            id="exp-key"
            label="Key"
            hint={mode === "create" ? "Lowercase letters, digits, - and _. Fixed once created." : "Fixed: it seeds the assignment hash."}
            errors={errorsAt("key")}>
            {(a11y) => (
              <input
                className="input input--mono"
                value={draft.key}
                onChange={(e) => set({ key: e.target.value })}
                disabled={mode === "edit"}
                placeholder="home-row-ranking-v2"
                autoComplete="off"
                spellCheck={false}
                {...a11y}
              />
            )}
          </Field>
          <Field id="exp-name" label="Name" hint="What lists and results call it." errors={errorsAt("name")}>
            {(a11y) => <input className="input" value={draft.name} onChange={(e) => set({ name: e.target.value })} placeholder="Home rows ranked by predicted watch time" {...a11y} />}
          </Field>
        </div>
        <Field id="exp-hypothesis" label="Hypothesis" hint="What you expect to change, for whom, and why. Optional, but the decision reads better with it." errors={errorsAt("hypothesis")}>
          {(a11y) => (
            <textarea
              className="input"
              rows={3}
              value={draft.hypothesis}
              onChange={(e) => set({ hypothesis: e.target.value })}
              placeholder="Ranking home rows by predicted watch time raises watch time per user, without more dislikes."
              {...a11y}
            />
          )}
        </Field>
        <div className={styles.grid2}>
          <Field id="exp-owner" label="Owner" hint="Who to ask about it." errors={errorsAt("owner")}>
            {(a11y) => <input className="input" value={draft.owner} onChange={(e) => set({ owner: e.target.value })} autoComplete="email" {...a11y} />}
          </Field>
        </div>
      </section>

      <section className="panel" aria-label="Variants">
        <VariantsEditor variants={draft.variants} onChange={(variants) => set({ variants })} issues={issues} keysLocked={locked} />
      </section>

      <section className="panel" aria-labelledby="form-audience">
        <header className="panel__header">
          <h2 id="form-audience">Who takes part</h2>
        </header>
        <Field
          id="exp-trafficPercent"
          label="Traffic allocation"
          hint="Share of eligible users who enter the experiment; the others see the product as it is. Raising it later only adds users."
          errors={errorsAt("trafficPercent")}>
          {(a11y) => (
            <div className={styles.traffic}>
              <input
                type="range"
                min={0}
                max={100}
                step={1}
                value={Number.isFinite(traffic) ? Math.min(100, Math.max(0, traffic)) : 0}
                onChange={(e) => set({ trafficPercent: e.target.value })}
                aria-label="Traffic allocation, slider"
                aria-valuetext={`${draft.trafficPercent}%`}
                className={styles.slider}
              />
              <span className={styles.percentInput}>
                <input className="input input--num" type="number" min={0} max={100} step="any" inputMode="decimal" value={draft.trafficPercent} onChange={(e) => set({ trafficPercent: e.target.value })} {...a11y} />
                <span aria-hidden="true">%</span>
              </span>
            </div>
          )}
        </Field>
        <TargetingEditor rules={draft.targeting} onChange={(targeting) => set({ targeting })} issues={issues} />
        <LayerEditor value={draft} onChange={set} issues={issues} locked={locked} />
      </section>

      <section className="panel" aria-labelledby="form-metrics">
        <header className="panel__header">
          <h2 id="form-metrics">Metrics</h2>
          <span className="panel__meta">computed per user since first exposure</span>
        </header>
        <MetricsPicker value={draft} metrics={metrics} onChange={set} issues={issues} />
      </section>

      <div className={styles.actions}>
        <Link href={cancelHref} className="button">
          Cancel
        </Link>
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? "Saving…" : mode === "create" ? "Create draft" : "Save changes"}
        </button>
        {mode === "create" ? <span className="field__hint">It starts as a draft: nobody is assigned until you start it.</span> : null}
      </div>
    </form>
  );
}
