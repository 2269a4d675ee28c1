import type { ExperimentResults, MetricComparison, MetricResult } from "@/lib/api/results";
import { formatInteger, formatPercent } from "@/lib/format";
import { VERDICT_LOOK, formatAbsoluteLift, formatLevel, formatLift, formatLiftInterval, formatMetricValue, formatP, formatValueInterval, unitOf } from "./format";
import { seriesStyle } from "./variant-style";
import styles from "./results.module.css";

const METHOD_WORDS: Readonly<Record<MetricComparison["method"], string>> = {
  welch: "Welch t-test",
  cuped: "CUPED-adjusted t-test",
  proportions: "two-proportion z-test",
  ratio: "ratio of sums, delta method",
};

const CAP_WORDS: Readonly<Record<number, string>> = { 0.999: "99.9th", 0.99: "99th", 0.95: "95th" };

/** "better" / "worse" / "not yet clear" as a word and a shape, coloured blue / orange / grey. */
export function VerdictPill({ comparison }: { comparison: Pick<MetricComparison, "verdict" | "explanation"> }) {
  const look = VERDICT_LOOK[comparison.verdict];
  return (
    <span className={`${styles.verdict} ${styles[look.className]}`} title={comparison.explanation} data-testid="verdict" data-verdict={comparison.verdict}>
      <span className={styles.verdictIcon} aria-hidden="true">
        {look.icon}
      </span>
      {look.label}
    </span>
  );
}

/** The method, CUPED's gain and the cap in one line: what a data scientist checks first. */
function metricFacts(m: MetricResult, settings: ExperimentResults["settings"]): string {
  const facts: string[] = [];
  const methods = [...new Set(m.comparisons.map((c) => c.method))];
  if (methods.length > 0) facts.push(methods.map((x) => METHOD_WORDS[x]).join(", "));
  if (m.comparisons.some((c) => c.sequential)) facts.push("always-valid (sequential)");
  if (m.varianceReduction !== null && m.varianceReduction > 0) facts.push(`CUPED removed ${formatPercent(m.varianceReduction, 0)} of the variance`);
  if (m.cap !== null) facts.push(`per-user values capped at ${formatMetricValue(m.cap, unitOf(m.metricId))} (${CAP_WORDS[settings.capPercentile] ?? formatLevel(settings.capPercentile)} percentile)`);
  facts.push(m.higherIsBetter ? "higher is better" : "lower is better");
  return facts.join(" · ");
}

function MetricRows({ metric: m, results, columns }: { metric: MetricResult; results: ExperimentResults; columns: number }) {
  const unit = unitOf(m.metricId);
  const correction = results.settings.correction !== "none";
  const variantIndex = (key: string) => results.variants.findIndex((v) => v.key === key);
  const variantName = (key: string) => results.variants.find((v) => v.key === key)?.name ?? key;
  const headId = `metric-${m.role}-${m.metricId}`;
  return (
    <tbody data-testid="metric-result" data-metric-id={m.metricId} data-role={m.role} data-breached={m.breached}>
      <tr className={styles.metricHead}>
        <th scope="colgroup" colSpan={columns} id={headId}>
          <span className={styles.metricName}>{m.name}</span>
          {m.breached ? <span className="tag">guardrail breached</span> : null}
          <span className={styles.metricDescription} data-testid="metric-description">
            {m.description}
          </span>
          <span className={styles.metricFacts}>{metricFacts(m, results.settings)}</span>
          {m.note ? <span className={styles.metricNote}>⚠ {m.note}</span> : null}
        </th>
      </tr>
      {m.variants.map((v) => {
        const c = m.comparisons.find((x) => x.variantKey === v.variantKey);
        const isControl = v.variantKey === results.controlKey;
        const style = seriesStyle(variantIndex(v.variantKey));
        return (
          <tr key={v.variantKey} data-variant-key={v.variantKey} className={m.breached && c?.verdict === "worse" ? styles.breachedRow : undefined}>
            <th scope="row" headers={headId} className={styles.variantCell}>
              <span className={styles.swatch} style={{ background: style.color }} aria-hidden="true" />
              <span className={styles.variantName}>{variantName(v.variantKey)}</span>
              {isControl ? <span className="tag">control</span> : null}
            </th>
            <td className="num">
              {formatInteger(v.users)}
              {v.n !== v.users ? <span className={styles.ci}>{formatInteger(v.n)} observable</span> : null}
            </td>
            <td className="num" data-testid="metric-value">
              {v.n > 0 ? formatMetricValue(v.value, unit) : "–"}
              <span className={styles.ci}>{formatValueInterval(v.lower, v.upper, unit)}</span>
            </td>
            {isControl ? (
              <td className={styles.vsControl} colSpan={correction ? 5 : 4}>
                the baseline every other variant is compared with
              </td>
            ) : c ? (
              <>
                <td className="num">
                  {formatAbsoluteLift(c.absolute.estimate, unit)}
                  <span className={styles.ci}>{formatValueInterval(c.absolute.lower, c.absolute.upper, unit, true)}</span>
                </td>
                <td className="num" data-testid="relative-lift">
                  <strong>{formatLift(c.relative.estimate)}</strong>
                  <span className={styles.ci}>{formatLiftInterval(c.relative.lower, c.relative.upper)}</span>
                </td>
                <td className="num" data-testid="p-value">
                  {formatP(c.pValue)}
                </td>
                {correction ? (
                  <td className="num" data-testid="adjusted-p-value">
                    {formatP(c.adjustedPValue)}
                  </td>
                ) : null}
                <td>
                  <VerdictPill comparison={c} />
                  <span className="visually-hidden">. {c.explanation}</span>
                </td>
              </>
            ) : (
              <td className="muted" colSpan={correction ? 5 : 4}>
                No comparison yet.
              </td>
            )}
          </tr>
        );
      })}
    </tbody>
  );
}

const CORRECTION_SHORT = { none: "", holm: "Holm", bh: "BH" } as const;

/**
 * One table per group of metrics (primary, secondary, guardrails): a row per variant with its
 * users, its value and interval, the lift against control (absolute and relative, with
 * intervals), the p-value (and the corrected one) and the verdict in words. It is also the text
 * alternative of the charts.
 */
export function ResultsTable({ metrics, results, caption }: { metrics: MetricResult[]; results: ExperimentResults; caption: string }) {
  const level = formatLevel(results.settings.confidence);
  const correction = results.settings.correction;
  const columns = correction === "none" ? 7 : 8;
  return (
    <div className="table-scroll">
      <table className={`data-table ${styles.metricTable}`} data-testid="results-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Variant</th>
            <th scope="col" className="num">
              Users
            </th>
            <th scope="col" className="num">
              Value ({level} CI)
            </th>
            <th scope="col" className="num">
              Change vs control
            </th>
            <th scope="col" className="num">
              Relative lift ({level} CI)
            </th>
            <th scope="col" className="num">
              p-value
            </th>
            {correction !== "none" ? (
              <th scope="col" className="num" data-testid="adjusted-p-header">
                Adjusted p ({CORRECTION_SHORT[correction]})
              </th>
            ) : null}
            <th scope="col">Verdict</th>
          </tr>
        </thead>
        {metrics.map((m) => (
          <MetricRows key={m.metricId} metric={m} results={results} columns={columns} />
        ))}
      </table>
    </div>
  );
}
