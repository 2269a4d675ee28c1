import type { ExperimentHealth } from "@/lib/api/experiments";

const HEALTH: Readonly<Record<ExperimentHealth["status"], { label: string; icon: string }>> = {
  ok: { label: "Healthy", icon: "✓" },
  warning: { label: "Check", icon: "!" },
  problem: { label: "Problem", icon: "✕" },
  idle: { label: "Idle", icon: "–" },
};

/** Whether an experiment collects what it should (server/experiments/health.ts), in words. */
export function HealthBadge({ health, showMessage = true }: { health: ExperimentHealth; showMessage?: boolean }) {
  const { label, icon } = HEALTH[health.status];
  return (
    <span className="health" data-testid="health-badge" data-health={health.status}>
      <span className={`health-badge health-badge--${health.status}`} title={showMessage ? undefined : health.message}>
        <span className="health-badge__icon" aria-hidden="true">
          {icon}
        </span>
        {label}
      </span>
      {showMessage ? <span className="health__message">{health.message}</span> : null}
    </span>
  );
}
