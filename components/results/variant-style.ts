/**
 * One look per variant, shared by the table's swatches and every chart: the control in neutral
 * grey, treatments in colour-blind-safe hues (Okabe–Ito), each line with its own dash pattern too.
 * Colours are CSS variables of results.module.css, so dark mode swaps them.
 */
export interface SeriesStyle {
  color: string;
  /** SVG stroke-dasharray; undefined for a solid line. */
  dash: string | undefined;
}

const STYLES: readonly SeriesStyle[] = [
  { color: "var(--series-0)", dash: "6 4" },
  { color: "var(--series-1)", dash: undefined },
  { color: "var(--series-2)", dash: "2 3" },
  { color: "var(--series-3)", dash: "10 3 2 3" },
  { color: "var(--series-4)", dash: "8 3" },
  { color: "var(--series-5)", dash: "1 2" },
];

/** The style of the variant at `index` in the results' variants (control first). */
export function seriesStyle(index: number): SeriesStyle {
  return index <= 0 ? STYLES[0]! : STYLES[1 + ((index - 1) % (STYLES.length - 1))]!;
}
