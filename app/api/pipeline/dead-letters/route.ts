import { z } from "zod";
import { listDeadLetters } from "@/server/queries/get-pipeline";
import { json, parseQuery } from "@/server/http/respond";
import { route } from "@/server/http/route";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

const querySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** An id from the previous page's `nextBefore`: only older dead letters. */
  before: z.coerce.number().int().positive().optional(),
});

/** Dead letters of the aggregator group, newest first, a page at a time. */
export const GET = route("read", async ({ request }) => {
  const q = parseQuery(request.url, querySchema);
  return json(await listDeadLetters(getServices().db, { limit: q.limit, before: q.before }));
});
