"use client";

import { useState, type FormEvent } from "react";
import { addDays, daysBetween, isIsoDay, type DayRange } from "@/lib/format";

export interface DateRangePickerProps {
  value: DayRange;
  /** Today (UTC): the latest day that can be picked; presets end the day before it. */
  today: string;
  /** Quick ranges of whole days ending yesterday. */
  presets?: number[];
  /** The longest range accepted, in days. */
  maxDays?: number;
  onChange: (range: DayRange) => void;
  /** Shown while the new range loads. */
  busy?: boolean;
}

/**
 * Inclusive UTC day range: two date inputs plus "last N days" presets. The inputs start from
 * `value`; give the picker a `key` from the range to reset them when the URL changes.
 */
export function DateRangePicker({ value, today, presets = [7, 14, 28], maxDays = 366, onChange, busy }: DateRangePickerProps) {
  const [draft, setDraft] = useState(value);

  const problem = !isIsoDay(draft.from) || !isIsoDay(draft.to)
    ? "Pick both days."
    : draft.from > draft.to
      ? "The first day is after the last day."
      : daysBetween(draft.from, draft.to) + 1 > maxDays
        ? `Pick at most ${maxDays} days.`
        : null;
  const changed = draft.from !== value.from || draft.to !== value.to;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!problem && changed) onChange(draft);
  };

  const yesterday = addDays(today, -1);
  return (
    <form className="date-range" onSubmit={submit} aria-label="Date range" data-testid="date-range">
      <div className="date-range__presets" role="group" aria-label="Quick ranges">
        {presets.map((days) => {
          const range = { from: addDays(today, -days), to: yesterday };
          const active = range.from === value.from && range.to === value.to;
          return (
            <button
              key={days}
              type="button"
              className={`chip${active ? " chip--active" : ""}`}
              aria-pressed={active}
              onClick={() => onChange(range)}
            >
              {days}d
            </button>
          );
        })}
      </div>
      <label className="date-range__field">
        <span>From</span>
        <input
          type="date"
          name="from"
          value={draft.from}
          max={today}
          required
          onChange={(e) => setDraft((d) => ({ ...d, from: e.target.value }))}
        />
      </label>
      <label className="date-range__field">
        <span>To</span>
        <input
          type="date"
          name="to"
          value={draft.to}
          max={today}
          required
          onChange={(e) => setDraft((d) => ({ ...d, to: e.target.value }))}
        />
      </label>
      <button type="submit" className="button button--primary" disabled={!changed || problem !== null}>
        {busy ? "Loading…" : "Apply"}
      </button>
      {changed && problem ? (
        <p className="date-range__problem" role="alert">
          {problem}
        </p>
      ) : null}
    </form>
  );
}
