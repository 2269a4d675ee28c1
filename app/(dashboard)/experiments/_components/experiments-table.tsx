import Link from "next/link";
import { formatShare, formatWhen } from "@/components/experiments/describe";
import { HealthBadge } from "@/components/experiments/health-badge";
import { StatusBadge } from "@/components/experiments/status-badge";
import type { ExperimentDto } from "@/lib/api/experiments";
import { formatInteger } from "@/lib/format";
import styles from "./experiments.module.css";

function Dates({ e }: { e: ExperimentDto }) {
  if (!e.startedAt) return <span className={`muted ${styles.notStarted}`}>not started</span>;
  return (
    <dl className={styles.dates}>
      <dt>Started</dt>
      <dd>
        <time dateTime={e.startedAt}>{formatWhen(e.startedAt)}</time>
      </dd>
      {e.stoppedAt ? (
        <>
          <dt>Stopped</dt>
          <dd>
            <time dateTime={e.stoppedAt}>{formatWhen(e.stoppedAt)}</time>
          </dd>
        </>
      ) : null}
    </dl>
  );
}

export function ExperimentsTable({ experiments }: { experiments: readonly ExperimentDto[] }) {
  return (
    <div className="table-scroll">
      <table className={`data-table ${styles.table}`} data-testid="experiments-table">
        <thead>
          <tr>
            <th scope="col">Experiment</th>
            <th scope="col">Status</th>
            <th scope="col">Dates</th>
            <th scope="col">Variants</th>
            <th scope="col" className="num">
              Users
            </th>
            <th scope="col">Health</th>
            <th scope="col">Owner</th>
          </tr>
        </thead>
        <tbody>
          {experiments.map((e) => (
            <tr key={e.key} data-experiment-key={e.key}>
              <th scope="row" className={styles.nameCell}>
                <Link href={`/experiments/${encodeURIComponent(e.key)}`} className={styles.name}>
                  {e.name}
                </Link>
                <code className={styles.key}>{e.key}</code>
              </th>
              <td>
                <StatusBadge status={e.status} />
              </td>
              <td>
                <Dates e={e} />
              </td>
              <td>
                <ul className={styles.variants} aria-label="Variants and their share of users">
                  {e.variants.map((v) => (
                    <li key={v.key} title={`${v.key}: weight ${v.weight}, ${formatInteger(v.assigned)} users assigned`}>
                      <span className={styles.variantName}>{v.name}</span>
                      {v.isControl ? <span className={styles.controlTag}>control</span> : null}
                      <span className={`num ${styles.variantShare}`}>{formatShare(v.sharePercent)}</span>
                    </li>
                  ))}
                </ul>
              </td>
              <td className="num" data-testid="assigned-total" data-value={e.assignedTotal}>
                {formatInteger(e.assignedTotal)}
                {e.trafficPercent < 100 ? <span className={styles.sub}>{formatShare(e.trafficPercent)} of traffic</span> : null}
              </td>
              <td className={styles.healthCell}>
                <HealthBadge health={e.health} />
              </td>
              <td className={styles.owner} title={e.owner}>
                {e.owner}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
