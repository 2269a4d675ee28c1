import type { Metadata } from "next";
import { LoginForm } from "./login-form";
import { safeNextPath } from "./safe-next";
import styles from "./login.module.css";

export const metadata: Metadata = { title: "Sign in" };

/** The one page without the dashboard's navigation: everything else needs a session. */
export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const next = safeNextPath((await searchParams).next);
  return (
    <main className={styles.page} id="main">
      <div className={styles.card}>
        <p className={styles.brand}>
          <span className="brand__mark" aria-hidden="true" />
          Showrunner
        </p>
        <h1 className={styles.title}>Sign in</h1>
        <p className={styles.sub}>Experiments, live watch metrics and retention for the streaming service.</p>
        <LoginForm next={next} />
      </div>
      <p className={styles.hint} data-testid="first-start-hint">
        On a fresh install the admin password is printed once in the server log; more accounts:{" "}
        <code>npm run admin -- create-user …</code>
      </p>
    </main>
  );
}
