"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { TopTitlesResponse } from "@/lib/api/types";
import type { DayRange } from "@/lib/format";
import { fetchJson, retryTransient } from "./fetch-json";

/** Top titles by total watch time over an inclusive UTC day range. */
export function useTopTitles(range: DayRange, limit = 10) {
  return useQuery({
    queryKey: ["titles", "top", range.from, range.to, limit],
    queryFn: ({ signal }) => {
      const params = new URLSearchParams({ from: range.from, to: range.to, limit: String(limit) });
      return fetchJson<TopTitlesResponse>(`/api/titles/top?${params}`, { signal });
    },
    // Keep the old table on screen while a new range loads, instead of flashing a spinner.
    placeholderData: keepPreviousData,
    retry: retryTransient,
  });
}
