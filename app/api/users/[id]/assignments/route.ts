import { decodePathParam, userIdSchema } from "@/lib/api/params";
import { getUserAssignments } from "@/server/queries/get-user-assignments";
import { HttpError, json } from "@/server/http/respond";
import { route } from "@/server/http/route";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/** The user's stored experiment assignments (newest first), with the experiment's status and targeting. */
export const GET = route<{ id: string }>("read", async ({ params }) => {
  const id = userIdSchema.safeParse(decodePathParam(params.id) ?? "");
  if (!id.success) throw new HttpError(400, "user id must be 1–128 characters");
  return json(await getUserAssignments(getServices().db, id.data));
});
