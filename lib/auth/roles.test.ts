import { describe, expect, it } from "vitest";
import { can, type Permission, type Principal } from "./roles";

const account = (role: "viewer" | "editor" | "admin"): Principal => ({ kind: "account", accountId: 1, email: `${role}@x`, role });
const token = (tokenKind: "service" | "wall"): Principal => ({ kind: "token", tokenId: 1, name: tokenKind, tokenKind });

// The whole matrix, written out: a change to roles.ts that widens or narrows access fails here.
const EXPECTED: Record<string, Record<Permission, boolean>> = {
  viewer: { read: true, live: true, experiments: false, admin: false, assign: false, ingest: false },
  editor: { read: true, live: true, experiments: true, admin: false, assign: false, ingest: false },
  admin: { read: true, live: true, experiments: true, admin: true, assign: false, ingest: false },
  service: { read: false, live: false, experiments: false, admin: false, assign: true, ingest: true },
  wall: { read: false, live: true, experiments: false, admin: false, assign: false, ingest: false },
};

describe("can", () => {
  const principals: Record<string, Principal> = {
    viewer: account("viewer"),
    editor: account("editor"),
    admin: account("admin"),
    service: token("service"),
    wall: token("wall"),
  };
  for (const [name, permissions] of Object.entries(EXPECTED)) {
    for (const [permission, allowed] of Object.entries(permissions)) {
      it(`${name} ${allowed ? "may" : "may not"} ${permission}`, () => {
        expect(can(principals[name]!, permission as Permission)).toBe(allowed);
      });
    }
  }
});
