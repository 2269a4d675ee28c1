import { getPipeline } from "@/server/queries/get-pipeline";
import { json } from "@/server/http/respond";
import { route } from "@/server/http/route";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/** The pipeline view: per-partition lag, rates in and out, late and dead-lettered counts. */
export const GET = route("read", async () => json(await getPipeline(getServices())));
