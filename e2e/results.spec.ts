import { expect, test, type Page } from "@playwright/test";
import type { ExperimentResults } from "../lib/api/results";
import { getMetric } from "../lib/metrics/catalog";
import { simExperiments } from "../lib/sim/experiments";
import { asRole, csrfHeader } from "./auth";

/** The simulator's experiments, as the e2e server seeds them (the start day only matters for targeting). */
const SIM = simExperiments("2026-01-01");
const definitionOf = (key: string) => {
  const found = SIM.find((e) => e.definition.key === key);
  if (!found) throw new Error(`the simulator has no experiment "${key}"`);
  return found.definition;
};

/** Three variants, three roles of metric (and, in the simulation, a guardrail that fires). */
const HERO = "hero-artwork";
/** The one the editor re-analyses, so the screenshot of HERO keeps its default settings. */
const AUTOPLAY = "autoplay-next-episode";

/** Fails the test on an uncaught error in the page (a chart throwing, a hydration failure). */
function failOnPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}

test.describe("results, as a viewer", () => {
  test.use(asRole("viewer"));

  test("[RESULTS] a running simulated experiment's results page shows health, every metric per variant, the charts, and read-only settings", async ({ page }) => {
    const errors = failOnPageErrors(page);
    const definition = definitionOf(HERO);
    await page.goto(`/experiments/${HERO}/results`);
    await expect(page.getByRole("heading", { level: 1 })).toContainText(definition.name);
    await expect(page.getByTestId("back-to-experiment")).toHaveAttribute("href", `/experiments/${HERO}`);

    const view = page.getByTestId("results-view");
    await expect(view).toHaveAttribute("data-state", "ready", { timeout: 30_000 });
    await expect(view).toHaveAttribute("data-status", "running");

    // Health first: the sample ratio check in words and numbers, users, freshness.
    await expect(page.getByTestId("srm-line")).toContainText(/χ² p = /);
    await expect(page.getByTestId("srm").locator("li")).toHaveCount(definition.variants.length);
    await expect(page.getByTestId("freshness")).toContainText(/As of .*Computed/s);

    // Every metric of the experiment, in its group, with a row per variant and the catalog's description.
    const groups = [
      ["results-primary", [definition.primaryMetric]],
      ["results-secondary", definition.secondaryMetrics],
      ["results-guardrails", definition.guardrailMetrics],
    ] as const;
    for (const [group, ids] of groups) {
      for (const id of ids) {
        const metric = page.getByTestId(group).locator(`[data-testid="metric-result"][data-metric-id="${id}"]`);
        await expect(metric).toBeVisible();
        await expect(metric.getByTestId("metric-description")).toHaveText(getMetric(id)!.description);
        await expect(metric.locator("tr[data-variant-key]")).toHaveCount(definition.variants.length);
        // Each treatment: a relative lift, a p-value, an adjusted p (Holm by default) and a verdict in words.
        await expect(metric.getByTestId("verdict")).toHaveCount(definition.variants.length - 1);
        await expect(metric.getByTestId("verdict").first()).toHaveText(/Better|Worse|Not yet clear/);
        await expect(metric.getByTestId("adjusted-p-value")).toHaveCount(definition.variants.length - 1);
      }
    }
    await expect(page.getByTestId("results-table").first().getByTestId("adjusted-p-header")).toHaveText("Adjusted p (Holm)");

    // A breached guardrail is said loudly, with the metric and the lift (the simulation plants one).
    const guardrailBreached = (await page.getByTestId("results-guardrails").getAttribute("data-breached")) === "true";
    if (guardrailBreached) await expect(page.getByTestId("guardrail-breach")).toContainText(/Guardrail breached: .*Dislikes/);

    // Charts drawn: the forest plot (a bar per comparison), cumulative lift, daily metric.
    const comparisons = (1 + definition.secondaryMetrics.length + definition.guardrailMetrics.length) * (definition.variants.length - 1);
    await expect(page.getByTestId("forest-plot").locator("svg.recharts-surface")).toBeVisible();
    await expect(page.getByTestId("forest-plot").locator(".recharts-bar-rectangle")).toHaveCount(comparisons);
    await expect(page.getByTestId("cumulative-chart").locator("svg.recharts-surface")).toBeVisible();
    // A series per treatment (with one day so far, a point and its whiskers rather than a curve).
    await expect(page.getByTestId("cumulative-chart").locator(".recharts-line")).toHaveCount(definition.variants.length - 1);
    await expect(page.getByTestId("cumulative-chart").locator(".recharts-line-dot").first()).toBeVisible();
    await expect(page.getByTestId("daily-chart").locator("svg.recharts-surface")).toBeVisible();
    await expect(page.getByTestId("daily-chart").locator(".recharts-line")).toHaveCount(definition.variants.length);
    await expect(page.getByTestId("daily-chart").locator(".recharts-line-dot").first()).toBeVisible();

    // A viewer reads the settings but cannot change them; the planner answers from the control's figures.
    const settings = page.getByTestId("analysis-settings");
    await expect(settings).toContainText("Only editors can change these.");
    await expect(settings.getByRole("button", { name: /save/i })).toHaveCount(0);
    await expect(page.getByTestId("calc-answer")).toContainText(/users per variant/);
    await page.getByLabel("the users I need for a lift").check();
    await expect(page.getByTestId("users-needed")).toHaveText(/^[\d,]+$/);

    await page.screenshot({ path: "e2e/screenshots/results.png", fullPage: true });

    // Running: the page asks again by itself (every 10 s), without a reload.
    await page.waitForResponse((r) => new URL(r.url()).pathname === `/api/experiments/${HERO}/results` && r.status() === 200, { timeout: 20_000 });
    expect(errors).toEqual([]);
  });

  test("[RESULTS] Export CSV downloads text/csv with a header row and a row per metric and variant", async ({ page, request }) => {
    const definition = definitionOf(HERO);
    await page.goto(`/experiments/${HERO}/results`);
    const href = await page.getByTestId("export-csv").getAttribute("href");
    expect(href).toBeTruthy();
    const res = await request.get(href!);
    expect(res.status()).toBe(200);
    expect(res.headers()["content-type"]).toMatch(/^text\/csv/);
    const lines = (await res.text()).trim().split(/\r?\n/);
    expect(lines[0]).toMatch(/^metric_id,metric,role,/);
    const metrics = 1 + definition.secondaryMetrics.length + definition.guardrailMetrics.length;
    expect(lines.length - 1).toBe(metrics * definition.variants.length);
  });

  test("[RESULTS] an unknown experiment says so in words", async ({ page }) => {
    await page.goto("/experiments/no-such-experiment/results");
    await expect(page.getByTestId("data-empty")).toContainText("No experiment “no-such-experiment”");
  });
});

