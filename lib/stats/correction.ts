/**
 * Multiple-comparison corrections for the p-values of several metrics (or variants) of one
 * experiment: compare the adjusted p-values against α as if each were alone. Both match
 * statsmodels.stats.multitest.multipletests ("holm", "fdr_bh"), including the clipping at 1.
 */

export type CorrectionMethod = "holm" | "bh";

/**
 * Holm's step-down method: controls the family-wise error rate (any false positive at all).
 * With p sorted ascending, p̃_(i) = max over j ≤ i of min(1, (m − j + 1)·p_(j)), 1-based.
 */
export function holm(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = ascending(pValues);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach((index, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * pValues[index]!));
    adjusted[index] = running;
  });
  return adjusted;
}

/**
 * Benjamini–Hochberg step-up method: controls the false discovery rate (the expected share of false
 * positives among the metrics called significant); less strict than Holm.
 * With p sorted ascending, p̃_(i) = min over j ≥ i of min(1, m·p_(j)/j), 1-based.
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = ascending(pValues);
  const adjusted = new Array<number>(m);
  let running = 1;
  for (let rank = m - 1; rank >= 0; rank--) {
    const index = order[rank]!;
    running = Math.min(running, (m * pValues[index]!) / (rank + 1));
    adjusted[index] = running;
  }
  return adjusted;
}

/** Adjusted p-values in input order. Throws on a p-value outside [0, 1] (NaN included). */
export function adjustPValues(pValues: readonly number[], method: CorrectionMethod): number[] {
  return method === "holm" ? holm(pValues) : benjaminiHochberg(pValues);
}

/** Indices sorting the p-values ascending (ties keep input order; adjusted values are equal anyway). */
function ascending(pValues: readonly number[]): number[] {
  const bad = pValues.find((p) => !(p >= 0 && p <= 1));
  if (bad !== undefined) throw new RangeError(`p-values must be in [0, 1], got ${bad}`);
  return pValues.map((_, i) => i).sort((a, b) => pValues[a]! - pValues[b]! || a - b);
}
