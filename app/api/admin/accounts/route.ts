import type { AccountDto } from "@/lib/api/experiments";
import type { AccountRole } from "@/lib/auth/roles";
import { AccountExistsError, createAccount } from "@/server/auth/accounts";
import { HttpError, json, readJson } from "@/server/http/respond";
import { route } from "@/server/http/route";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

export const GET = route("admin", async () => {
  const rows = await getServices().db.account.findMany({ orderBy: { id: "asc" } });
  const accounts: AccountDto[] = rows.map((a) => ({
    id: a.id,
    email: a.email,
    role: a.role as AccountRole,
    createdAt: a.createdAt.toISOString(),
    disabled: a.disabledAt !== null,
  }));
  return json({ accounts });
});

/** Creates an account (admins); the password, generated unless given, is in the answer once. */
export const POST = route("admin", async ({ request }) => {
  try {
    return json(await createAccount(getServices().db, await readJson(request, 4096)), { status: 201 });
  } catch (err) {
    if (err instanceof AccountExistsError) throw new HttpError(409, err.message);
    throw err;
  }
});
