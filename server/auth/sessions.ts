/**
 * Browser sessions: the token lives in an httpOnly cookie, its hash in auth_session. Each session
 * has a CSRF token the page sends back in `x-csrf-token` on mutating requests (synchronizer token
 * pattern); it is readable by the page from a second, non-httpOnly cookie.
 */
import { randomBytes } from "node:crypto";
import { parse, serialize, type SerializeOptions } from "cookie";
import type { AccountRole } from "../../lib/auth/roles";
import type { Db } from "../db/client";
import { hashSecret, newSecret } from "./secrets";

export const SESSION_COOKIE = "sr_session";
export const CSRF_COOKIE = "sr_csrf";
export const CSRF_HEADER = "x-csrf-token";
const SESSION_DAYS = 14;

export interface SessionInfo {
  account: { id: number; email: string; role: AccountRole };
  csrfToken: string;
}

export async function createSession(db: Db, accountId: number): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
  const token = newSecret("srp");
  const csrfToken = randomBytes(24).toString("base64url");
  const expiresAt = new Date(Date.now() + SESSION_DAYS * 86_400_000);
  await db.authSession.create({ data: { tokenHash: hashSecret(token), accountId, csrfToken, expiresAt } });
  return { token, csrfToken, expiresAt };
}

/** The live session behind a cookie token; expired sessions and disabled accounts get null. */
export async function readSession(db: Db, token: string): Promise<SessionInfo | null> {
  const row = await db.authSession.findUnique({ where: { tokenHash: hashSecret(token) }, include: { account: true } });
  if (!row || row.expiresAt.getTime() <= Date.now() || row.account.disabledAt) return null;
  return { account: { id: row.account.id, email: row.account.email, role: row.account.role as AccountRole }, csrfToken: row.csrfToken };
}

export async function deleteSession(db: Db, token: string): Promise<void> {
  await db.authSession.deleteMany({ where: { tokenHash: hashSecret(token) } });
}

export function readCookie(cookieHeader: string | null | undefined, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  return parse(cookieHeader)[name];
}

function cookieOptions(secure: boolean, httpOnly: boolean, expires: Date): SerializeOptions {
  return { httpOnly, secure, sameSite: "lax", path: "/", expires };
}

/** Set-Cookie values for a new session. `secure` when served over HTTPS (COOKIE_SECURE). */
export function sessionCookies(session: { token: string; csrfToken: string; expiresAt: Date }, secure: boolean): string[] {
  return [
    serialize(SESSION_COOKIE, session.token, cookieOptions(secure, true, session.expiresAt)),
    serialize(CSRF_COOKIE, session.csrfToken, cookieOptions(secure, false, session.expiresAt)),
  ];
}

export function clearedSessionCookies(secure: boolean): string[] {
  const past = new Date(0);
  return [serialize(SESSION_COOKIE, "", cookieOptions(secure, true, past)), serialize(CSRF_COOKIE, "", cookieOptions(secure, false, past))];
}
