import { z } from "zod";
import type { AccessTokenDto } from "@/lib/api/experiments";
import { describePrincipal, TOKEN_KINDS, type TokenKind } from "@/lib/auth/roles";
import { createAccessToken } from "@/server/auth/tokens";
import { json, readJson } from "@/server/http/respond";
import { route } from "@/server/http/route";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

const bodySchema = z.object({
  kind: z.enum(TOKEN_KINDS),
  name: z.string().trim().min(1, "needs a name").max(120),
});

export const GET = route("admin", async () => {
  const rows = await getServices().db.accessToken.findMany({ orderBy: { id: "asc" } });
  const tokens: AccessTokenDto[] = rows.map((t) => ({
    id: t.id,
    kind: t.kind as TokenKind,
    name: t.name,
    prefix: t.prefix,
    createdBy: t.createdBy,
    createdAt: t.createdAt.toISOString(),
    revoked: t.revokedAt !== null,
  }));
  return json({ tokens });
});

/** Creates a service or wall token (admins); the secret is in the answer once. */
export const POST = route("admin", async ({ request, principal }) => {
  const { kind, name } = bodySchema.parse(await readJson(request, 4096));
  return json(await createAccessToken(getServices().db, { kind, name, createdBy: describePrincipal(principal) }), { status: 201 });
});
