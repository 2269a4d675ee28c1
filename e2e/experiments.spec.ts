import { expect, test, type Page } from "@playwright/test";
import type { AssignmentsResponse, ExperimentDetailDto } from "../lib/api/experiments";
import { asRole, csrfHeader, e2eEmail, e2eTokens } from "./auth";
import { createExperiment, definition, editorApi, uniqueKey } from "./experiments-api";

const headerStatus = (page: Page) => page.getByRole("heading", { level: 1 }).getByTestId("status-badge");

test.describe("experiments, as an editor", () => {
  test.use(asRole("editor"));

  test("[EXPERIMENTS] an editor creates an experiment in the form (fixing an inline error first), starts it, and edits a weight", async ({ page }) => {
    const key = uniqueKey("e2e-form");
    await page.goto("/experiments");
    await page.getByTestId("new-experiment").click();
    await expect(page).toHaveURL(/\/experiments\/new$/);

    await page.getByLabel("Key", { exact: true }).fill(key);
    await page.getByLabel("Name", { exact: true }).fill("Home rows ranked by predicted watch time");
    await page.getByLabel("Hypothesis").fill("Ranking home rows by predicted watch time raises watch time per user.");
    await expect(page.getByLabel("Owner")).toHaveValue(e2eEmail("editor"));
    // The mistake: the second variant gets the control's key.
    await page.getByLabel("Variant 2 key").fill("control");
    await page.getByLabel("Variant 2 name").fill("Predicted watch time");
    await page.getByLabel("Variant 2 weight").fill("3");
    await expect(page.getByTestId("variant-share").nth(1)).toHaveText(/75%/);
    await page.getByRole("button", { name: "Add rule" }).click();
    await page.getByLabel("Rule 1 values, separated by commas").fill("GB, DE");
    await page.getByLabel("Traffic allocation", { exact: true }).fill("80");
    await page.getByRole("group", { name: "Secondary metrics" }).getByLabel(/^Sessions/).check();
    await page.getByRole("group", { name: "Guardrail metrics" }).getByLabel(/^Dislikes/).check();
    await page.getByRole("button", { name: "Create draft" }).click();

    // The same zod schema as the API, on the client: the issue is named next to its field.
    const summary = page.getByTestId("form-error-summary");
    await expect(summary).toBeVisible();
    await expect(summary).toBeFocused();
    await expect(summary).toContainText('Variant 2 key: duplicate variant key "control"');
    const secondKey = page.getByLabel("Variant 2 key");
    await expect(secondKey).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByTestId("variant-row").nth(1).getByTestId("field-error")).toHaveText(/duplicate variant key "control"/);
    await expect(page).toHaveURL(/\/experiments\/new$/);
    await page.screenshot({ path: "e2e/screenshots/experiment-form-errors.png", fullPage: true });

    await secondKey.fill("ranked");
    await expect(summary).toBeHidden();
    await expect(secondKey).not.toHaveAttribute("aria-invalid", "true");
    await page.getByRole("button", { name: "Create draft" }).click();

    await expect(page).toHaveURL(new RegExp(`/experiments/${key}$`));
    await expect(headerStatus(page)).toHaveAttribute("data-status", "draft");
    await expect(page.getByTestId("setup-summary")).toContainText("Country is one of GB, DE");
    await expect(page.getByTestId("setup-summary")).toContainText("80%");

    await page.getByRole("button", { name: "Start", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: /^Start/ });
    await expect(dialog).toBeVisible();
    await dialog.getByRole("button", { name: "Start experiment" }).click();
    await expect(dialog).toBeHidden();
    await expect(headerStatus(page)).toHaveAttribute("data-status", "running");
    await expect(headerStatus(page)).toHaveText("Running");
    await expect(page.getByTestId("audit-log").locator("tbody tr").first()).toHaveAttribute("data-action", "start");

    // Once started, keys are locked; weights still change, and the audit log says what changed.
    await page.getByTestId("edit-experiment").click();
    await expect(page).toHaveURL(new RegExp(`/experiments/${key}/edit$`));
    await expect(page.getByTestId("locked-note").first()).toBeVisible();
    await expect(page.getByLabel("Variant 2 key")).toBeDisabled();
    await expect(page.getByLabel("Key", { exact: true })).toBeDisabled();
    await page.screenshot({ path: "e2e/screenshots/experiment-edit-locked.png", fullPage: true });
    await page.getByLabel("Variant 2 weight").fill("1");
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page).toHaveURL(new RegExp(`/experiments/${key}$`));
    const newest = page.getByTestId("audit-log").locator("tbody tr").first();
    await expect(newest).toHaveAttribute("data-action", "update");
    await expect(newest).toContainText("Variant ranked weight");
    await expect(newest).toContainText("3");
    await expect(newest).toContainText("1");
    await expect(headerStatus(page)).toHaveAttribute("data-status", "running");
  });

  test("[EXPERIMENTS] saving over someone else's change shows a conflict in words, and reload brings their version", async ({ page, request }) => {
    const key = uniqueKey("e2e-conflict");
    await createExperiment(request, definition(key));
    await page.goto(`/experiments/${key}/edit`);
    await expect(page.getByLabel("Name", { exact: true })).toHaveValue(`E2E ${key}`);

    // Someone else saves first (version 1 → 2).
    const other = await request.patch(`/api/experiments/${key}`, { headers: csrfHeader("editor"), data: { version: 1, experiment: definition(key, { name: "Renamed elsewhere" }) } });
    expect(other.status()).toBe(200);

    await page.getByLabel("Name", { exact: true }).fill("My rename");
    await page.getByRole("button", { name: "Save changes" }).click();
    const conflict = page.getByTestId("edit-conflict");
    await expect(conflict).toContainText("Someone else changed this experiment");
    await expect(conflict).toContainText("version 2");
    await conflict.getByRole("button", { name: /Reload/ }).click();
    await expect(page.getByLabel("Name", { exact: true })).toHaveValue("Renamed elsewhere");
    await expect(conflict).toBeHidden();
  });

  test("[LIFECYCLE] stopping asks for a decision, and the page shows it once stopped", async ({ page, request }) => {
    const key = uniqueKey("e2e-stop");
    await createExperiment(request, definition(key), { start: true });
    await page.goto(`/experiments/${key}`);
    await expect(headerStatus(page)).toHaveAttribute("data-status", "running");

    await page.getByRole("button", { name: "Stop", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: /^Stop/ });
    await dialog.getByRole("button", { name: "Stop and record the decision" }).click();
    await expect(dialog).toContainText("Choose a decision");
    await dialog.getByLabel(/^Ship a variant/).check();
    await dialog.getByLabel("Variant to ship").selectOption("ranked");
    await dialog.getByLabel(/^Note/).fill("Watch time +4%, guardrails flat.");
    await page.screenshot({ path: "e2e/screenshots/experiment-stop-dialog.png" });
    await dialog.getByRole("button", { name: "Stop and record the decision" }).click();
    await expect(dialog).toBeHidden();

    await expect(headerStatus(page)).toHaveAttribute("data-status", "stopped");
    const decision = page.getByTestId("decision");
    await expect(decision).toContainText("Ship a variant");
    await expect(decision).toContainText("ranked");
    await expect(decision).toContainText("Watch time +4%, guardrails flat.");
    // Stopped is final: no edit, and only archiving is left.
    await expect(page.getByTestId("edit-experiment")).toHaveCount(0);
    await expect(page.getByRole("group", { name: "Lifecycle" }).getByRole("button")).toHaveText(["Archive"]);
  });
});

