import { z } from "zod";
import { verifyLogin } from "@/server/auth/accounts";
import { loginBlockedFor, recordLoginFailure, recordLoginSuccess } from "@/server/auth/login-limiter";
import { createSession, sessionCookies } from "@/server/auth/sessions";
import { HttpError, json, readJson } from "@/server/http/respond";
import { publicRoute } from "@/server/http/route";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

const bodySchema = z.object({
  email: z.string().trim().min(1, "enter your email").max(254).transform((e) => e.toLowerCase()),
  password: z.string().min(1, "enter your password").max(256),
});

/** Signs a person in: sets the httpOnly session cookie and the CSRF cookie the page echoes back. */
export const POST = publicRoute(async ({ request }) => {
  const { email, password } = bodySchema.parse(await readJson(request, 4096));
  const { db, secureCookies, trustProxy } = getServices();
  // The client's address is known only from a trusted proxy's header; a client could forge it.
  const address = trustProxy ? request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || null : null;
  const wait = await loginBlockedFor(email, address);
  if (wait > 0) throw new HttpError(429, `too many failed sign-ins: try again in ${Math.ceil(wait / 60)} minute(s)`);
  const account = await verifyLogin(db, email, password);
  if (!account) {
    await recordLoginFailure(email, address);
    throw new HttpError(401, "wrong email or password");
  }
  await recordLoginSuccess(email);
  const session = await createSession(db, account.id);
  const headers = new Headers();
  for (const c of sessionCookies(session, secureCookies)) headers.append("set-cookie", c);
  return json({ email: account.email, role: account.role }, { headers });
});
