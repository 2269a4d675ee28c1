import { z } from "zod";
import { dayRangeShape, utcToday, withDayRange } from "@/lib/api/params";
import { getRetention } from "@/server/queries/get-retention";
import { handle, json, parseQuery } from "@/server/http/respond";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

const querySchema = z
  .object({ ...dayRangeShape, maxDay: z.coerce.number().int().min(1).max(90).default(30) })
  .transform((q, ctx) => withDayRange(q, { defaultDays: 28, maxDays: 366, today: utcToday(Date.now()) }, ctx));

export function GET(request: Request) {
  return handle(async () => {
    const q = parseQuery(request.url, querySchema);
    return json(await getRetention(getServices().db, { from: q.from, to: q.to }, q.maxDay, utcToday(Date.now())));
  });
}
