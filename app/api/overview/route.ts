import { HttpError, json } from "@/server/http/respond";
import { route } from "@/server/http/route";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/** The live overview's current snapshot: the page's first paint, before socket.io takes over. */
export const GET = route("read", async () => {
  const live = getServices().live;
  if (!live) throw new HttpError(503, "this process serves no live views");
  return json(live.snapshot());
});
