/**
 * Secrets handed to people and machines: 32 random bytes, base64url, behind a readable prefix
 * (`srs_` service, `srw_` wall, `srp_` session). Only their SHA-256 is stored, so a database
 * leak does not leak working tokens; 256 random bits need no slow hash.
 */
import { createHash, randomBytes } from "node:crypto";

export type SecretPrefix = "srs" | "srw" | "srp";

export function newSecret(prefix: SecretPrefix): string {
  return `${prefix}_${randomBytes(32).toString("base64url")}`;
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** A password people can type: 4 groups of 5 from an unambiguous alphabet, ~100 bits. */
export function newPassword(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
  const bytes = randomBytes(20);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]!);
  return [0, 5, 10, 15].map((i) => chars.slice(i, i + 5).join("")).join("-");
}
