import { expect, test } from "@playwright/test";
import { asRole, e2eTokens } from "./auth";
import { LOCAL_PARTITIONS, TOPICS } from "../lib/config/topics";

test.describe("pipeline", () => {
  test.use(asRole("viewer"));

  test("[PIPELINE] lists every watch_events partition with its lag and commits, refreshing without reload", async ({ page, request }) => {
    await page.goto("/pipeline");

    const partitions = page.getByTestId("pipeline-partitions");
    const watchRows = partitions.locator(`tbody[data-topic="${TOPICS.watch}"] tr[data-partition]`);
    await expect(watchRows).toHaveCount(LOCAL_PARTITIONS[TOPICS.watch]);
    for (const row of await watchRows.all()) {
      await expect(row.getByTestId("partition-lag")).toHaveAttribute("data-lag", /^\d+$/);
    }
    await expect(page.getByTestId("pipeline-lag-total").locator("[data-value]")).toHaveAttribute("data-value", /^\d+$/);
    // Rates need a second sample, which the page's own refresh provides.
    await expect(page.getByTestId("pipeline-out-rate").locator("[data-value]")).toHaveAttribute("data-value", /^[\d.]+$/);
    // The backfill produced only valid events, and the collector rejects invalid ones: no dead letters.
    await expect(page.getByTestId("dead-letters")).toContainText("Every message consumed so far was a valid view event");

    // The acting side: a producer posts watch events; the open page shows them committed.
    const committed = () =>
      watchRows.evaluateAll((rows) => rows.reduce((sum, r) => sum + Number(r.getAttribute("data-committed") ?? 0), 0));
    const before = await committed();
    const at = new Date(Date.now() - 60_000).toISOString();
    const res = await request.post("/api/events", {
      headers: { authorization: `Bearer ${e2eTokens().service}` },
      data: Array.from({ length: 40 }, (_, i) => ({
        event_id: `pipeline_e2e_${Date.now()}_${i}`,
        user_id: `u_pipeline_${i}`,
        title_id: "t_pipeline_e2e",
        event_type: "watch",
        event_time: at,
        watch_duration: 120,
      })),
    });
    expect(res.status()).toBe(202);
    await expect.poll(committed, { timeout: 15_000 }).toBeGreaterThanOrEqual(before + 40);

    await page.screenshot({ path: "e2e/screenshots/pipeline.png", fullPage: true });
  });
});
