import { z } from "zod";
import { revokeAccessToken } from "@/server/auth/tokens";
import { HttpError, json } from "@/server/http/respond";
import { route } from "@/server/http/route";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/** Revokes a token (admins); it stops working within seconds (server/auth/tokens.ts). */
export const DELETE = route<{ id: string }>("admin", async ({ params }) => {
  const id = z.coerce.number().int().positive().safeParse(params.id);
  if (!id.success) throw new HttpError(400, "token id must be a positive integer");
  if (!(await revokeAccessToken(getServices().db, id.data))) throw new HttpError(404, `no live token ${id.data}`);
  return json({ revoked: id.data });
});
