import { expect, test, type APIRequestContext } from "@playwright/test";
import pg from "pg";
import { asRole, e2eDatabaseUrl, e2eTokens } from "./auth";
import type { PipelineResponse } from "../lib/api/pipeline";
import { LOCAL_PARTITIONS, TOPICS } from "../lib/config/topics";

/** Posts `n` watch events through the collector as the recommendation service would. */
async function postWatchEvents(request: APIRequestContext, n: number) {
  const at = new Date(Date.now() - 60_000).toISOString();
  const stamp = Date.now();
  const res = await request.post("/api/events", {
    headers: { authorization: `Bearer ${e2eTokens().service}` },
    data: Array.from({ length: n }, (_, i) => ({
      event_id: `pipeline_e2e_${stamp}_${i}`,
      user_id: `u_pipeline_${i}`,
      title_id: "t_pipeline_e2e",
      event_type: "watch",
      event_time: at,
      watch_duration: 120,
    })),
  });
  expect(res.status()).toBe(202);
}

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
    await postWatchEvents(request, 40);
    await expect.poll(committed, { timeout: 15_000 }).toBeGreaterThanOrEqual(before + 40);

    await page.screenshot({ path: "e2e/screenshots/pipeline.png", fullPage: true });
  });

  test("[PIPELINE] a full disk shows as an alert with the database's message (page and wall), and clears when writes succeed again, losing nothing", async ({ page, request }) => {
    const before = (await (await request.get("/api/pipeline")).json()) as PipelineResponse;
    // The error Postgres raises when it cannot extend a file, on the table every watch batch writes.
    const db = new pg.Client({ connectionString: e2eDatabaseUrl() });
    await db.connect();
    try {
      await db.query(`
        CREATE OR REPLACE FUNCTION e2e_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'could not extend file "base/16384/24576": No space left on device' USING ERRCODE = 'disk_full';
        END $$;
        CREATE TRIGGER e2e_disk_full BEFORE INSERT OR UPDATE ON user_daily_stat FOR EACH STATEMENT EXECUTE FUNCTION e2e_disk_full();`);
      await page.goto("/pipeline");
      // Events arrive (besides whatever the simulator sends): their batch fails, the processor retries and reports.
      await postWatchEvents(request, 40);
      const alert = page.getByTestId("pipeline-alert-processor-failing");
      await expect(alert).toBeVisible({ timeout: 20_000 });
      await expect(alert).toContainText("The stream processor cannot write to Postgres");
      await expect(alert).toContainText("No space left on device (53100)");
      await page.screenshot({ path: "e2e/screenshots/pipeline-disk-full.png", fullPage: true });
      // An unattended wall says so too, on its pipeline panel (the channel refreshes every 10 s).
      const wall = await page.context().newPage();
      await wall.goto(`/wall?token=${e2eTokens().wall}&panels=pipeline`);
      await expect(wall.getByTestId("wall-pipeline-alert")).toHaveText("The stream processor cannot write to Postgres", { timeout: 25_000 });
      await wall.close();
    } finally {
      await db.query("DROP TRIGGER IF EXISTS e2e_disk_full ON user_daily_stat; DROP FUNCTION IF EXISTS e2e_disk_full()");
      await db.end();
    }
    // Space is back: the held batch commits on its next attempt (backoff ≤ 10 s) and the alert goes.
    await expect(page.getByTestId("pipeline-alert-processor-failing")).toHaveCount(0, { timeout: 25_000 });
    await expect(page.getByTestId("pipeline-lag-total")).not.toContainText("stalled");
    // Nothing was lost: the 40 held events were counted once the batch committed.
    await expect
      .poll(async () => ((await (await request.get("/api/pipeline")).json()) as PipelineResponse).counters.counted, { timeout: 15_000 })
      .toBeGreaterThanOrEqual(before.counters.counted + 40);
  });
});
