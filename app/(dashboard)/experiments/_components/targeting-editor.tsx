"use client";

import { TARGETING_ATTRIBUTES, type TargetingAttribute } from "@/lib/experiments/assign";
import { ATTRIBUTE_LABELS } from "@/components/experiments/describe";
import { describedBy, Field, FieldErrors } from "./form-field";
import { messagesAt, newRange, newRule, type FieldIssue, type RangeDraft, type RuleDraft, type RuleOp } from "./experiment-draft";
import styles from "./experiment-form.module.css";

const OP_LABELS: Readonly<Record<RuleOp, string>> = { equals: "is", in: "is one of", range: "is between" };

/** Examples of what the recommendation service sends, as placeholders. */
const EXAMPLES: Readonly<Record<TargetingAttribute, { one: string; many: string }>> = {
  country: { one: "GB", many: "GB, DE, FR" },
  device: { one: "tv", many: "tv, mobile, web" },
  plan: { one: "premium", many: "basic, premium" },
  signupDate: { one: "2026-01-31", many: "2026-01-01, 2026-01-02" },
};

/** Only signup dates are ordered, so only they get "between". */
const opsFor = (attribute: TargetingAttribute): RuleOp[] => (attribute === "signupDate" ? ["equals", "in", "range"] : ["equals", "in"]);

function RuleRow({ rule, index, issues, onChange, onRemove }: { rule: RuleDraft; index: number; issues: readonly FieldIssue[]; onChange: (rule: RuleDraft) => void; onRemove: () => void }) {
  const id = `exp-targeting-${index}`;
  const errors = messagesAt(issues, `targeting.${index}`, { prefix: true });
  const a11y = describedBy(id, { errors });
  const n = index + 1;
  const setAttribute = (attribute: TargetingAttribute) => onChange({ ...rule, attribute, op: opsFor(attribute).includes(rule.op) ? rule.op : "in" });
  return (
    <li className={styles.ruleRow} data-testid="targeting-rule">
      <div className={styles.ruleControls}>
        {index > 0 ? <span className={styles.ruleAnd}>and</span> : null}
        <select className="input" id={`${id}-attribute`} value={rule.attribute} onChange={(e) => setAttribute(e.target.value as TargetingAttribute)} aria-label={`Rule ${n} attribute`} {...a11y}>
          {TARGETING_ATTRIBUTES.map((a) => (
            <option key={a} value={a}>
              {ATTRIBUTE_LABELS[a]}
            </option>
          ))}
        </select>
        <select className="input" value={rule.op} onChange={(e) => onChange({ ...rule, op: e.target.value as RuleOp })} aria-label={`Rule ${n} condition`}>
          {opsFor(rule.attribute).map((op) => (
            <option key={op} value={op}>
              {OP_LABELS[op]}
            </option>
          ))}
        </select>
        {rule.op === "range" ? (
          <span className={styles.rangeInputs}>
            <input className="input" type="date" value={rule.min} onChange={(e) => onChange({ ...rule, min: e.target.value })} aria-label={`Rule ${n}: first signup day`} {...a11y} />
            <span aria-hidden="true">–</span>
            <input className="input" type="date" value={rule.max} onChange={(e) => onChange({ ...rule, max: e.target.value })} aria-label={`Rule ${n}: last signup day`} {...a11y} />
          </span>
        ) : rule.attribute === "signupDate" && rule.op === "equals" ? (
          <input className="input" type="date" value={rule.value} onChange={(e) => onChange({ ...rule, value: e.target.value })} aria-label={`Rule ${n} value`} {...a11y} />
        ) : (
          <input
            className={`input ${styles.ruleValue}`}
            value={rule.value}
            placeholder={rule.op === "in" ? EXAMPLES[rule.attribute].many : EXAMPLES[rule.attribute].one}
            onChange={(e) => onChange({ ...rule, value: e.target.value })}
            aria-label={rule.op === "in" ? `Rule ${n} values, separated by commas` : `Rule ${n} value`}
            spellCheck={false}
            {...a11y}
          />
        )}
        <button type="button" className="button button--quiet button--icon" onClick={onRemove} aria-label={`Remove rule ${n}`} title="Remove rule">
          ✕
        </button>
      </div>
      <FieldErrors id={id} messages={errors} />
    </li>
  );
}

