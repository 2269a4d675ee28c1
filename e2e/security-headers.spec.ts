import { expect, test } from "@playwright/test";
import { asRole, e2eTokens } from "./auth";
import { createExperiment, definition, editorApi } from "./experiments-api";

/**
 * Security headers as a browser receives them. Every other spec runs under the same policy, so a
 * CSP that broke hydration, charts or the live socket would fail them too.
 */
test.describe("security headers", () => {
  test.use(asRole("viewer"));

  test("[SECURITY] pages, Next API routes and the assignment fast path send CSP, nosniff, no framing and no referrer", async ({ page, request }) => {
    const response = await page.goto("/");
    const headers = response!.headers();
    const csp = headers["content-security-policy"] ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain("unsafe-eval"); // production build
    expect(headers).toMatchObject({ "x-content-type-options": "nosniff", "x-frame-options": "DENY", "referrer-policy": "no-referrer" });
    // The page still works under it: live over socket.io, charts drawn.
    await expect(page.getByTestId("connection-status")).toHaveAttribute("data-state", "live");
    await expect(page.getByTestId("watch-chart").locator("svg").first()).toBeVisible();

    // No page trips its own policy.
    const violations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(`${page.url()}: ${m.text()}`);
    });
    for (const path of ["/experiments", "/titles", "/retention", "/pipeline", "/users/u_000001", `/wall?token=${e2eTokens().wall}`]) {
      await page.goto(path);
      await page.waitForLoadState("networkidle");
    }
    expect(violations).toEqual([]);

    const wall = await request.get(`/wall?token=${e2eTokens().wall}`);
    expect(wall.headers()["referrer-policy"]).toBe("no-referrer"); // its URL carries the token

    const api = await request.get("/api/overview");
    expect(api.headers()["x-content-type-options"]).toBe("nosniff");
    const fast = await request.post("/api/assignments", { headers: { authorization: `Bearer ${e2eTokens().service}` }, data: { userId: "u_headers" } });
    expect(fast.status()).toBe(200);
    expect(fast.headers()["x-content-type-options"]).toBe("nosniff");
  });

  test("[SECURITY] a page framed by another site is refused", async ({ page }) => {
    const blocked: string[] = [];
    page.on("console", (m) => {
      if (/frame-ancestors|Refused to (display|frame)/i.test(m.text())) blocked.push(m.text());
    });
    await page.setContent(`<iframe id="f" src="${test.info().project.use.baseURL}/experiments"></iframe>`);
    await expect.poll(() => blocked.length, { timeout: 10_000 }).toBeGreaterThan(0);
  });

  test("[SECURITY] an experiment named with markup shows the markup as text, on its page, in the list and on the wall", async ({ page, playwright, baseURL }) => {
    const key = `e2e-markup-${Date.now().toString(36)}`;
    const name = `<img src=x onerror="window.__pwned=1"><b>bold</b>`;
    const editor = await editorApi(playwright, baseURL);
    await createExperiment(
      editor,
      definition(key, {
        name,
        hypothesis: `<script>window.__pwned=1</script>`,
        variants: [
          { key: "control", name: "<i>control</i>", weight: 1, isControl: true },
          { key: "treatment", name: "<u>treatment</u>", weight: 1, isControl: false },
        ],
        secondaryMetrics: [],
        guardrailMetrics: [],
      }),
      { start: true },
    );
    await editor.dispose();

    await page.goto(`/experiments/${key}`);
    await expect(page.getByRole("heading", { level: 1 })).toContainText(name);
    await expect(page.getByText("<script>window.__pwned=1</script>")).toBeVisible();
    await page.goto("/experiments");
    await expect(page.locator(`tr[data-experiment-key="${key}"]`)).toContainText(name);
    await page.goto(`/wall?token=${e2eTokens().wall}&panels=experiments`);
    await expect(page.getByTestId("wall-experiments").locator(`[data-experiment-key="${key}"]`)).toContainText(name, { timeout: 40_000 });
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
  });
});
