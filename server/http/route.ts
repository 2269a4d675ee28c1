/**
 * Every API route is declared through `route(permission, body)`: it authenticates the caller
 * (bearer token or session cookie), checks the permission (lib/auth/roles.ts), checks the CSRF
 * token on cookie-authenticated mutations, and turns errors into 4xx/5xx answers (respond.ts).
 *
 *   export const GET = route("read", async ({ request }) => json(...));
 */
import { timingSafeEqual } from "node:crypto";
import { can, describePrincipal, type Permission, type Principal } from "../../lib/auth/roles";
import { authenticate } from "../auth/authenticate";
import { CSRF_HEADER } from "../auth/sessions";
import { getServices } from "../services";
import { handle, HttpError } from "./respond";

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export interface RouteContext<Params> {
  request: Request;
  params: Params;
  /** The authenticated caller; null only on "public" routes. */
  principal: Principal;
}

type NextContext<Params> = { params: Promise<Params> };

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Resolves the caller of a request and checks `permission`; throws 401/403 as HttpError. */
export async function authorize(request: Request, permission: Permission): Promise<Principal> {
  const caller = await authenticate(getServices().db, {
    authorization: request.headers.get("authorization"),
    cookie: request.headers.get("cookie"),
  });
  if (!caller) throw new HttpError(401, "sign in, or send Authorization: Bearer <token>");
  if (!can(caller.principal, permission)) {
    throw new HttpError(403, `${describePrincipal(caller.principal)} is not allowed to do this (needs permission "${permission}")`);
  }
  if (MUTATING.has(request.method) && caller.csrfToken !== null) {
    const sent = request.headers.get(CSRF_HEADER);
    if (!sent || !sameSecret(sent, caller.csrfToken)) throw new HttpError(403, `missing or wrong CSRF token: send the ${CSRF_HEADER} header`);
  }
  return caller.principal;
}

export function route<Params = Record<string, never>>(
  permission: Permission,
  body: (ctx: RouteContext<Params>) => Promise<Response>,
): (request: Request, context: NextContext<Params>) => Promise<Response> {
  return (request, context) =>
    handle(async () => {
      const principal = await authorize(request, permission);
      return body({ request, principal, params: await context.params });
    });
}

/** A route anyone may call (health, sign-in). */
export function publicRoute<Params = Record<string, never>>(
  body: (ctx: { request: Request; params: Params }) => Promise<Response>,
): (request: Request, context: NextContext<Params>) => Promise<Response> {
  return (request, context) => handle(async () => body({ request, params: await context.params }));
}