/** All rules must match; no rules means everyone is eligible. */
export function TargetingEditor({ rules, onChange, issues }: { rules: RuleDraft[]; onChange: (rules: RuleDraft[]) => void; issues: readonly FieldIssue[] }) {
  const listErrors = messagesAt(issues, "targeting");
  return (
    <fieldset className={styles.fieldset} id="exp-targeting" aria-describedby="exp-targeting-hint">
      <legend className={styles.legend}>Targeting</legend>
      <p id="exp-targeting-hint" className="field__hint">
        Who is eligible, from the attributes the recommendation service sends with each user. Every rule must match; with no rules,
        everyone is eligible. A user without the attribute matches no rule on it.
      </p>
      {rules.length === 0 ? <p className={styles.emptyRules}>Everyone is eligible.</p> : null}
      <ol className={styles.rules}>
        {rules.map((rule, i) => (
          <RuleRow
            key={rule.rowId}
            rule={rule}
            index={i}
            issues={issues}
            onChange={(next) => onChange(rules.map((r, j) => (j === i ? next : r)))}
            onRemove={() => onChange(rules.filter((_, j) => j !== i))}
          />
        ))}
      </ol>
      <FieldErrors id="exp-targeting" messages={listErrors} />
      <div className={styles.rowActions}>
        <button type="button" className="button" onClick={() => onChange([...rules, newRule()])}>
          Add rule
        </button>
      </div>
    </fieldset>
  );
}

export interface LayerDraft {
  inLayer: boolean;
  layerKey: string;
  layerRanges: RangeDraft[];
}

/**
 * Mutual exclusion: experiments of one layer never share a user, as long as their slot ranges do
 * not overlap. Locked once started (stored assignments depend on the slots).
 */
export function LayerEditor({ value, onChange, issues, locked }: { value: LayerDraft; onChange: (patch: Partial<LayerDraft>) => void; issues: readonly FieldIssue[]; locked: boolean }) {
  const errors = [...new Set(messagesAt(issues, "layer", { prefix: true }))];
  const keyErrors = messagesAt(issues, "layer.key");
  const rangeErrors = (i: number) => messagesAt(issues, `layer.ranges.${i}`, { prefix: true });
  const otherErrors = errors.filter((m) => !keyErrors.includes(m) && !value.layerRanges.some((_, i) => rangeErrors(i).includes(m)));
  const setRange = (index: number, patch: Partial<RangeDraft>) => onChange({ layerRanges: value.layerRanges.map((r, i) => (i === index ? { ...r, ...patch } : r)) });

  return (
    <fieldset className={styles.fieldset} id="exp-layer" disabled={locked}>
      <legend className={styles.legend}>Layer</legend>
      <label className={styles.check}>
        <input type="checkbox" id="exp-layer-on" checked={value.inLayer} onChange={(e) => onChange({ inLayer: e.target.checked })} />
        <span>
          Run in a layer
          <span className="field__hint">
            Experiments in the same layer never share a user, as long as their slot ranges do not overlap. Use it for experiments
            that would interfere with each other.
          </span>
        </span>
      </label>
      {locked ? (
        <p className={styles.lockNote}>
          <strong>Locked since the start.</strong> Users were placed by these slots.
        </p>
      ) : null}
      {value.inLayer ? (
        <div className={styles.layerFields}>
          <Field id="exp-layer-key" label="Layer key" hint="e.g. home-rows: every experiment on the home page rows" errors={keyErrors}>
            {(a11y) => <input className="input input--mono" value={value.layerKey} onChange={(e) => onChange({ layerKey: e.target.value })} spellCheck={false} autoComplete="off" {...a11y} />}
          </Field>
          <div className="field">
            <span className="field__label" id="exp-layer-ranges-label">
              Slots this experiment owns
            </span>
            <p className="field__hint" id="exp-layer-ranges-hint">
              Percent of the layer, from (inclusive) to (exclusive). 0–50 and 50–100 split a layer between two experiments.
            </p>
            <ul className={styles.rules} aria-labelledby="exp-layer-ranges-label">
              {value.layerRanges.map((r, i) => {
                const id = `exp-layer-ranges-${i}`;
                const errs = rangeErrors(i);
                return (
                  <li key={r.rowId} className={styles.ruleRow}>
                    <div className={styles.ruleControls}>
                      <input className="input input--num" type="number" min={0} max={100} step="any" value={r.start} onChange={(e) => setRange(i, { start: e.target.value })} aria-label={`Range ${i + 1} from, percent`} {...describedBy(id, { errors: errs })} />
                      <span aria-hidden="true">–</span>
                      <input className="input input--num" type="number" min={0} max={100} step="any" value={r.end} onChange={(e) => setRange(i, { end: e.target.value })} aria-label={`Range ${i + 1} to, percent`} {...describedBy(id, { errors: errs })} />
                      <span className="muted">%</span>
                      {value.layerRanges.length > 1 ? (
                        <button type="button" className="button button--quiet button--icon" onClick={() => onChange({ layerRanges: value.layerRanges.filter((_, j) => j !== i) })} aria-label={`Remove range ${i + 1}`} title="Remove range">
                          ✕
                        </button>
                      ) : null}
                    </div>
                    <FieldErrors id={id} messages={errs} />
                  </li>
                );
              })}
            </ul>
            <div className={styles.rowActions}>
              <button type="button" className="button button--quiet" onClick={() => onChange({ layerRanges: [...value.layerRanges, newRange("", "")] })}>
                Add another range
              </button>
            </div>
          </div>
        </div>
      ) : null}
      <FieldErrors id="exp-layer" messages={otherErrors} />
    </fieldset>
  );
}