test.describe("experiments, as a viewer", () => {
  test.use(asRole("viewer"));

  test("[ROLES] a viewer reads an experiment without edit or lifecycle buttons, and the API refuses their changes with 403", async ({ page, request, playwright, baseURL }) => {
    const key = uniqueKey("e2e-viewer");
    const editor = await editorApi(playwright, baseURL);
    const input = definition(key);
    await createExperiment(editor, input);

    await page.goto("/experiments");
    await expect(page.locator(`tr[data-experiment-key="${key}"]`)).toBeVisible();
    await expect(page.getByTestId("account-role")).toContainText("viewer");
    await expect(page.getByTestId("new-experiment")).toHaveCount(0);

    await page.goto(`/experiments/${key}`);
    await expect(page.getByRole("heading", { level: 1 })).toContainText(`E2E ${key}`);
    await expect(page.getByTestId("audit-log")).toBeVisible();
    await expect(page.getByTestId("edit-experiment")).toHaveCount(0);
    await expect(page.getByRole("group", { name: "Lifecycle" })).toHaveCount(0);
    for (const label of ["Start", "Pause", "Resume", "Stop", "Archive"]) {
      await expect(page.getByRole("button", { name: label, exact: true })).toHaveCount(0);
    }

    // The viewer's own cookies and a valid CSRF token: refused for the role, not for the token.
    const patch = await request.patch(`/api/experiments/${key}`, { headers: csrfHeader("viewer"), data: { version: 1, experiment: { ...input, name: "Viewer was here" } } });
    expect(patch.status()).toBe(403);
    expect((await patch.json()).error).toMatch(/not allowed/);
    const start = await request.post(`/api/experiments/${key}/transitions`, { headers: csrfHeader("viewer"), data: { action: "start", version: 1 } });
    expect(start.status()).toBe(403);
    expect((await start.json()).error).toMatch(/not allowed/);

    const after = (await (await request.get(`/api/experiments/${key}`)).json()) as ExperimentDetailDto;
    expect(after).toMatchObject({ status: "draft", name: `E2E ${key}`, version: 1 });
    await editor.dispose();
  });
});

