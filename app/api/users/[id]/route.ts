import { z } from "zod";
import { daySchema, decodePathParam, userIdSchema, utcToday } from "@/lib/api/params";
import { getUserProfile } from "@/server/queries/get-user-profile";
import { HttpError, json, parseQuery } from "@/server/http/respond";
import { route } from "@/server/http/route";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

const querySchema = z.object({
  /** Last day of the recent titles (default today). */
  to: daySchema.optional(),
  days: z.coerce.number().int().min(1).max(28).default(7),
});

/** The user's last-seen attributes (country, device, first watch day) and recently watched titles. */
export const GET = route<{ id: string }>("read", async ({ request, params }) => {
  const id = userIdSchema.safeParse(decodePathParam(params.id) ?? "");
  if (!id.success) throw new HttpError(400, "user id must be 1–128 characters");
  const q = parseQuery(request.url, querySchema);
  return json(await getUserProfile(getServices().db, id.data, { to: q.to ?? utcToday(Date.now()), recentDays: q.days }));
});
