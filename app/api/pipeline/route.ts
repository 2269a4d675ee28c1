import { getPipeline } from "@/server/queries/get-pipeline";
import { handle, json } from "@/server/http/respond";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/** The pipeline view: per-partition lag, rates in and out, late and dead-lettered counts. */
export function GET() {
  return handle(async () => json(await getPipeline(getServices())));
}
