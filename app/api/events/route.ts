import { appendEvents, InvalidEventsError } from "@/server/queries/append-events";
import { HttpError, json, readJson } from "@/server/http/respond";
import { route } from "@/server/http/route";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/** The collector: a batch of wire-format events appended to the log, like any producer's. Service tokens only. */
export const POST = route("ingest", async ({ request }) => {
  if (!request.headers.get("content-type")?.includes("application/json")) throw new HttpError(415, "send Content-Type: application/json");
  const body = await readJson(request, 4 * 1024 * 1024);
  try {
    return json(await appendEvents(getServices().log, body), { status: 202 });
  } catch (err) {
    if (err instanceof InvalidEventsError) return json({ error: err.message, problems: err.problems.slice(0, 100) }, { status: 400 });
    throw err;
  }
});
