/**
 * POST /api/assignments — the recommendation service's call (service tokens): the user's variant
 * in every running experiment they qualify for; the first answer per experiment is stored and
 * sticky. Mounted twice with the same code: as a Next route (app/api/assignments/route.ts) and on
 * the Node server's fast path (server/main.ts), which skips Next's routing on this hot endpoint.
 */
import { z } from "zod";
import { assignmentUserSchema } from "../../lib/experiments/assign";
import { HttpError, json, readJson } from "../http/respond";
import { route } from "../http/route";
import { getServices } from "../services";

const bodySchema = z.object({ userId: assignmentUserSchema.shape.id, attributes: assignmentUserSchema.shape.attributes });

export const postAssignments = route("assign", async ({ request }) => {
  if (!request.headers.get("content-type")?.includes("application/json")) throw new HttpError(415, "send Content-Type: application/json");
  const { userId, attributes } = bodySchema.parse(await readJson(request, 8 * 1024));
  return json(await getServices().assignments.assign({ id: userId, attributes }));
});
