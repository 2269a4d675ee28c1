import type { MeResponse } from "@/lib/api/experiments";
import { HttpError, json } from "@/server/http/respond";
import { route } from "@/server/http/route";

export const dynamic = "force-dynamic";

/** The signed-in person: what the navigation shows and which buttons pages offer. */
export const GET = route("read", async ({ principal }) => {
  if (principal.kind !== "account") throw new HttpError(403, "tokens have no profile");
  const me: MeResponse = { email: principal.email, role: principal.role };
  return json(me);
});
