/**
 * People's accounts. Passwords are hashed with argon2id (@node-rs/argon2, OWASP's recommended
 * parameters are its defaults: m = 19 MiB, t = 2, p = 1).
 */
import { hash, verify } from "@node-rs/argon2";
import { z } from "zod";
import { ACCOUNT_ROLES, type AccountRole } from "../../lib/auth/roles";
import type { Db } from "../db/client";
import { newPassword } from "./secrets";

export const emailSchema = z.email({ error: "must be an email address" }).max(254).transform((e) => e.toLowerCase());
export const passwordSchema = z.string().min(12, "must be at least 12 characters").max(256, "must be at most 256 characters");

export const createAccountSchema = z.object({
  email: emailSchema,
  role: z.enum(ACCOUNT_ROLES, { error: `must be one of ${ACCOUNT_ROLES.join(", ")}` }),
  /** Left out: a strong one is generated and returned once. */
  password: passwordSchema.optional(),
});

export class AccountExistsError extends Error {
  constructor(email: string) {
    super(`an account for ${email} already exists`);
  }
}

/** `input` is validated here (createAccountSchema), so callers pass request bodies as they come. */
export async function createAccount(
  db: Db,
  input: unknown,
): Promise<{ id: number; email: string; role: AccountRole; password: string }> {
  const { email, role, password: given } = createAccountSchema.parse(input);
  const password = given ?? newPassword();
  const existing = await db.account.findUnique({ where: { email } });
  if (existing) throw new AccountExistsError(email);
  const account = await db.account.create({ data: { email, role, passwordHash: await hash(password) } });
  return { id: account.id, email, role, password };
}

/** A hash of a password nobody has, verified when the email is unknown so timing tells nothing. */
let decoyHash: Promise<string> | undefined;

/** The account for an email and password, or null (unknown email, wrong password, disabled). */
export async function verifyLogin(db: Db, email: string, password: string): Promise<{ id: number; email: string; role: AccountRole } | null> {
  const account = await db.account.findUnique({ where: { email: email.toLowerCase() } });
  if (!account || account.disabledAt) {
    await verify(await (decoyHash ??= hash(newPassword())), password).catch(() => false);
    return null;
  }
  const ok = await verify(account.passwordHash, password).catch(() => false);
  return ok ? { id: account.id, email: account.email, role: account.role as AccountRole } : null;
}

/**
 * On a brand-new installation, an admin to sign in with: created once, its password printed once.
 * Returns null when any account exists.
 */
export async function ensureFirstAdmin(db: Db, email = "admin@showrunner.local"): Promise<{ email: string; password: string } | null> {
  if ((await db.account.count()) > 0) return null;
  try {
    const admin = await createAccount(db, { email, role: "admin" });
    return { email: admin.email, password: admin.password };
  } catch (err) {
    if (err instanceof AccountExistsError) return null; // another process won the race
    throw err;
  }
}
