"use client";

import type { MetricDefinition } from "@/lib/metrics/catalog";
import { Field, FieldErrors } from "./form-field";
import { messagesAt, type FieldIssue } from "./experiment-draft";
import styles from "./experiment-form.module.css";

export interface MetricsValue {
  primaryMetric: string;
  secondaryMetrics: string[];
  guardrailMetrics: string[];
}

const KIND_LABELS: Readonly<Record<MetricDefinition["kind"], string>> = { mean: "mean per user", proportion: "share of users", ratio: "ratio" };

function MetricChecklist({
  name,
  legend,
  hint,
  metrics,
  selected,
  primary,
  errors,
  onChange,
}: {
  name: "secondaryMetrics" | "guardrailMetrics";
  legend: string;
  hint: string;
  metrics: readonly MetricDefinition[];
  selected: string[];
  primary: string;
  errors: string[];
  onChange: (ids: string[]) => void;
}) {
  const id = `exp-${name}`;
  return (
    <fieldset className={styles.metricList} id={id} tabIndex={-1} aria-describedby={`${id}-hint${errors.length > 0 ? ` ${id}-error` : ""}`}>
      <legend className="field__label">{legend}</legend>
      <p className="field__hint" id={`${id}-hint`}>
        {hint}
      </p>
      <ul>
        {metrics.map((m) => {
          const isPrimary = m.id === primary;
          return (
            <li key={m.id}>
              <label className={`${styles.check}${isPrimary ? ` ${styles.checkDisabled}` : ""}`}>
                <input
                  type="checkbox"
                  name={name}
                  value={m.id}
                  checked={selected.includes(m.id)}
                  disabled={isPrimary && !selected.includes(m.id)}
                  onChange={(e) => onChange(e.target.checked ? [...selected, m.id] : selected.filter((s) => s !== m.id))}
                />
                <span>
                  <span className={styles.metricName}>
                    {m.name}
                    {isPrimary ? <span className="muted"> (the primary metric)</span> : null}
                  </span>
                  <span className="field__hint">{m.description}</span>
                </span>
              </label>
            </li>
          );
        })}
      </ul>
      <FieldErrors id={id} messages={errors} />
    </fieldset>
  );
}

/** Primary (the decision), secondary (context) and guardrail (must not get worse) metrics from the catalog. */
export function MetricsPicker({ value, metrics, onChange, issues }: { value: MetricsValue; metrics: readonly MetricDefinition[]; onChange: (patch: Partial<MetricsValue>) => void; issues: readonly FieldIssue[] }) {
  const primary = metrics.find((m) => m.id === value.primaryMetric);
  return (
    <div className={styles.metrics}>
      <Field
        id="exp-primaryMetric"
        label="Primary metric"
        hint={primary ? `${primary.description} (${KIND_LABELS[primary.kind]}; ${primary.higherIsBetter ? "higher is better" : "lower is better"})` : "The one metric the decision rests on."}
        errors={messagesAt(issues, "primaryMetric")}>
        {(a11y) => (
          <select className="input" value={value.primaryMetric} onChange={(e) => onChange({ primaryMetric: e.target.value })} {...a11y}>
            {primary ? null : <option value="">Choose a metric…</option>}
            {metrics.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <MetricChecklist
        name="secondaryMetrics"
        legend="Secondary metrics"
        hint="Watched for context; they do not decide the experiment on their own."
        metrics={metrics}
        selected={value.secondaryMetrics}
        primary={value.primaryMetric}
        errors={messagesAt(issues, "secondaryMetrics", { prefix: true })}
        onChange={(secondaryMetrics) => onChange({ secondaryMetrics })}
      />
      <MetricChecklist
        name="guardrailMetrics"
        legend="Guardrail metrics"
        hint="Must not get worse: the results flag a significant move in the wrong direction."
        metrics={metrics}
        selected={value.guardrailMetrics}
        primary={value.primaryMetric}
        errors={messagesAt(issues, "guardrailMetrics", { prefix: true })}
        onChange={(guardrailMetrics) => onChange({ guardrailMetrics })}
      />
    </div>
  );
}
