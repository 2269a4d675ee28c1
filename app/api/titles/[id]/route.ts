import { z } from "zod";
import { dayRangeShape, decodePathParam, pathIdSchema, utcToday, withDayRange } from "@/lib/api/params";
import { getTitleDetail } from "@/server/queries/get-title-detail";
import { HttpError, json, parseQuery } from "@/server/http/respond";
import { route } from "@/server/http/route";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

const querySchema = z
  .object(dayRangeShape)
  .transform((q, ctx) => withDayRange(q, { defaultDays: 7, maxDays: 366, today: utcToday(Date.now()) }, ctx));

/** One title's daily watch seconds, views and unique viewers, and its totals over the range. */
export const GET = route<{ id: string }>("read", async ({ request, params }) => {
  const id = pathIdSchema.safeParse(decodePathParam(params.id) ?? "");
  if (!id.success) throw new HttpError(400, "title id must be 1–128 characters");
  const range = parseQuery(request.url, querySchema);
  const detail = await getTitleDetail(getServices().db, id.data, range);
  if (!detail) throw new HttpError(404, `no title "${id.data}": it is not in the catalog and was never watched`);
  return json(detail);
});
