import { getPower, powerQuerySchema } from "@/server/results/get-power";
import { HttpError, json, parseQuery } from "@/server/http/respond";
import { route } from "@/server/http/route";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/** PowerResponse (lib/api/results.ts): MDE now, users needed for `mde`, power at the current size. */
export const GET = route<{ key: string }>("read", async ({ request, params }) => {
  const query = parseQuery(request.url, powerQuerySchema);
  const power = await getPower(getServices().pool, params.key, query);
  if (!power) throw new HttpError(404, `no experiment "${params.key}"`);
  return json(power);
});
