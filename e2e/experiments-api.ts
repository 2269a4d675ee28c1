import { expect, type APIRequestContext, type PlaywrightWorkerArgs } from "@playwright/test";
import type { ExperimentDetailDto } from "../lib/api/experiments";
import type { ExperimentInput } from "../lib/experiments/definition";
import { csrfHeader, e2eEmail, storageStateFor } from "./auth";

/* Setting an experiment scene through the API, as an editor, without the form. */

/** Keys unique per run: the e2e database lives as long as the server, across specs. */
export const uniqueKey = (prefix: string) => `${prefix}-${Date.now().toString(36)}`;

export function definition(key: string, overrides: Partial<ExperimentInput> = {}): ExperimentInput {
  return {
    key,
    name: `E2E ${key}`,
    hypothesis: "Ranking home rows by predicted watch time raises watch time per user, without more dislikes.",
    owner: e2eEmail("editor"),
    variants: [
      { key: "control", name: "Current ranking", weight: 1, isControl: true },
      { key: "ranked", name: "Predicted watch time", weight: 1, isControl: false },
    ],
    trafficPercent: 100,
    targeting: [],
    primaryMetric: "watch_time",
    secondaryMetrics: ["sessions"],
    guardrailMetrics: ["dislikes"],
    ...overrides,
  };
}

/** An editor's API session, for setting the scene without the form. */
export async function editorApi(playwright: PlaywrightWorkerArgs["playwright"], baseURL: string | undefined): Promise<APIRequestContext> {
  return playwright.request.newContext({ baseURL, storageState: storageStateFor("editor") });
}

export async function createExperiment(api: APIRequestContext, input: ExperimentInput, { start = false } = {}): Promise<ExperimentDetailDto> {
  const created = await api.post("/api/experiments", { headers: csrfHeader("editor"), data: input });
  expect(created.status(), await created.text()).toBe(201);
  let body = (await created.json()) as ExperimentDetailDto;
  if (start) {
    const started = await api.post(`/api/experiments/${input.key}/transitions`, { headers: csrfHeader("editor"), data: { action: "start", version: body.version } });
    expect(started.status(), await started.text()).toBe(200);
    body = (await started.json()) as ExperimentDetailDto;
  }
  return body;
}
