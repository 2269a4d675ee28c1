"use client";

import { useEffect, useState } from "react";
import styles from "./_components/wall.module.css";

const RELOAD_AFTER_SEC = 20;

/**
 * Nobody will click "retry" on a TV: after an error (typically a script of an older deploy that
 * the server no longer has), reload the page, which picks up the current deploy.
 */
export default function WallError({ error }: { error: Error & { digest?: string } }) {
  const [left, setLeft] = useState(RELOAD_AFTER_SEC);
  useEffect(() => {
    console.error(error);
    const deadline = Date.now() + RELOAD_AFTER_SEC * 1_000;
    const timer = window.setInterval(() => {
      const seconds = Math.ceil((deadline - Date.now()) / 1_000);
      if (seconds <= 0) window.location.reload();
      else setLeft(seconds);
    }, 1_000);
    return () => window.clearInterval(timer);
  }, [error]);
  return (
    <div className={`${styles.wall} ${styles.messageScreen}`} data-testid="wall-error" role="alert">
      <div className={styles.message}>
        <h1 className={styles.messageTitle}>The wall hit a problem</h1>
        <p className={styles.messageText}>Reloading in {left} s.</p>
      </div>
    </div>
  );
}
