"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ExperimentDetailDto, ExperimentListResponse } from "@/lib/api/experiments";
import type { ExperimentInput } from "@/lib/experiments/definition";
import type { TransitionRequest } from "@/lib/experiments/lifecycle";
import type { MetricDefinition } from "@/lib/metrics/catalog";
import { fetchJson, retryTransient, sendJson } from "./fetch-json";

/** How often lists and pages of experiments ask again, so assignment counts move without reload. */
export const EXPERIMENTS_REFRESH_MS = 5_000;

/** Query keys: everything under ["experiments"], so one invalidation refreshes list and pages. */
export const experimentKeys = {
  all: ["experiments"] as const,
  list: () => ["experiments", "list"] as const,
  detail: (key: string) => ["experiments", "detail", key] as const,
};

const detailUrl = (key: string) => `/api/experiments/${encodeURIComponent(key)}`;

/** Every experiment, newest first, refreshed every 5 s. */
export function useExperiments() {
  return useQuery({
    queryKey: experimentKeys.list(),
    queryFn: ({ signal }) => fetchJson<ExperimentListResponse>("/api/experiments", { signal }),
    staleTime: 0,
    refetchInterval: EXPERIMENTS_REFRESH_MS,
    retry: retryTransient,
  });
}

/**
 * One experiment with its audit log. `live` refreshes it every 5 s (the experiment page); the
 * edit form leaves it off, so what it was opened on does not move under the person typing.
 */
export function useExperiment(key: string, { live = false }: { live?: boolean } = {}) {
  return useQuery({
    queryKey: experimentKeys.detail(key),
    queryFn: ({ signal }) => fetchJson<ExperimentDetailDto>(detailUrl(key), { signal }),
    staleTime: live ? 0 : 10_000,
    refetchInterval: live ? EXPERIMENTS_REFRESH_MS : false,
    retry: retryTransient,
  });
}

/** The metrics an experiment can name (lib/metrics/catalog.ts, served by /api/metrics). */
export function useMetricsCatalog() {
  return useQuery({
    queryKey: ["metrics"],
    queryFn: ({ signal }) => fetchJson<{ metrics: MetricDefinition[] }>("/api/metrics", { signal }),
    // Defined in code: it changes only with a deploy.
    staleTime: Infinity,
    retry: retryTransient,
  });
}

/** After a change: show the server's answer at once, and refresh every list that may show it. */
function useStoreAnswer() {
  const client = useQueryClient();
  return (detail: ExperimentDetailDto) => {
    client.setQueryData(experimentKeys.detail(detail.key), detail);
    void client.invalidateQueries({ queryKey: experimentKeys.list() });
  };
}

/** POST /api/experiments: a new draft (editors). */
export function useCreateExperiment() {
  const store = useStoreAnswer();
  return useMutation({
    mutationFn: (experiment: ExperimentInput) => sendJson<ExperimentDetailDto>("POST", "/api/experiments", experiment),
    onSuccess: store,
  });
}

/** PATCH /api/experiments/:key with the version it was loaded at (409 when someone saved since). */
export function useUpdateExperiment(key: string) {
  const store = useStoreAnswer();
  return useMutation({
    mutationFn: (body: { version: number; experiment: ExperimentInput }) => sendJson<ExperimentDetailDto>("PATCH", detailUrl(key), body),
    onSuccess: store,
  });
}

/** POST /api/experiments/:key/transitions: start, pause, resume, stop (with a decision), archive. */
export function useTransitionExperiment(key: string) {
  const store = useStoreAnswer();
  return useMutation({
    mutationFn: (body: TransitionRequest) => sendJson<ExperimentDetailDto>("POST", `${detailUrl(key)}/transitions`, body),
    onSuccess: store,
  });
}
