"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import styles from "./users.module.css";

/** A user id box that opens /users/<id>. */
export function UserLookupForm({ initial = "", autoFocus = false }: { initial?: string; autoFocus?: boolean }) {
  const router = useRouter();
  const [id, setId] = useState(initial);
  const [problem, setProblem] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = id.trim();
    if (!trimmed) return setProblem("Type a user id, e.g. u_000001.");
    if (trimmed.length > 128) return setProblem("User ids are at most 128 characters.");
    setProblem(null);
    router.push(`/users/${encodeURIComponent(trimmed)}`);
  };

  return (
    <form className={styles.lookup} onSubmit={submit} role="search" aria-label="Look up a user" data-testid="user-lookup">
      <label className={styles.lookupField}>
        <span>User id</span>
        <input
          name="id"
          value={id}
          onChange={(e) => setId(e.target.value)}
          placeholder="u_000001"
          autoComplete="off"
          spellCheck={false}
          autoFocus={autoFocus}
          aria-invalid={problem !== null}
        />
      </label>
      <button type="submit" className="button button--primary">
        Look up
      </button>
      {problem ? (
        <p className={styles.problem} role="alert">
          {problem}
        </p>
      ) : null}
    </form>
  );
}
