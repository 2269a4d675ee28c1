import { expect, test } from "@playwright/test";
import { asRole, e2eTokens } from "./auth";

test.describe("overview", () => {
  test.use(asRole("viewer"));

  test("[LIVE] overview shows events produced after it opened, without reload", async ({ page, request }) => {
    await page.goto("/");
    await expect(page.getByTestId("connection-status")).toHaveAttribute("data-state", "live");
    await expect(page.getByTestId("watch-chart").locator("svg").first()).toBeVisible();

    // The "acting" side: a producer posts watch events for a title nobody has seen, one minute
    // ago so they land in the last complete minute that the watch-minutes tile shows.
    const titleId = `t_e2e_${Date.now().toString(36)}`;
    const at = new Date(Date.now() - 60_000).toISOString();
    const viewers = ["u_e2e_1", "u_e2e_2", "u_e2e_3", "u_e2e_4", "u_e2e_5"];
    const tileBefore = await page.getByTestId("tile-watch-minutes").innerText();
    const res = await request.post("/api/events", {
      headers: { authorization: `Bearer ${e2eTokens().service}` },
      data: viewers.map((user, i) => ({
        event_id: `${titleId}_${i}`,
        user_id: user,
        title_id: titleId,
        event_type: "watch",
        event_time: at,
        watch_duration: 7200,
        device: "tv",
        country: "GB",
      })),
    });
    expect(res.status()).toBe(202);
    expect(await res.json()).toEqual({ accepted: viewers.length });

    // The "viewing" side: the same page, never reloaded, shows the title at the top of the list.
    const row = page.getByTestId("top-titles").locator(`[data-title-id="${titleId}"]`);
    await expect(row).toBeVisible();
    await expect(row).toContainText("600"); // 5 viewers × 2 h = 600 watch minutes
    await expect(page.getByTestId("top-titles").locator("[data-title-id]").first()).toHaveAttribute("data-title-id", titleId);
    await expect(page.getByTestId("tile-watch-minutes")).not.toHaveText(tileBefore);
    await page.screenshot({ path: "e2e/screenshots/overview.png", fullPage: true });
  });

  test("[API] the collector rejects a malformed batch with a 400 and a message", async ({ request }) => {
    const res = await request.post("/api/events", {
      headers: { authorization: `Bearer ${e2eTokens().service}` },
      data: [{ event_id: "x", user_id: "u1", event_type: "teleport" }],
    });
    expect(res.status()).toBe(400);
    const body = await res.json();
    expect(body.error).toMatch(/invalid event/);
    expect(body.problems[0].index).toBe(0);
  });
});
