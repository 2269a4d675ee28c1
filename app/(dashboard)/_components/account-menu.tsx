"use client";

import { useState } from "react";
import { sendJson } from "@/components/hooks/fetch-json";
import { useMe } from "@/components/hooks/use-me";

/** Who is signed in, with which role, and a way out. */
export function AccountMenu() {
  const me = useMe().data;
  const [busy, setBusy] = useState(false);
  // Keeps the header's layout while /api/auth/me answers.
  if (!me) return <div className="account-menu" aria-hidden="true" />;
  const signOut = async () => {
    setBusy(true);
    try {
      await sendJson("POST", "/api/auth/logout");
    } finally {
      window.location.assign("/login");
    }
  };
  return (
    <div className="account-menu" data-testid="account-menu">
      <span className="account-menu__who">
        <span className="visually-hidden">Signed in as </span>
        <span className="account-menu__email" title={me.email}>
          {me.email}
        </span>
        <span className={`account-menu__role account-menu__role--${me.role}`} data-testid="account-role">
          <span className="visually-hidden">, role </span>
          {me.role}
        </span>
      </span>
      <button type="button" className="button button--quiet" onClick={signOut} disabled={busy}>
        {busy ? "Signing out…" : "Sign out"}
      </button>
    </div>
  );
}
