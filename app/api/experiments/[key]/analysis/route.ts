import { describePrincipal } from "@/lib/auth/roles";
import { saveAnalysisSettings } from "@/server/results/save-analysis-settings";
import { json, readJson } from "@/server/http/respond";
import { route } from "@/server/http/route";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/**
 * Replaces the experiment's analysis settings (editors); body: analysisSettingsSchema, missing
 * fields take their defaults; answers the saved settings. Audited. The current settings are in
 * every results answer (GET /api/experiments/:key/results → settings).
 */
export const PUT = route<{ key: string }>("experiments", async ({ request, params, principal }) => {
  const settings = await saveAnalysisSettings(getServices().db, params.key, await readJson(request, 4 * 1024), describePrincipal(principal));
  return json(settings);
});
