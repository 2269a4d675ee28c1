import type { ReactNode } from "react";

export interface StatTileProps {
  label: string;
  /** The formatted figure. */
  value: string;
  /** The unformatted figure, exposed as `data-value` for tests and tools. */
  rawValue?: number | null;
  unit?: string;
  /** A line under the figure: the window it covers, a comparison. */
  hint?: ReactNode;
  tone?: "default" | "warn";
  size?: "lg" | "sm";
  testId?: string;
}

/** One headline number with its label; figures use tabular digits so live updates don't jitter. */
export function StatTile({ label, value, rawValue, unit, hint, tone = "default", size = "lg", testId }: StatTileProps) {
  return (
    <section className={`stat-tile stat-tile--${size} stat-tile--${tone}`} data-testid={testId} aria-label={label}>
      <h2 className="stat-tile__label">{label}</h2>
      <p className="stat-tile__value num" data-value={rawValue ?? undefined}>
        {value}
        {unit ? <span className="stat-tile__unit">{unit}</span> : null}
      </p>
      {hint ? <p className="stat-tile__hint">{hint}</p> : null}
    </section>
  );
}
