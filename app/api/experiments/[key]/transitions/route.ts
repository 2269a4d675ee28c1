import { describePrincipal } from "@/lib/auth/roles";
import { transitionRequestSchema } from "@/lib/experiments/lifecycle";
import { transitionExperiment } from "@/server/experiments/repository";
import { json, readJson } from "@/server/http/respond";
import { route } from "@/server/http/route";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/** start | pause | resume | stop (with a decision) | archive; body `{ action, version, ... }`. */
export const POST = route<{ key: string }>("experiments", async ({ request, params, principal }) => {
  const transition = transitionRequestSchema.parse(await readJson(request, 16 * 1024));
  const { db, assignments } = getServices();
  const updated = await transitionExperiment(db, params.key, transition, describePrincipal(principal));
  assignments.invalidate();
  return json(updated);
});
