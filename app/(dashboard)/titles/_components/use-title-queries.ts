"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { fetchJson, retryTransient } from "@/components/hooks/fetch-json";
import type { DayRange } from "@/lib/format";
import type { GenresResponse } from "@/server/queries/get-genres";
import type { TitleDetailResponse } from "@/server/queries/get-title-detail";

const rangeParams = (range: DayRange) => new URLSearchParams({ from: range.from, to: range.to });

/** Watch time share, views and unique viewers per genre over the range. */
export function useGenres(range: DayRange) {
  return useQuery({
    queryKey: ["genres", range.from, range.to],
    queryFn: ({ signal }) => fetchJson<GenresResponse>(`/api/genres?${rangeParams(range)}`, { signal }),
    placeholderData: keepPreviousData,
    retry: retryTransient,
  });
}

/** One title's daily curve and totals over the range; a 404 comes back as an error in words. */
export function useTitleDetail(titleId: string, range: DayRange) {
  return useQuery({
    queryKey: ["titles", "detail", titleId, range.from, range.to],
    queryFn: ({ signal }) => fetchJson<TitleDetailResponse>(`/api/titles/${encodeURIComponent(titleId)}?${rangeParams(range)}`, { signal }),
    placeholderData: keepPreviousData,
    retry: retryTransient,
  });
}
