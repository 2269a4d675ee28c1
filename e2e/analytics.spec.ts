import { expect, test, type APIRequestContext } from "@playwright/test";
import type { UserDailyResponse } from "../lib/api/types";
import type { ExperimentDetailDto } from "../lib/api/experiments";
import { asRole, csrfHeader, e2eEmail, e2eTokens, storageStateFor } from "./auth";

/** A simulated user (u_000001 …) with watching in the last four weeks: not every one of them watches. */
async function activeSimulatedUser(request: APIRequestContext): Promise<string> {
  for (let i = 1; i <= 200; i++) {
    const id = `u_${String(i).padStart(6, "0")}`;
    const res = await request.get(`/api/users/${id}/daily`);
    expect(res.status()).toBe(200);
    if (((await res.json()) as UserDailyResponse).days.length > 0) return id;
  }
  throw new Error("none of the first 200 simulated users watched anything");
}

test.describe("analytics", () => {
  test.use(asRole("viewer"));

  test("[TITLES] top titles with the genre chart; a title opens its page with the daily curve, keeping the range", async ({ page }) => {
    await page.goto("/titles");
    const table = page.getByTestId("top-titles-table");
    await expect(table.locator("tbody tr")).not.toHaveCount(0);
    await expect(page.getByTestId("genre-chart").locator(".recharts-bar-rectangle").first()).toBeVisible();
    await expect(page.getByTestId("genre-table").locator("tbody tr")).not.toHaveCount(0);
    const range = new URL(page.url()).searchParams;
    await page.screenshot({ path: "e2e/screenshots/titles.png", fullPage: true });

    const first = table.locator("tbody tr").first();
    const name = (await first.locator("th a").innerText()).trim();
    const titleId = await first.getAttribute("data-title-id");
    await first.locator("th a").click();
    await expect(page).toHaveURL(new RegExp(`/titles/${titleId}\\?`));
    await expect(page.getByTestId("title-name")).toHaveText(name);
    const curve = page.getByTestId("title-curve");
    await expect(curve.locator(".recharts-bar-rectangle").first()).toBeVisible();
    await expect(curve.locator(".recharts-line-curve")).toHaveCount(2);
    // The title's own numbers for the range: it is a top title, so it has views and viewers.
    await expect(page.getByTestId("title-views").locator("[data-value]")).not.toHaveAttribute("data-value", "0");
    await expect(page.getByTestId("title-viewers").locator("[data-value]")).not.toHaveAttribute("data-value", "0");
    if (range.get("from")) expect(new URL(page.url()).searchParams.get("from")).toBe(range.get("from"));
    await page.screenshot({ path: "e2e/screenshots/title-page.png", fullPage: true });
  });

  test("[TITLES] an unknown title says so in words", async ({ page, request }) => {
    expect((await request.get("/api/titles/t_no_such_title")).status()).toBe(404);
    await page.goto("/titles/t_no_such_title");
    await expect(page.getByTestId("data-error")).toContainText("not in the catalog and was never watched");
  });

  test("[RETENTION] the cohort heatmap renders; the weekly toggle puts grain=week in the URL and shows week columns", async ({ page }) => {
    await page.goto("/retention");
    const heatmap = page.getByTestId("retention-heatmap");
    await expect(heatmap.locator("tbody tr").first()).toBeVisible();
    // D0 is the whole cohort.
    await expect(heatmap.locator("tbody tr").first().locator('td[data-day="0"]')).toHaveText("100%");
    await expect(page.getByTestId("retention-curve")).toBeVisible();
    await page.screenshot({ path: "e2e/screenshots/retention.png", fullPage: true });

    await page.getByTestId("grain-week").click();
    await expect(page).toHaveURL(/[?&]grain=week/);
    await expect(heatmap.locator("thead")).toContainText("W0");
    await expect(heatmap.locator("tbody tr").first().locator('td[data-day="0"]')).toHaveText("100%");
    // Shareable: a reload keeps the weekly view.
    await page.reload();
    await expect(page.getByTestId("grain-week")).toHaveAttribute("aria-pressed", "true");
    await page.screenshot({ path: "e2e/screenshots/retention-weekly.png", fullPage: true });
  });

  test("[RETENTION][USERS] split by an experiment's variants; a simulated user's page shows their daily chart and assignment", async ({ page, request, playwright, baseURL }) => {
    const user = await activeSimulatedUser(request);

    // The scene: an experiment only this test's calls qualify for, and assignments of simulated users.
    const key = `e2e-analytics-${Date.now().toString(36)}`;
    const editor = await playwright.request.newContext({ baseURL, storageState: storageStateFor("editor") });
    const created = await editor.post("/api/experiments", {
      headers: csrfHeader("editor"),
      data: {
        key,
        name: "Analytics e2e split",
        owner: e2eEmail("editor"),
        variants: [
          { key: "control", name: "Control", weight: 1, isControl: true },
          { key: "variant-b", name: "Variant B", weight: 1 },
        ],
        trafficPercent: 100,
        targeting: [{ attribute: "plan", op: "equals", value: "e2e-analytics" }],
        primaryMetric: "watch_time",
      },
    });
    expect(created.status(), await created.text()).toBe(201);
    const started = await editor.post(`/api/experiments/${key}/transitions`, {
      headers: csrfHeader("editor"),
      data: { action: "start", version: ((await created.json()) as ExperimentDetailDto).version },
    });
    expect(started.status(), await started.text()).toBe(200);
    const service = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${e2eTokens().service}` } });
    const users = [user, ...Array.from({ length: 60 }, (_, i) => `u_${String(i + 1).padStart(6, "0")}`).filter((u) => u !== user)];
    for (const userId of users) {
      const res = await service.post("/api/assignments", { data: { userId, attributes: { plan: "e2e-analytics" } } });
      expect(res.status(), await res.text()).toBe(200);
    }

    await page.goto(`/retention?experiment=${key}`);
    const byVariant = page.getByTestId("retention-key-periods");
    await expect(byVariant.locator("tbody tr")).toHaveCount(2);
    await expect(byVariant.locator("tbody tr").nth(0)).toContainText("Control (control)");
    await expect(byVariant.locator("tbody tr").nth(1)).toContainText("Variant B");
    await expect(page.getByTestId("experiment-select")).toHaveValue(key);
    await expect(page.getByTestId("retention-heatmap").locator("tbody tr").first()).toBeVisible();
    await page.screenshot({ path: "e2e/screenshots/retention-split.png", fullPage: true });

    // Lookup: the form on /users opens the user's page.
    await page.goto("/users");
    await page.getByLabel("User id").fill(user);
    await page.getByRole("button", { name: "Look up" }).click();
    await expect(page).toHaveURL(new RegExp(`/users/${user}$`));
    await expect(page.getByTestId("user-id")).toHaveText(user);
    await expect(page.getByTestId("user-daily-chart").locator(".recharts-bar-rectangle").first()).toBeVisible();
    await expect(page.getByTestId("user-attributes")).toContainText("First watch day");
    const assignment = page.getByTestId("user-assignments").locator(`tr[data-experiment="${key}"]`);
    await expect(assignment).toContainText("Running");
    await expect(assignment).toContainText("Eligible: Plan is e2e-analytics");
    await expect(page.getByTestId("user-live-windows")).toBeVisible();
    await page.screenshot({ path: "e2e/screenshots/user.png", fullPage: true });

    // Someone nobody has seen: an empty state in words, not a blank page.
    await page.goto("/users/u_nobody_at_all");
    await expect(page.getByTestId("data-empty")).toContainText("never watched anything");

    await editor.post(`/api/experiments/${key}/transitions`, {
      headers: csrfHeader("editor"),
      data: { action: "stop", version: ((await started.json()) as ExperimentDetailDto).version, decision: "inconclusive" },
    });
    await Promise.all([editor.dispose(), service.dispose()]);
  });
});