test.describe("assignments", () => {
  test.use(asRole("editor"));

  test("[ASSIGN] users assigned through the service API show in the list's counts without reload; a user keeps their variant", async ({ page, request, playwright, baseURL }) => {
    const key = uniqueKey("e2e-assign");
    await createExperiment(
      request,
      definition(key, {
        name: "Continue-watching row first",
        targeting: [{ attribute: "country", op: "in", value: ["GB", "DE", "FR"] }],
        trafficPercent: 100,
        secondaryMetrics: ["sessions", "d1_retention"],
        guardrailMetrics: ["dislikes"],
      }),
      { start: true },
    );

    await page.goto("/experiments");
    const row = page.locator(`tr[data-experiment-key="${key}"]`);
    await expect(row.getByTestId("assigned-total")).toHaveAttribute("data-value", "0");
    await expect(row.getByTestId("status-badge")).toHaveText("Running");

    // The recommendation service: a bearer token, no cookies.
    const service = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${e2eTokens().service}` } });
    const assign = async (userId: string) => {
      const res = await service.post("/api/assignments", { data: { userId, attributes: { country: "GB", device: "tv" } } });
      expect(res.status(), await res.text()).toBe(200);
      const body = (await res.json()) as AssignmentsResponse;
      const mine = body.assignments.find((a) => a.experimentKey === key);
      expect(mine, `user ${userId} should be in ${key}`).toBeDefined();
      return mine!;
    };
    const first = new Map<string, string>();
    for (let i = 0; i < 30; i++) {
      const a = await assign(`u_e2e_assign_${key}_${i}`);
      expect(a.firstExposure).toBe(true);
      first.set(`u_e2e_assign_${key}_${i}`, a.variantKey);
    }
    // Sticky: asking again gives the same variant, and it is not a first exposure.
    for (const userId of [...first.keys()].slice(0, 3)) {
      const again = await assign(userId);
      expect(again.variantKey).toBe(first.get(userId));
      expect(again.firstExposure).toBe(false);
    }
    expect(new Set(first.values())).toEqual(new Set(["control", "ranked"]));

    // The list, never reloaded, catches up on its own refresh.
    await expect(row.getByTestId("assigned-total")).toHaveAttribute("data-value", "30", { timeout: 15_000 });
    await expect(row.getByTestId("health-badge")).toHaveAttribute("data-health", "ok");
    await page.screenshot({ path: "e2e/screenshots/experiments-list.png", fullPage: true });

    await row.getByRole("link", { name: "Continue-watching row first" }).click();
    await expect(page).toHaveURL(new RegExp(`/experiments/${key}$`));
    const perVariant = page.getByTestId("variants-summary").getByTestId("variant-assigned");
    await expect(perVariant).toHaveCount(2);
    const counts = await perVariant.evaluateAll((cells) => cells.map((c) => Number(c.getAttribute("data-value"))));
    expect(counts.reduce((s, n) => s + n, 0)).toBe(30);
    expect(counts).toEqual(["control", "ranked"].map((v) => [...first.values()].filter((x) => x === v).length));
    // The results on the same page count the same users, per variant, once the snapshot catches up
    // (the refresher recomputes at most every 15 s; the page refetches every 10 s).
    const results = page.getByTestId("experiment-results");
    for (const [i, variant] of ["control", "ranked"].entries()) {
      await expect(results.getByTestId("results-health").locator(`li[data-variant-key="${variant}"] .num`)).toHaveText(String(counts[i]), { timeout: 60_000 });
    }
    await expect(results.getByTestId("too-few-users")).toBeVisible(); // 30 users, fewer than 100 per variant
    await page.screenshot({ path: "e2e/screenshots/experiment-detail.png", fullPage: true });
    await service.dispose();
  });
});
