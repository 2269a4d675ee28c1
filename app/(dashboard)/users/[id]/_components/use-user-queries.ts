"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { fetchJson, retryTransient } from "@/components/hooks/fetch-json";
import type { UserDailyResponse } from "@/lib/api/types";
import type { DayRange } from "@/lib/format";
import type { UserWindowFeatures } from "@/lib/windows/live-windows";
import type { UserAssignmentsResponse } from "@/server/queries/get-user-assignments";
import type { UserProfileResponse } from "@/server/queries/get-user-profile";

const userUrl = (userId: string, rest = "") => `/api/users/${encodeURIComponent(userId)}${rest}`;

/** How often the live windows ask again: they slide every minute. */
const WINDOWS_REFRESH_MS = 15_000;

export function useUserDaily(userId: string, range: DayRange) {
  return useQuery({
    queryKey: ["users", userId, "daily", range.from, range.to],
    queryFn: ({ signal }) => fetchJson<UserDailyResponse>(userUrl(userId, `/daily?${new URLSearchParams({ from: range.from, to: range.to })}`), { signal }),
    placeholderData: keepPreviousData,
    retry: retryTransient,
  });
}

/** Attributes as last seen, and the titles of the last 7 days up to `to`. */
export function useUserProfile(userId: string, to: string) {
  return useQuery({
    queryKey: ["users", userId, "profile", to],
    queryFn: ({ signal }) => fetchJson<UserProfileResponse>(userUrl(userId, `?${new URLSearchParams({ to, days: "7" })}`), { signal }),
    retry: retryTransient,
  });
}

export function useUserAssignments(userId: string) {
  return useQuery({
    queryKey: ["users", userId, "assignments"],
    queryFn: ({ signal }) => fetchJson<UserAssignmentsResponse>(userUrl(userId, "/assignments"), { signal }),
    retry: retryTransient,
  });
}

export interface UserWindowsResponse {
  userId: string;
  windowMinutes: number;
  slideMinutes: number;
  windows: UserWindowFeatures[];
}

/** The user's 5-minute windows over the last hour, from the live view (refreshed every 15 s). */
export function useUserWindows(userId: string) {
  return useQuery({
    queryKey: ["users", userId, "windows"],
    queryFn: ({ signal }) => fetchJson<UserWindowsResponse>(userUrl(userId, "/windows"), { signal }),
    refetchInterval: WINDOWS_REFRESH_MS,
    staleTime: 0,
    retry: retryTransient,
  });
}
