import { decodePathParam, userIdSchema } from "@/lib/api/params";
import { HttpError, json } from "@/server/http/respond";
import { route } from "@/server/http/route";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/** A user's live features: 5-minute windows sliding every minute over the last hour of event time. */
export const GET = route<{ id: string }>("read", async ({ params }) => {
  const id = userIdSchema.safeParse(decodePathParam(params.id) ?? "");
  if (!id.success) throw new HttpError(400, "user id must be 1–128 characters");
  const live = getServices().live;
  if (!live) throw new HttpError(503, "this process serves no live views");
  return json({ userId: id.data, windowMinutes: 5, slideMinutes: 1, windows: live.userWindows(id.data) });
});
