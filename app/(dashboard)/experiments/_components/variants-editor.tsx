"use client";

import { variantShares } from "@/lib/experiments/definition";
import { formatShare } from "@/components/experiments/describe";
import { describedBy, FieldErrors } from "./form-field";
import { messagesAt, newVariant, type FieldIssue, type VariantDraft } from "./experiment-draft";
import styles from "./experiment-form.module.css";

const MAX_VARIANTS = 10;

/**
 * The variants table: key, name, weight, which one is the control, and each one's share of the
 * experiment's users as the weights stand. `keysLocked` once started: stored assignments name the
 * keys, so rows cannot be added, removed, re-keyed, or the control moved.
 */
export function VariantsEditor({
  variants,
  onChange,
  issues,
  keysLocked,
}: {
  variants: VariantDraft[];
  onChange: (variants: VariantDraft[]) => void;
  issues: readonly FieldIssue[];
  keysLocked: boolean;
}) {
  const shares = variantShares(variants.map((v) => Number(v.weight) || 0));
  const tableErrors = messagesAt(issues, "variants");
  const update = (index: number, patch: Partial<VariantDraft>) => onChange(variants.map((v, i) => (i === index ? { ...v, ...patch } : v)));
  const makeControl = (index: number) => onChange(variants.map((v, i) => ({ ...v, isControl: i === index })));

  return (
    <fieldset className={styles.fieldset} id="exp-variants" tabIndex={-1} aria-describedby={tableErrors.length > 0 ? "exp-variants-error" : "exp-variants-hint"}>
      <legend className={styles.legend}>Variants</legend>
      <p id="exp-variants-hint" className="field__hint">
        Users are split by weight: weights 1 and 1 give 50% each, 1 and 3 give 25% and 75%. One variant is the control, the
        product as it is today.
      </p>
      {keysLocked ? (
        <p className={styles.lockNote} data-testid="locked-note">
          <strong>Locked since the start.</strong> Assigned users are stored under these variant keys, so keys, the control and
          the number of variants are fixed. Names and weights can still change; new weights apply to users
          assigned from now on.
        </p>
      ) : null}
      <div className="table-scroll">
        <table className={`data-table ${styles.variantsTable}`} data-testid="variants-editor">
          <thead>
            <tr>
              <th scope="col" className={styles.colControl}>
                Control
              </th>
              <th scope="col">Key</th>
              <th scope="col">Name</th>
              <th scope="col" className={styles.colWeight}>
                Weight
              </th>
              <th scope="col" className={`num ${styles.colShare}`}>
                Share
              </th>
              <th scope="col" className={styles.colRemove}>
                <span className="visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {variants.map((v, i) => {
              const id = (leaf: string) => `exp-variants-${i}-${leaf}`;
              const keyErrors = messagesAt(issues, `variants.${i}.key`);
              const nameErrors = messagesAt(issues, `variants.${i}.name`);
              const weightErrors = messagesAt(issues, `variants.${i}.weight`);
              return (
                <tr key={v.rowId} data-testid="variant-row">
                  <td className={styles.colControl}>
                    <input
                      type="radio"
                      name="control"
                      id={id("isControl")}
                      checked={v.isControl}
                      disabled={keysLocked}
                      onChange={() => makeControl(i)}
                      aria-label={`Variant ${i + 1} is the control`}
                    />
                    {/* A disabled radio is too faint to read: say it in words too. */}
                    {keysLocked && v.isControl ? <span className={styles.controlNote}>control</span> : null}
                  </td>
                  <td>
                    <input
                      className="input input--mono"
                      id={id("key")}
                      value={v.key}
                      disabled={keysLocked}
                      onChange={(e) => update(i, { key: e.target.value })}
                      aria-label={`Variant ${i + 1} key`}
                      autoComplete="off"
                      spellCheck={false}
                      {...describedBy(id("key"), { errors: keyErrors })}
                    />
                    <FieldErrors id={id("key")} messages={keyErrors} />
                  </td>
                  <td>
                    <input
                      className="input"
                      id={id("name")}
                      value={v.name}
                      onChange={(e) => update(i, { name: e.target.value })}
                      aria-label={`Variant ${i + 1} name`}
                      {...describedBy(id("name"), { errors: nameErrors })}
                    />
                    <FieldErrors id={id("name")} messages={nameErrors} />
                  </td>
                  <td className={styles.colWeight}>
                    <input
                      className="input input--num"
                      id={id("weight")}
                      type="number"
                      inputMode="decimal"
                      min={0}
                      step="any"
                      value={v.weight}
                      onChange={(e) => update(i, { weight: e.target.value })}
                      aria-label={`Variant ${i + 1} weight`}
                      {...describedBy(id("weight"), { errors: weightErrors })}
                    />
                    <FieldErrors id={id("weight")} messages={weightErrors} />
                  </td>
                  <td className={`num ${styles.colShare}`} data-testid="variant-share">
                    <span className={styles.shareBar} aria-hidden="true">
                      <span style={{ width: `${shares[i] ?? 0}%` }} />
                    </span>
                    {formatShare(shares[i] ?? 0)}
                  </td>
                  <td className={styles.colRemove}>
                    <button
                      type="button"
                      className="button button--quiet button--icon"
                      onClick={() => onChange(variants.filter((_, j) => j !== i))}
                      disabled={keysLocked}
                      aria-label={`Remove variant ${i + 1}${v.key ? ` (${v.key})` : ""}`}
                      title="Remove variant">
                      ✕
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <FieldErrors id="exp-variants" messages={tableErrors} />
      <div className={styles.rowActions}>
        <button
          type="button"
          className="button"
          onClick={() => onChange([...variants, newVariant(variants.length, variants.length === 0)])}
          disabled={keysLocked || variants.length >= MAX_VARIANTS}>
          Add variant
        </button>
        <span className="field__hint">At least 2, at most {MAX_VARIANTS}.</span>
      </div>
    </fieldset>
  );
}
