import { z } from "zod";
import { dayRangeShape, utcToday, withDayRange } from "@/lib/api/params";
import { getGenres } from "@/server/queries/get-genres";
import { json, parseQuery } from "@/server/http/respond";
import { route } from "@/server/http/route";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

const querySchema = z
  .object(dayRangeShape)
  .transform((q, ctx) => withDayRange(q, { defaultDays: 7, maxDays: 366, today: utcToday(Date.now()) }, ctx));

/** Watch time share, views and exact unique viewers per genre over a day range. */
export const GET = route("read", async ({ request }) => {
  const range = parseQuery(request.url, querySchema);
  return json(await getGenres(getServices().db, range));
});
