"use client";

import { useQuery } from "@tanstack/react-query";
import type { MeResponse } from "@/lib/api/experiments";
import { can, type Permission } from "@/lib/auth/roles";
import { fetchJson, retryTransient } from "./fetch-json";

/** The signed-in person (cached for the page's life; a 401 sends the page to /login). */
export function useMe() {
  return useQuery({ queryKey: ["me"], queryFn: ({ signal }) => fetchJson<MeResponse>("/api/auth/me", { signal }), staleTime: 5 * 60_000, retry: retryTransient });
}

/** Whether the signed-in person may do this; false while unknown. For hiding buttons only. */
export function useCan(permission: Permission): boolean {
  const me = useMe().data;
  return me !== undefined && can({ kind: "account", accountId: 0, email: me.email, role: me.role }, permission);
}