test.describe("results, as an editor", () => {
  test.use(asRole("editor"));

  test("[RESULTS] an editor switches the correction to Benjamini–Hochberg; after the refetch the table and settings show it, and it is kept", async ({ page, request }) => {
    const errors = failOnPageErrors(page);
    // From a known start: Holm (the default), whatever ran before.
    const reset = await request.put(`/api/experiments/${AUTOPLAY}/analysis`, { headers: csrfHeader("editor"), data: { correction: "holm" } });
    expect(reset.status(), await reset.text()).toBe(200);

    await page.goto(`/experiments/${AUTOPLAY}/results`);
    const view = page.getByTestId("results-view");
    await expect(view).toHaveAttribute("data-state", "ready", { timeout: 30_000 });
    await expect(view).toHaveAttribute("data-correction", "holm");
    await expect(page.getByTestId("adjusted-p-header").first()).toHaveText("Adjusted p (Holm)");

    const settings = page.getByTestId("analysis-settings");
    const save = settings.getByTestId("save-analysis");
    await expect(save).toBeDisabled();
    await settings.getByLabel("Benjamini–Hochberg").check();
    await expect(settings).toContainText("Unsaved changes");
    const saved = page.waitForResponse((r) => r.request().method() === "PUT" && new URL(r.url()).pathname === `/api/experiments/${AUTOPLAY}/analysis`);
    const refetched = page.waitForResponse((r) => r.request().method() === "GET" && new URL(r.url()).pathname === `/api/experiments/${AUTOPLAY}/results`);
    await save.click();
    expect((await saved).status()).toBe(200);
    const body = (await (await refetched).json()) as ExperimentResults;
    expect(body.settings.correction).toBe("bh");

    await expect(view).toHaveAttribute("data-correction", "bh");
    await expect(settings).toHaveAttribute("data-correction", "bh");
    await expect(settings.getByTestId("analysis-saved")).toBeVisible();
    await expect(page.getByTestId("adjusted-p-header").first()).toHaveText("Adjusted p (BH)");
    await expect(settings.getByLabel("Benjamini–Hochberg")).toBeChecked();

    // Stored with the experiment: a fresh load shows it too.
    await page.reload();
    await expect(page.getByTestId("results-view")).toHaveAttribute("data-correction", "bh", { timeout: 30_000 });
    await expect(page.getByTestId("analysis-settings").getByLabel("Benjamini–Hochberg")).toBeChecked();
    expect(errors).toEqual([]);
  });
});
