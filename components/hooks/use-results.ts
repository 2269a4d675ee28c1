"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ExperimentResults } from "@/lib/api/results";
import type { AnalysisSettings } from "@/lib/experiments/analysis-settings";
import { fetchJson, retryTransient, sendJson } from "./fetch-json";
import { experimentKeys } from "./use-experiments";

/** While an experiment runs, events keep arriving: ask again this often so the primary metric moves. */
export const RESULTS_REFRESH_MS = 10_000;

/**
 * Under ["experiments"], so a lifecycle change (start, stop) that refreshes the experiment also
 * refreshes its results. The analysis settings are stored with the experiment and the response
 * says which ones it was computed with, so one key per experiment covers experiment + settings:
 * saving settings invalidates it (see useSaveAnalysis).
 */
export const resultsKeys = {
  all: ["experiments", "results"] as const,
  detail: (key: string) => ["experiments", "results", key] as const,
};

const resultsUrl = (key: string) => `/api/experiments/${encodeURIComponent(key)}/results`;

/** Where "Export CSV" points: the same results, one row per metric × variant. */
export function resultsCsvUrl(key: string): string {
  return `${resultsUrl(key)}?format=csv`;
}

/** An experiment's results; refreshed every 10 s while it is running, left alone otherwise. */
export function useResults(key: string) {
  return useQuery({
    queryKey: resultsKeys.detail(key),
    queryFn: ({ signal }) => fetchJson<ExperimentResults>(resultsUrl(key), { signal }),
    staleTime: 5_000,
    refetchInterval: (query) => (query.state.data?.status === "running" ? RESULTS_REFRESH_MS : false),
    retry: retryTransient,
  });
}

/**
 * PUT /api/experiments/:key/analysis (editors): the new settings, then the results recomputed
 * with them. The experiment's audit log records the change, so its page refreshes too.
 */
export function useSaveAnalysis(key: string) {
  const client = useQueryClient();
  return useMutation({
    // A PUT: the settings are replaced as a whole.
    mutationFn: (settings: AnalysisSettings) => sendJson<AnalysisSettings>("PUT", `/api/experiments/${encodeURIComponent(key)}/analysis`, settings),
    onSuccess: async () => {
      await Promise.all([client.invalidateQueries({ queryKey: resultsKeys.detail(key) }), client.invalidateQueries({ queryKey: experimentKeys.detail(key) })]);
    },
  });
}
