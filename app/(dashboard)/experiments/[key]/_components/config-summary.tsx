import { formatShare, layerInWords, ruleInWords } from "@/components/experiments/describe";
import type { ExperimentDto } from "@/lib/api/experiments";
import type { MetricDefinition } from "@/lib/metrics/catalog";
import { formatInteger } from "@/lib/format";
import styles from "./experiment.module.css";

/** Each variant's weight, planned share, and the users it has so far (with their actual share). */
export function VariantsSummary({ experiment }: { experiment: ExperimentDto }) {
  const total = experiment.assignedTotal;
  return (
    <div className="table-scroll">
      <table className={`data-table ${styles.variantsTable}`} data-testid="variants-summary">
        <thead>
          <tr>
            <th scope="col">Variant</th>
            <th scope="col" className="num">
              Weight
            </th>
            <th scope="col" className="num" title="The share the weights ask for">
              Planned
            </th>
            <th scope="col" className="num">
              Users
            </th>
            <th scope="col" className="num col-bar" title="Each variant's share of the users assigned so far; the tick marks the planned share">
              Actual share
            </th>
          </tr>
        </thead>
        <tbody>
          {experiment.variants.map((v) => {
            const actual = total > 0 ? (100 * v.assigned) / total : null;
            return (
              <tr key={v.key} data-variant-key={v.key}>
                <th scope="row" className={styles.variantCell}>
                  <span className={styles.variantName}>{v.name}</span>
                  {v.isControl ? <span className="tag">control</span> : null}
                  <code className={styles.key}>{v.key}</code>
                </th>
                <td className="num">{v.weight}</td>
                <td className="num">{formatShare(v.sharePercent)}</td>
                <td className="num" data-testid="variant-assigned" data-value={v.assigned}>
                  {formatInteger(v.assigned)}
                </td>
                <td className="num col-bar">
                  <span className="cell-bar">
                    <span className={`cell-bar__track ${styles.track}`} aria-hidden="true">
                      <span className="cell-bar__fill" style={{ width: `${actual ?? 0}%` }} />
                      <span className={styles.plannedMark} style={{ left: `${v.sharePercent}%` }} title={`planned ${formatShare(v.sharePercent)}`} />
                    </span>
                    <span className="cell-bar__value">{actual === null ? <span className="muted">–</span> : formatShare(Math.round(actual * 10) / 10)}</span>
                  </span>
                </td>
              </tr>
            );
          })}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            <td />
            <td />
            <td className="num" data-testid="assigned-total" data-value={total}>
              {formatInteger(total)}
            </td>
            <td />
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

function MetricLine({ id, catalog }: { id: string; catalog: ReadonlyMap<string, MetricDefinition> }) {
  const metric = catalog.get(id);
  return (
    <li>
      <span className={styles.metricName}>{metric?.name ?? id}</span>
      {metric ? <span className={styles.metricDescription}>{metric.description}</span> : <span className="muted"> (not in the catalog)</span>}
    </li>
  );
}

/** Who takes part and what is measured, in words. */
export function SetupSummary({ experiment, metrics }: { experiment: ExperimentDto; metrics: readonly MetricDefinition[] }) {
  const catalog = new Map(metrics.map((m) => [m.id, m]));
  const e = experiment;
  return (
    <dl className={styles.setup} data-testid="setup-summary">
      <dt>Traffic</dt>
      <dd>
        <span className="num">{formatShare(e.trafficPercent)}</span> of eligible users
      </dd>
      <dt>Targeting</dt>
      <dd>
        {e.targeting.length === 0 ? (
          "Everyone"
        ) : (
          <ul className={styles.plainList}>
            {e.targeting.map((rule, i) => (
              <li key={i}>
                {i > 0 ? <span className="muted">and </span> : null}
                {ruleInWords(rule)}
              </li>
            ))}
          </ul>
        )}
      </dd>
      <dt>Layer</dt>
      <dd>{layerInWords(e.layer)}</dd>
      <dt>Primary metric</dt>
      <dd>
        <ul className={styles.plainList}>
          <MetricLine id={e.primaryMetric} catalog={catalog} />
        </ul>
      </dd>
      <dt>Secondary metrics</dt>
      <dd>
        {e.secondaryMetrics.length === 0 ? (
          <span className="muted">none</span>
        ) : (
          <ul className={styles.plainList}>
            {e.secondaryMetrics.map((id) => (
              <MetricLine key={id} id={id} catalog={catalog} />
            ))}
          </ul>
        )}
      </dd>
      <dt>Guardrails</dt>
      <dd>
        {e.guardrailMetrics.length === 0 ? (
          <span className="muted">none</span>
        ) : (
          <ul className={styles.plainList}>
            {e.guardrailMetrics.map((id) => (
              <MetricLine key={id} id={id} catalog={catalog} />
            ))}
          </ul>
        )}
      </dd>
    </dl>
  );
}
