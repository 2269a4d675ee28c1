/**
 * Who may do what. The server enforces it (server/http/route.ts); pages read it only to hide
 * buttons a person could not use anyway.
 *
 * Principals: people sign in with a role (viewer < editor < admin); machines hold a bearer token
 * of a kind: `service` (the recommendation service: assignments, event collection) or `wall` (a
 * wall screen: live channels and the /wall page, nothing else).
 */
export const ACCOUNT_ROLES = ["viewer", "editor", "admin"] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];

export const TOKEN_KINDS = ["service", "wall"] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

export type Principal =
  | { kind: "account"; accountId: number; email: string; role: AccountRole }
  | { kind: "token"; tokenId: number; name: string; tokenKind: TokenKind };

/**
 * - read:        dashboards and read APIs
 * - live:        socket.io live channels
 * - experiments: create, edit, start/stop experiments
 * - admin:       accounts, tokens, replay
 * - assign:      POST /api/assignments
 * - ingest:      POST /api/events
 */
export type Permission = "read" | "live" | "experiments" | "admin" | "assign" | "ingest";

const ROLE_RANK: Readonly<Record<AccountRole, number>> = { viewer: 0, editor: 1, admin: 2 };

const ACCOUNT_NEEDS: Readonly<Record<Permission, AccountRole | null>> = {
  read: "viewer",
  live: "viewer",
  experiments: "editor",
  admin: "admin",
  // Machines' doors: a person calls them through a service token, so a leaked session cannot
  // write assignments or events.
  assign: null,
  ingest: null,
};

const TOKEN_GRANTS: Readonly<Record<TokenKind, readonly Permission[]>> = {
  service: ["assign", "ingest"],
  wall: ["live"],
};

export function can(principal: Principal, permission: Permission): boolean {
  if (principal.kind === "token") return TOKEN_GRANTS[principal.tokenKind].includes(permission);
  const need = ACCOUNT_NEEDS[permission];
  return need !== null && ROLE_RANK[principal.role] >= ROLE_RANK[need];
}

export function describePrincipal(principal: Principal): string {
  return principal.kind === "account" ? principal.email : `${principal.tokenKind} token "${principal.name}"`;
}
