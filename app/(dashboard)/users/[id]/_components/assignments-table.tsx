import Link from "next/link";
import { targetingInWords, formatShare } from "@/components/experiments/describe";
import { StatusBadge } from "@/components/experiments/status-badge";
import type { ExperimentStatus } from "@/lib/experiments/assign";
import { formatDecimal } from "@/lib/format";
import type { UserAssignment } from "@/server/queries/get-user-assignments";
import styles from "../../_components/users.module.css";

/** "2026-03-05T21:15:02.123Z" → "2026-03-05 21:15 UTC". */
export function formatUtcMinute(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** Why this variant: eligibility (targeting, traffic), then the fixed draw and the variant's slice of it. */
function WhyThisVariant({ a }: { a: UserAssignment }) {
  const range = a.ranges.find((r) => r.variantKey === a.variantKey);
  return (
    <p className={styles.why}>
      Eligible: {targetingInWords(a.targeting)}, {formatShare(a.trafficPercent)} of traffic. Variant draw{" "}
      <span className="num">{formatDecimal(a.bucket, 4)}</span>
      {range ? (
        <>
          {" "}
          falls in {a.variantName}’s slice{" "}
          <span className="num">
            [{formatDecimal(range.start, 2)}, {formatDecimal(range.end, 2)})
          </span>
          .
        </>
      ) : (
        <>; the variant is no longer in the experiment.</>
      )}
      {range && (a.bucket < range.start || a.bucket >= range.end) ? " The weights changed after this user was assigned; the stored variant stays." : null}
    </p>
  );
}

export function AssignmentsTable({ assignments }: { assignments: UserAssignment[] }) {
  return (
    <div className="table-scroll">
      <table className="data-table" data-testid="user-assignments">
        <thead>
          <tr>
            <th scope="col">Experiment</th>
            <th scope="col">Status</th>
            <th scope="col">Variant</th>
            <th scope="col">Assigned (first exposure)</th>
            <th scope="col">Why this variant</th>
          </tr>
        </thead>
        <tbody>
          {assignments.map((a) => (
            <tr key={a.experimentKey} data-experiment={a.experimentKey} data-variant={a.variantKey}>
              <th scope="row">
                <Link href={`/experiments/${encodeURIComponent(a.experimentKey)}`}>{a.experimentName}</Link>
                <div className={`muted ${styles.code}`}>{a.experimentKey}</div>
              </th>
              <td>
                <StatusBadge status={a.experimentStatus as ExperimentStatus} />
              </td>
              <td>
                <strong>{a.variantName}</strong>
                <div className="muted">
                  <span className={styles.code}>{a.variantKey}</span>
                  {a.isControl ? " · control" : null}
                </div>
              </td>
              <td className="num" style={{ textAlign: "left" }}>
                {formatUtcMinute(a.assignedAt)}
                <div className="muted">{a.source === "simulator" ? "by the simulator" : "via the assignment API"}</div>
              </td>
              <td>
                <WhyThisVariant a={a} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
