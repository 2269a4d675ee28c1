import type { ExperimentStatus } from "@/lib/experiments/assign";

const STATUS_LABELS: Readonly<Record<ExperimentStatus, string>> = {
  draft: "Draft",
  running: "Running",
  paused: "Paused",
  stopped: "Stopped",
  archived: "Archived",
};

export function statusLabel(status: ExperimentStatus): string {
  return STATUS_LABELS[status];
}

/** An experiment's lifecycle state: a word, with colour and a marker shape as extra cues. */
export function StatusBadge({ status }: { status: ExperimentStatus }) {
  return (
    <span className={`status-badge status-badge--${status}`} data-testid="status-badge" data-status={status}>
      <span className="status-badge__marker" aria-hidden="true" />
      {STATUS_LABELS[status]}
    </span>
  );
}
