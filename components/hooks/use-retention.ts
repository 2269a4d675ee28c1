"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { RetentionResponse } from "@/lib/api/types";
import type { DayRange } from "@/lib/format";
import { fetchJson, retryTransient } from "./fetch-json";

/** The cohort × day-N (0…maxDay) retention matrix for cohorts whose first watch day is in the range. */
export function useRetention(range: DayRange, maxDay = 14) {
  return useQuery({
    queryKey: ["retention", range.from, range.to, maxDay],
    queryFn: ({ signal }) => {
      const params = new URLSearchParams({ from: range.from, to: range.to, maxDay: String(maxDay) });
      return fetchJson<RetentionResponse>(`/api/retention?${params}`, { signal });
    },
    placeholderData: keepPreviousData,
    retry: retryTransient,
  });
}
