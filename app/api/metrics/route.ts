import { METRICS } from "@/lib/metrics/catalog";
import { json } from "@/server/http/respond";
import { route } from "@/server/http/route";

export const dynamic = "force-dynamic";

/** The metric catalog experiments choose from. */
export const GET = route("read", async () => json({ metrics: METRICS }));
