import { expect, request as playwrightRequest, test, type APIRequestContext, type Page } from "@playwright/test";
import { E2E_PORT, e2eTokens, secretFrom } from "./auth";
import { createExperiment, definition, editorApi } from "./experiments-api";
import { startProductServer } from "./product-server";


/**
 * The wall: a TV with a read-only token and no session. Every test here runs without cookies
 * (Playwright's default context), as the TV would.
 */

/** Posts watch events for one title through the collector, as the recommendation service does. */
async function postWatches(request: APIRequestContext, titleId: string, viewers: number, at: number, seconds = 7_200, token = e2eTokens().service): Promise<void> {
  const res = await request.post("/api/events", {
    headers: { authorization: `Bearer ${token}` },
    data: Array.from({ length: viewers }, (_, i) => ({
      event_id: `${titleId}_${i}`,
      user_id: `u_wall_${titleId}_${i}`,
      title_id: titleId,
      event_type: "watch",
      event_time: new Date(at).toISOString(),
      watch_duration: seconds,
      device: "tv",
      country: "GB",
    })),
  });
  expect(res.status(), await res.text()).toBe(202);
}

const connection = (page: Page) => page.getByTestId("wall-connection");
const topRow = (page: Page, titleId: string) => page.getByTestId("wall-top-titles").locator(`[data-title-id="${titleId}"]`);

