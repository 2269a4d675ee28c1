import { z } from "zod";
import { dayRangeShape, decodePathParam, userIdSchema, utcToday, withDayRange } from "@/lib/api/params";
import { getUserDaily } from "@/server/queries/get-user-daily";
import { HttpError, json, parseQuery } from "@/server/http/respond";
import { route } from "@/server/http/route";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

const querySchema = z
  .object(dayRangeShape)
  .transform((q, ctx) => withDayRange(q, { defaultDays: 28, maxDays: 366, today: utcToday(Date.now()) }, ctx));

export const GET = route<{ id: string }>("read", async ({ request, params }) => {
  const id = userIdSchema.safeParse(decodePathParam(params.id) ?? "");
  if (!id.success) throw new HttpError(400, "user id must be 1–128 characters");
  const range = parseQuery(request.url, querySchema);
  return json(await getUserDaily(getServices().db, id.data, range));
});
