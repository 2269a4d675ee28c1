"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { fetchJson, retryTransient } from "@/components/hooks/fetch-json";
import type { DeadLettersResponse, PipelineResponse } from "@/lib/api/pipeline";

/** How often the page asks again; the server measures rates between successive asks. */
export const PIPELINE_REFRESH_MS = 2_000;

/** The pipeline view, refreshed every 2 s while the tab is visible. */
export function usePipeline() {
  return useQuery({
    queryKey: ["pipeline"],
    queryFn: ({ signal }) => fetchJson<PipelineResponse>("/api/pipeline", { signal }),
    staleTime: 0,
    refetchInterval: PIPELINE_REFRESH_MS,
    retry: retryTransient,
  });
}

/** Dead letters older than `beforeId`, a page at a time; idle while `beforeId` is null. */
export function useOlderDeadLetters(beforeId: number | null, pageSize = 50) {
  return useInfiniteQuery({
    queryKey: ["pipeline", "dead-letters", beforeId, pageSize],
    queryFn: ({ pageParam, signal }) =>
      fetchJson<DeadLettersResponse>(`/api/pipeline/dead-letters?${new URLSearchParams({ limit: String(pageSize), before: String(pageParam) })}`, {
        signal,
      }),
    initialPageParam: beforeId ?? 0,
    getNextPageParam: (last) => last.nextBefore ?? undefined,
    enabled: beforeId !== null,
    // Older dead letters never change.
    staleTime: Infinity,
    retry: retryTransient,
  });
}
