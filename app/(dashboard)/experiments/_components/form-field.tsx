import type { ReactNode } from "react";

/** What a control needs to be announced with its hint and errors. */
export interface FieldA11y {
  id: string;
  "aria-describedby"?: string;
  "aria-invalid"?: true;
}

/** The ids of a field's hint and error lines, for aria-describedby. */
export function describedBy(id: string, { hint = false, errors = [] as readonly string[] } = {}): Omit<FieldA11y, "id"> {
  const ids = [hint ? `${id}-hint` : null, errors.length > 0 ? `${id}-error` : null].filter(Boolean).join(" ");
  return { ...(ids ? { "aria-describedby": ids } : {}), ...(errors.length > 0 ? { "aria-invalid": true as const } : {}) };
}

/** An issue (or a few) under a control, linked to it by id. */
export function FieldErrors({ id, messages }: { id: string; messages: readonly string[] }) {
  if (messages.length === 0) return null;
  return (
    <p id={`${id}-error`} className="field__error" data-testid="field-error">
      {messages.join("; ")}
    </p>
  );
}

/** Label, optional hint, the control, and its errors, stacked. */
export function Field({
  id,
  label,
  hint,
  errors = [],
  className,
  children,
}: {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  errors?: readonly string[];
  className?: string;
  children: (a11y: FieldA11y) => ReactNode;
}) {
  return (
    <div className={`field${errors.length > 0 ? " field--invalid" : ""}${className ? ` ${className}` : ""}`}>
      <label htmlFor={id} className="field__label">
        {label}
      </label>
      {hint ? (
        <p id={`${id}-hint`} className="field__hint">
          {hint}
        </p>
      ) : null}
      {children({ id, ...describedBy(id, { hint: Boolean(hint), errors }) })}
      <FieldErrors id={id} messages={errors} />
    </div>
  );
}
