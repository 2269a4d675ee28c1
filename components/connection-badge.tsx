import type { ConnectionState } from "./hooks/use-socket-channel";
import { formatClockTime } from "@/lib/format";

const LABELS: Record<ConnectionState, string> = {
  live: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline",
};

export interface ConnectionBadgeProps {
  state: ConnectionState;
  /**
   * While reconnecting, replaces the label ("Connecting…", "Server restarting…"); while offline,
   * follows it ("Offline · retrying").
   */
  note?: string | null;
  /** Client clock of the newest data on screen, epoch ms; shown when not live. */
  staleSince?: number | null;
}

/** Whether the numbers on screen are live, and if not, how old they are. */
export function ConnectionBadge({ state, note, staleSince }: ConnectionBadgeProps) {
  const label = state === "reconnecting" && note ? note : LABELS[state];
  const details: string[] = [];
  if (state === "offline" && note) details.push(note);
  if (state !== "live" && staleSince) details.push(`stale since ${formatClockTime(staleSince)}`);
  return (
    <div className={`connection-badge connection-badge--${state}`} data-testid="connection-status" data-state={state} role="status">
      <span className="connection-badge__dot" aria-hidden="true" />
      <span className="connection-badge__label">{label}</span>
      {details.length > 0 ? <span className="connection-badge__detail num">· {details.join(" · ")}</span> : null}
    </div>
  );
}
