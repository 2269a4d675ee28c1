import { NextResponse, type NextRequest } from "next/server";

/**
 * An optimistic check before pages render: without a session cookie, go to the sign-in page.
 * It only looks at the cookie's presence; the real check is on the server, in every API route
 * (server/http/route.ts), whose 401 also sends the page to /login (components/hooks/fetch-json.ts).
 */
export function proxy(request: NextRequest) {
  if (request.cookies.has("sr_session")) return NextResponse.next();
  const login = new URL("/login", request.url);
  login.searchParams.set("next", request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.redirect(login);
}

export const config = {
  // Pages only: not the API (answers 401 itself), Next's assets, the sign-in page, or the wall
  // (which authenticates with its token).
  matcher: ["/((?!api/|_next/|favicon\\.ico|login|wall).*)"],
};
