"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { fetchJson, retryTransient } from "@/components/hooks/fetch-json";
import type { ExperimentListResponse } from "@/lib/api/experiments";
import type { DayRange } from "@/lib/format";
import type { RetentionGrain, RetentionReport } from "@/server/queries/get-retention";

export interface RetentionFilters {
  range: DayRange;
  grain: RetentionGrain;
  /** Experiment key to split by variant, or null for every user. */
  experiment: string | null;
}

/** Last column: D30 for daily cohorts (so D30 exists), W8 for weekly ones (about two months). */
export const MAX_PERIOD: Readonly<Record<RetentionGrain, number>> = { day: 30, week: 8 };

/** GET /api/retention for the filters; one cache entry per combination. */
export function useRetentionReport({ range, grain, experiment }: RetentionFilters) {
  return useQuery({
    queryKey: ["retention", range.from, range.to, grain, experiment],
    queryFn: ({ signal }) => {
      const params = new URLSearchParams({ from: range.from, to: range.to, grain });
      params.set(grain === "week" ? "maxWeek" : "maxDay", String(MAX_PERIOD[grain]));
      if (experiment) params.set("experiment", experiment);
      return fetchJson<RetentionReport>(`/api/retention?${params}`, { signal });
    },
    placeholderData: keepPreviousData,
    retry: retryTransient,
  });
}

/** Experiments to split by: those that have (or had) assigned users. */
export function useSplittableExperiments() {
  return useQuery({
    queryKey: ["experiments", "list"],
    queryFn: ({ signal }) => fetchJson<ExperimentListResponse>("/api/experiments", { signal }),
    select: (data) => data.experiments.filter((e) => e.status === "running" || e.status === "paused" || e.status === "stopped"),
    retry: retryTransient,
  });
}
