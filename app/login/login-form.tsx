"use client";

import { useState, type FormEvent } from "react";
import { ApiRequestError, sendJson } from "@/components/hooks/fetch-json";
import type { MeResponse } from "@/lib/api/experiments";
import styles from "./login.module.css";

/** The server's refusal, in words a person can act on. */
function explain(error: unknown): string {
  if (!(error instanceof ApiRequestError)) return "Something went wrong. Try again.";
  if (error.status === 401) return "Wrong email or password. Check both and try again.";
  if (error.status === 429) {
    // The server says how long: "too many failed sign-ins: try again in 15 minute(s)".
    const minutes = Number(/in (\d+) minute/.exec(error.message)?.[1]);
    const wait = Number.isFinite(minutes) ? `${minutes} minute${minutes === 1 ? "" : "s"}` : "a few minutes";
    return `Too many failed sign-ins. Wait ${wait}, then try again: this protects the account from password guessing.`;
  }
  if (error.status === 400) return "Enter both your email and your password.";
  if (error.status === 0) return error.message;
  return `Could not sign in: ${error.message}`;
}

/** Email and password; on success a full navigation to `next`, so every page starts with the new session. */
export function LoginForm({ next }: { next: string }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  /** Whether the error is about what was typed (not, say, the rate limit). */
  const [badInput, setBadInput] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!email.trim() || !password) {
      setError("Enter both your email and your password.");
      setBadInput(true);
      return;
    }
    setBusy(true);
    setError(null);
    setBadInput(false);
    try {
      await sendJson<MeResponse>("POST", "/api/auth/login", { email, password });
      window.location.assign(next);
    } catch (err) {
      setError(explain(err));
      setBadInput(err instanceof ApiRequestError && (err.status === 401 || err.status === 400));
      setBusy(false);
    }
  };

  return (
    <form className={styles.form} onSubmit={submit} noValidate aria-describedby={error ? "login-error" : undefined} data-testid="login-form">
      <div className="field">
        <label className="field__label" htmlFor="login-email">
          Email
        </label>
        <input
          id="login-email"
          className="input"
          type="email"
          name="email"
          autoComplete="username"
          required
          autoFocus
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          aria-invalid={badInput ? true : undefined}
        />
      </div>
      <div className="field">
        <label className="field__label" htmlFor="login-password">
          Password
        </label>
        <input
          id="login-password"
          className="input"
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-invalid={badInput ? true : undefined}
        />
      </div>
      <div aria-live="assertive" className={styles.errorSlot}>
        {error ? (
          <p id="login-error" className="form-alert form-alert--error" data-testid="login-error">
            {error}
          </p>
        ) : null}
      </div>
      <button type="submit" className={`button button--primary ${styles.submit}`} disabled={busy}>
        {busy ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