test.describe("wall screen", () => {
  test("[LIVE] wall screen shows events produced after it opened, every panel filled, first frame fast", async ({ page, request, playwright, baseURL }) => {
    // Scene: one running experiment with a few assigned users, for the experiments panel.
    const key = `e2e-wall-${Date.now().toString(36)}`;
    const editor = await editorApi(playwright, baseURL);
    await createExperiment(
      editor,
      definition(key, {
        name: "Wall: artwork with faces",
        hypothesis: "Faces on artwork raise click-through.",
        variants: [
          { key: "control", name: "Current artwork", weight: 1, isControl: true },
          { key: "faces", name: "Faces", weight: 1, isControl: false },
        ],
        secondaryMetrics: [],
        guardrailMetrics: [],
      }),
      { start: true },
    );
    await editor.dispose();
    for (let i = 0; i < 6; i++) {
      const res = await request.post("/api/assignments", {
        headers: { authorization: `Bearer ${e2eTokens().service}` },
        data: { userId: `u_wall_assign_${key}_${i}`, attributes: { country: "GB", device: "tv" } },
      });
      expect(res.status(), await res.text()).toBe(200);
    }

    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.goto(`/wall?token=${e2eTokens().wall}`);
    await expect(connection(page)).toHaveAttribute("data-state", "live");
    // First figures on screen (painted with the page's own live snapshot), then the socket's first.
    const wall = page.getByTestId("wall");
    await expect(wall).toHaveAttribute("data-first-live-ms", /^\d+$/);
    const firstFrameMs = Number(await wall.getAttribute("data-first-frame-ms"));
    const firstLiveMs = Number(await wall.getAttribute("data-first-live-ms"));
    console.log(`wall: first frame ${firstFrameMs} ms, first socket snapshot rendered ${firstLiveMs} ms after navigation`);
    expect(firstFrameMs).toBeGreaterThan(0);
    expect(firstFrameMs).toBeLessThanOrEqual(1_500);

    // Every panel of the default wall, filled from socket.io alone.
    for (const panel of ["events", "viewers", "watch", "top", "genres", "retention", "pipeline", "experiments"]) {
      const locator = page.getByTestId(`wall-panel-${panel}`);
      await expect(locator).toBeVisible();
      await expect(locator).not.toContainText("Waiting for the first figures");
    }
    await expect(page.getByTestId("wall-watch-chart").locator("svg").first()).toBeVisible();
    await expect(page.getByTestId("wall-retention-d1")).toHaveText(/^\d+%$/);
    await expect(page.getByTestId("wall-pipeline-lag")).toHaveAttribute("data-value", /^\d+$/);
    const experiment = page.getByTestId("wall-experiments").locator(`[data-experiment-key="${key}"]`);
    await expect(experiment).toContainText("Wall: artwork with faces", { timeout: 40_000 });
    await expect(experiment.locator('[data-variant-key="control"]')).toContainText("Current artwork");
    await expect(experiment.locator('[data-variant-key="control"] [data-testid="wall-variant-users"]')).toHaveText(/^\d/);

    // The acting side: a title nobody has watched, eight viewers for two hours each, a minute ago
    // (more than any other spec posts for one title, so it tops the list whatever ran before).
    const titleId = `t_wall_${Date.now().toString(36)}`;
    await postWatches(request, titleId, 8, Date.now() - 60_000);
    // The viewing side, never reloaded: the title tops the list, marked new (not watched 5 min ago).
    const row = topRow(page, titleId);
    await expect(row).toBeVisible();
    await expect(row).toHaveAttribute("data-movement", "new");
    await expect(page.getByTestId("wall-top-titles").locator("[data-title-id]").first()).toHaveAttribute("data-title-id", titleId);
    await expect(page.getByTestId("wall-genres")).toContainText("Not in catalog");

    await page.screenshot({ path: "e2e/screenshots/wall-1080p.png" });
    await page.setViewportSize({ width: 3840, height: 2160 });
    await expect(row).toBeVisible();
    await page.waitForTimeout(1_500); // charts re-measure their containers
    await page.screenshot({ path: "e2e/screenshots/wall-4k.png" });
  });

  test("[LIVE] after a network drop the wall shows 'stale since', then comes back live and catches up, without reload", async ({ page, request }) => {
    await page.goto(`/wall?token=${e2eTokens().wall}&panels=events,viewers,top`);
    await expect(connection(page)).toHaveAttribute("data-state", "live");
    await page.evaluate(() => ((window as unknown as { wallSession: string }).wallSession = "still-the-same-page"));

    await page.context().setOffline(true);
    await expect(connection(page)).not.toHaveAttribute("data-state", "live");
    await expect(page.getByTestId("wall-stale")).toHaveText(/^stale since \d\d:\d\d$/);

    // Produced while the screen is cut off.
    const titleId = `t_wall_offline_${Date.now().toString(36)}`;
    await postWatches(request, titleId, 6, Date.now() - 60_000);

    await page.context().setOffline(false);
    await expect(connection(page)).toHaveAttribute("data-state", "live", { timeout: 20_000 });
    await expect(page.getByTestId("wall-stale")).toHaveCount(0);
    await expect(topRow(page, titleId)).toBeVisible();
    expect(await page.evaluate(() => (window as unknown as { wallSession?: string }).wallSession)).toBe("still-the-same-page");
  });

  test("[LIVE] the server is killed and started again: the wall shows 'stale since', then comes back live and shows new events, without reload", async ({ page }) => {
    test.setTimeout(420_000);
    // A server of this test's own (Playwright's webServer must outlive the run), on its own data.
    const server = await startProductServer(Number(E2E_PORT) + 7);
    try {
      const wallToken = secretFrom(server.admin(["create-wall-token", "--name", "restart wall"]));
      const serviceToken = secretFrom(server.admin(["create-key", "--role", "service", "--name", "restart producer"]));
      await page.goto(`${server.url}/wall?token=${wallToken}&panels=events,viewers,top`);
      await expect(connection(page)).toHaveAttribute("data-state", "live");
      await page.evaluate(() => ((window as unknown as { wallSession: string }).wallSession = "still-the-same-page"));

      await server.kill();
      await expect(connection(page)).not.toHaveAttribute("data-state", "live", { timeout: 20_000 });
      await expect(page.getByTestId("wall-stale")).toHaveText(/^stale since \d\d:\d\d$/);
      await page.screenshot({ path: "e2e/screenshots/wall-server-down.png" });

      await server.restart();
      await expect(connection(page)).toHaveAttribute("data-state", "live", { timeout: 60_000 });
      await expect(page.getByTestId("wall-stale")).toHaveCount(0);
      // Events produced after the restart reach the same page.
      const titleId = `t_wall_restart_${Date.now().toString(36)}`;
      const producer = await playwrightRequest.newContext({ baseURL: server.url, extraHTTPHeaders: { authorization: `Bearer ${serviceToken}` } });
      await postWatches(producer, titleId, 8, Date.now() - 60_000, 7_200, serviceToken);
      await producer.dispose();
      await expect(topRow(page, titleId)).toBeVisible({ timeout: 30_000 });
      expect(await page.evaluate(() => (window as unknown as { wallSession?: string }).wallSession)).toBe("still-the-same-page");
    } finally {
      await server.kill();
    }
  });

  test("[LIVE] a rotating wall shows the chosen panels screen by screen; reduced motion drops the animations", async ({ page }) => {
    await page.emulateMedia({ reducedMotion: "reduce" });
    await page.goto(`/wall?token=${e2eTokens().wall}&panels=genres,pipeline,nonsense&rotate=5`);
    await expect(connection(page)).toHaveAttribute("data-state", "live");
    await expect(page.getByTestId("wall-panel-genres")).toBeVisible();
    await expect(page.getByTestId("wall-panel-pipeline")).toHaveCount(0);
    await expect(page.getByTestId("wall-panel-pipeline")).toBeVisible({ timeout: 8_000 });
    await expect(page.getByTestId("wall-panel-genres")).toHaveCount(0);
    const animation = await page.getByTestId("wall").locator("main").evaluate((el) => getComputedStyle(el).animationName);
    expect(animation).toBe("none");
  });

  test("[AUTH] without a token, or with a wrong one, the wall says how to get one", async ({ page }) => {
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.goto("/wall");
    const message = page.getByTestId("wall-message");
    await expect(message).toHaveAttribute("data-kind", "missing");
    await expect(message).toContainText("This screen needs a wall token");
    await expect(message).toContainText("npm run admin -- create-wall-token");
    await page.screenshot({ path: "e2e/screenshots/wall-no-token.png" });

    await page.goto("/wall?token=srw_not-a-real-token");
    await expect(message).toHaveAttribute("data-kind", "refused");
    await expect(message).toContainText("create-wall-token");
  });

  test("[AUTH] a wall token reads live channels only: no mutating or read APIs, no dashboard pages", async ({ page, request }) => {
    const wall = { authorization: `Bearer ${e2eTokens().wall}` };
    const createExperiment = await request.post("/api/experiments", { headers: wall, data: { key: "wall-should-not", name: "nope" } });
    expect(createExperiment.status()).toBe(403);
    expect((await createExperiment.json()).error).toMatch(/wall token/);
    expect((await request.post("/api/events", { headers: wall, data: [] })).status()).toBe(403);
    expect((await request.get("/api/overview", { headers: wall })).status()).toBe(403);
    expect((await request.get("/api/experiments", { headers: wall })).status()).toBe(403);

    // Pages take sessions, not tokens: the dashboard sends the TV to sign in.
    await page.goto(`/experiments?token=${e2eTokens().wall}`);
    await expect(page).toHaveURL(/\/login\?next=/);
  });
});
