/**
 * Who is calling: a bearer token (machines) or a session cookie (people). Used by every API route
 * (server/http/route.ts) and by the socket.io handshake.
 */
import type { Principal } from "../../lib/auth/roles";
import type { Db } from "../db/client";
import { readCookie, readSession, SESSION_COOKIE } from "./sessions";
import { findAccessToken } from "./tokens";

export interface Caller {
  principal: Principal;
  /** The session's CSRF token; only cookie-authenticated callers have one. */
  csrfToken: string | null;
}

export function bearerToken(authorization: string | null | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
  return match?.[1];
}

/** The caller behind these credentials, or null when there are none or they are not valid. */
export async function authenticate(db: Db, credentials: { authorization?: string | null; cookie?: string | null; token?: string }): Promise<Caller | null> {
  const secret = credentials.token ?? bearerToken(credentials.authorization);
  if (secret !== undefined) {
    const token = await findAccessToken(db, secret);
    return token ? { principal: { kind: "token", tokenId: token.id, name: token.name, tokenKind: token.kind }, csrfToken: null } : null;
  }
  const sessionToken = readCookie(credentials.cookie, SESSION_COOKIE);
  if (sessionToken === undefined) return null;
  const session = await readSession(db, sessionToken);
  if (!session) return null;
  const { id, email, role } = session.account;
  return { principal: { kind: "account", accountId: id, email, role }, csrfToken: session.csrfToken };
}
