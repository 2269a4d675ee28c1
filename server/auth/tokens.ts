/**
 * Bearer tokens for machines: `service` (the recommendation service) and `wall` (wall screens).
 * Lookups are cached for a few seconds: the assignment API checks a token on every call, and a
 * revocation takes effect within TOKEN_CACHE_MS.
 */
import type { TokenKind } from "../../lib/auth/roles";
import type { Db } from "../db/client";
import { hashSecret, newSecret } from "./secrets";

const TOKEN_CACHE_MS = 5_000;
const TOKEN_CACHE_MAX = 1_000;

export interface AccessTokenInfo {
  id: number;
  name: string;
  kind: TokenKind;
}

export async function createAccessToken(
  db: Db,
  input: { kind: TokenKind; name: string; createdBy: string },
): Promise<{ token: string; id: number; name: string; kind: TokenKind; prefix: string }> {
  const token = newSecret(input.kind === "service" ? "srs" : "srw");
  const prefix = token.slice(0, 10);
  const row = await db.accessToken.create({
    data: { kind: input.kind, name: input.name, tokenHash: hashSecret(token), prefix, createdBy: input.createdBy },
  });
  tokenCache.clear();
  return { token, id: row.id, name: row.name, kind: input.kind, prefix };
}

export async function revokeAccessToken(db: Db, id: number): Promise<boolean> {
  const { count } = await db.accessToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
  tokenCache.clear();
  return count > 0;
}

const tokenCache = new Map<string, { info: AccessTokenInfo | null; until: number }>();

/** The live token behind a bearer secret, or null (unknown or revoked). */
export async function findAccessToken(db: Db, secret: string): Promise<AccessTokenInfo | null> {
  const hash = hashSecret(secret);
  const now = Date.now();
  const cached = tokenCache.get(hash);
  if (cached && cached.until > now) return cached.info;
  const row = await db.accessToken.findUnique({ where: { tokenHash: hash } });
  const info = row && !row.revokedAt ? { id: row.id, name: row.name, kind: row.kind as TokenKind } : null;
  if (tokenCache.size >= TOKEN_CACHE_MAX) tokenCache.clear();
  tokenCache.set(hash, { info, until: now + TOKEN_CACHE_MS });
  return info;
}
