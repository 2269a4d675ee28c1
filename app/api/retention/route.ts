import { z } from "zod";
import { dayRangeShape, utcToday, withDayRange } from "@/lib/api/params";
import { getRetentionReport } from "@/server/queries/get-retention";
import { HttpError, json, parseQuery } from "@/server/http/respond";
import { route } from "@/server/http/route";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

const querySchema = z
  .object({
    ...dayRangeShape,
    grain: z.enum(["day", "week"]).default("day"),
    /** Last day-N column for daily cohorts. */
    maxDay: z.coerce.number().int().min(1).max(90).default(30),
    /** Last week-N column for weekly cohorts. */
    maxWeek: z.coerce.number().int().min(1).max(26).default(8),
    experiment: z.string().trim().min(1).max(128).optional(),
  })
  .transform((q, ctx) => withDayRange(q, { defaultDays: 28, maxDays: 366, today: utcToday(Date.now()) }, ctx));

/** Cohort × day-N (or week-N) retention, optionally split by an experiment's variants. */
export const GET = route("read", async ({ request }) => {
  const q = parseQuery(request.url, querySchema);
  const today = utcToday(Date.now());
  const report = await getRetentionReport(
    getServices().db,
    { from: q.from, to: q.to, grain: q.grain, maxPeriod: q.grain === "week" ? q.maxWeek : q.maxDay, experiment: q.experiment },
    today,
  );
  if (!report) throw new HttpError(404, `no experiment with key "${q.experiment}"`);
  return json(report);
});
