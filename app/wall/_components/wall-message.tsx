import styles from "./wall.module.css";

export type WallMessageKind = "missing" | "refused";

const CREATE_COMMAND = 'npm run admin -- create-wall-token --name "Lobby TV"';

/**
 * Full screen, for a TV nobody will click on: what is wrong and what an operator does about it,
 * legible from across the room.
 */
export function WallMessage({ kind, detail }: { kind: WallMessageKind; detail?: string | null }) {
  return (
    <div className={`${styles.wall} ${styles.messageScreen}`} data-testid="wall-message" data-kind={kind} role="alert">
      <div className={styles.message}>
        <p className={styles.messageBrand}>
          <span className={styles.brandMark} aria-hidden="true" />
          Showrunner wall
        </p>
        <h1 className={styles.messageTitle}>
          {kind === "missing" ? "This screen needs a wall token" : "This wall token was not accepted"}
        </h1>
        <p className={styles.messageText}>
          {kind === "missing"
            ? "Wall screens sign in with a read-only token in their address."
            : "It is unknown or has been revoked. The screen keeps retrying, but needs a new address to come back."}
        </p>
        {detail ? <p className={styles.messageDetail}>{detail}</p> : null}
        <ol className={styles.messageSteps}>
          <li>
            An admin creates a token on the server: <code className={styles.code}>{CREATE_COMMAND}</code>
          </li>
          <li>
            Open <code className={styles.code}>/wall?token=&lt;the token&gt;</code> on this screen.
          </li>
          <li>
            Optional: <code className={styles.code}>&amp;panels=events,viewers,watch,top,genres,retention,pipeline,experiments</code>{" "}
            and <code className={styles.code}>&amp;rotate=30</code> (seconds per screen).
          </li>
        </ol>
      </div>
    </div>
  );
}
