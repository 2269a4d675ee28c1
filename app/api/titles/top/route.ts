import { z } from "zod";
import { dayRangeShape, utcToday, withDayRange } from "@/lib/api/params";
import { getTopTitles } from "@/server/queries/get-top-titles";
import { json, parseQuery } from "@/server/http/respond";
import { route } from "@/server/http/route";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

const querySchema = z
  .object({ ...dayRangeShape, limit: z.coerce.number().int().min(1).max(100).default(10) })
  .transform((q, ctx) => withDayRange(q, { defaultDays: 7, maxDays: 366, today: utcToday(Date.now()) }, ctx));

export const GET = route("read", async ({ request }) => {
  const q = parseQuery(request.url, querySchema);
  return json(await getTopTitles(getServices().db, { from: q.from, to: q.to }, q.limit));
});
