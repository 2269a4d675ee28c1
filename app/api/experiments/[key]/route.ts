import { describePrincipal } from "@/lib/auth/roles";
import { experimentUpdateSchema } from "@/lib/experiments/definition";
import { getExperiment, updateExperiment } from "@/server/experiments/repository";
import { HttpError, json, readJson } from "@/server/http/respond";
import { route } from "@/server/http/route";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

export const GET = route<{ key: string }>("read", async ({ params }) => {
  const experiment = await getExperiment(getServices().db, params.key);
  if (!experiment) throw new HttpError(404, `no experiment "${params.key}"`);
  return json(experiment);
});

/** Replaces the definition (editors); body `{ version, experiment }`, 409 when the version is stale. */
export const PATCH = route<{ key: string }>("experiments", async ({ request, params, principal }) => {
  const { version, experiment } = experimentUpdateSchema.parse(await readJson(request, 64 * 1024));
  const { db, assignments } = getServices();
  const updated = await updateExperiment(db, params.key, version, experiment, describePrincipal(principal));
  assignments.invalidate();
  return json(updated);
});
