import { z } from "zod";
import { getExperimentResults } from "@/server/results/get-experiment-results";
import { csvFilename, resultsToCsv } from "@/server/results/results-csv";
import { HttpError, json, parseQuery } from "@/server/http/respond";
import { route } from "@/server/http/route";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

const querySchema = z.object({ format: z.enum(["json", "csv"], { error: 'must be "json" or "csv"' }).default("json") });

/** ExperimentResults (lib/api/results.ts); `?format=csv` downloads the metrics table. */
export const GET = route<{ key: string }>("read", async ({ request, params }) => {
  const { format } = parseQuery(request.url, querySchema);
  const results = await getExperimentResults(getServices().pool, params.key);
  if (!results) throw new HttpError(404, `no experiment "${params.key}"`);
  if (format === "json") return json(results);
  return new Response(resultsToCsv(results), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${csvFilename(results)}"`,
      "cache-control": "no-store",
    },
  });
});
