import { clearedSessionCookies, deleteSession, readCookie, SESSION_COOKIE } from "@/server/auth/sessions";
import { json } from "@/server/http/respond";
import { route } from "@/server/http/route";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/** Ends the browser's session (CSRF-checked like every cookie-authenticated mutation). */
export const POST = route("read", async ({ request }) => {
  const { db, secureCookies } = getServices();
  const token = readCookie(request.headers.get("cookie"), SESSION_COOKIE);
  if (token) await deleteSession(db, token);
  const headers = new Headers();
  for (const c of clearedSessionCookies(secureCookies)) headers.append("set-cookie", c);
  return json({ signedOut: true }, { headers });
});
