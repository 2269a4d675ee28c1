import { auditChanges } from "@/components/experiments/audit-diff";
import { formatWhen } from "@/components/experiments/describe";
import type { AuditEntryDto } from "@/lib/api/experiments";
import styles from "./experiment.module.css";

const ACTION_LABELS: Readonly<Record<AuditEntryDto["action"], string>> = {
  create: "Created",
  update: "Edited",
  analysis: "Analysis settings",
  start: "Started",
  pause: "Paused",
  resume: "Resumed",
  stop: "Stopped",
  archive: "Archived",
};

/** Who changed what and when, newest first; each entry as the fields it changed, before → after. */
export function AuditLog({ entries, metricName }: { entries: readonly AuditEntryDto[]; metricName: (id: string) => string }) {
  const newestFirst = [...entries].sort((a, b) => b.at.localeCompare(a.at) || b.id - a.id);
  return (
    <div className="table-scroll">
      <table className={`data-table ${styles.audit}`} data-testid="audit-log">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">Changes</th>
          </tr>
        </thead>
        <tbody>
          {newestFirst.map((entry) => {
            const changes = auditChanges(entry, metricName);
            return (
              <tr key={entry.id} data-action={entry.action}>
                <td className={styles.when}>
                  <time dateTime={entry.at}>{formatWhen(entry.at)}</time>
                </td>
                <td className={styles.actor}>{entry.actor}</td>
                <td>
                  <span className={`tag tag--${entry.action}`}>{ACTION_LABELS[entry.action] ?? entry.action}</span>
                </td>
                <td>
                  {changes.length === 0 ? (
                    <span className="muted">no change to the definition</span>
                  ) : (
                    <ul className={styles.changes}>
                      {changes.map((c, i) => (
                        <li key={i}>
                          <span className={styles.changeField}>{c.field}</span>{" "}
                          {c.before !== null ? (
                            <>
                              <span className={styles.before}>
                                <span className="visually-hidden">from </span>
                                {c.before}
                              </span>{" "}
                              <span aria-hidden="true">→</span>{" "}
                            </>
                          ) : null}
                          <span className={styles.after}>
                            {c.before !== null ? <span className="visually-hidden">to </span> : null}
                            {c.after ?? <span className="muted">removed</span>}
                          </span>
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
