import type { ExperimentListResponse } from "@/lib/api/experiments";
import { describePrincipal } from "@/lib/auth/roles";
import { createExperiment, listExperiments } from "@/server/experiments/repository";
import { json, readJson } from "@/server/http/respond";
import { route } from "@/server/http/route";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

export const GET = route("read", async () => {
  const body: ExperimentListResponse = { experiments: await listExperiments(getServices().db) };
  return json(body);
});

/** Creates a draft experiment (editors). */
export const POST = route("experiments", async ({ request, principal }) => {
  const created = await createExperiment(getServices().db, await readJson(request, 64 * 1024), describePrincipal(principal));
  return json(created, { status: 201, headers: { location: `/api/experiments/${created.key}` } });
});
