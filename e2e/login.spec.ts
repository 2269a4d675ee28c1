import { expect, test } from "@playwright/test";
import { E2E_PASSWORD, e2eEmail } from "./auth";

// No storage state: every test here starts signed out.

test.describe("sign-in", () => {
  test("[AUTH] a signed-out visit to /experiments goes to the sign-in page; a wrong password is refused in words, the right one lands on the page asked for", async ({ page }) => {
    await page.goto("/experiments?status=running");
    await expect(page).toHaveURL(/\/login\?next=%2Fexperiments%3Fstatus%3Drunning$/);
    await expect(page).toHaveTitle(/^Sign in/);
    await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
    await expect(page.getByTestId("first-start-hint")).toContainText("npm run admin -- create-user");
    // No navigation on the sign-in page.
    await expect(page.getByRole("navigation", { name: "Sections" })).toHaveCount(0);

    await page.getByLabel("Email").fill(e2eEmail("viewer"));
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("login-error")).toHaveText(/Wrong email or password/);
    await expect(page.getByLabel("Password")).toHaveAttribute("aria-invalid", "true");
    await expect(page).toHaveURL(/\/login\?/);
    await page.screenshot({ path: "e2e/screenshots/login.png", fullPage: true });

    await page.getByLabel("Password").fill(E2E_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/experiments\?status=running$/);
    await expect(page.getByRole("heading", { level: 1, name: "Experiments" })).toBeVisible();
    await expect(page.getByTestId("filter-running")).toHaveAttribute("aria-current", "page");
    await expect(page.getByTestId("account-menu")).toContainText(e2eEmail("viewer"));
    await expect(page.getByTestId("account-role")).toContainText("viewer");
  });

  test("[AUTH] a `next` pointing at another site is ignored: signing in lands on the overview", async ({ page, baseURL }) => {
    await page.goto("/login?next=//evil.example/steal");
    await page.getByLabel("Email").fill(e2eEmail("editor"));
    await page.getByLabel("Password").fill(E2E_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(`${baseURL}/`);
    await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  });

  test("[AUTH] after repeated failures the page says sign-in is paused and for how long (429)", async ({ page, request }) => {
    // An address of its own, so this test's failures do not count against the other tests' sign-ins.
    const email = `nobody-${Date.now().toString(36)}@e2e.test`;
    for (let i = 0; i < 10; i++) {
      const res = await request.post("/api/auth/login", { data: { email, password: "guess" }, headers: { "x-forwarded-for": "203.0.113.7" } });
      expect(res.status()).toBe(401);
    }
    await page.goto("/login");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("guess");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("login-error")).toHaveText(/Too many failed sign-ins\. Wait \d+ minutes?, then try again/);
  });

  test("[AUTH] the API answers 401 without a session", async ({ request }) => {
    const res = await request.get("/api/experiments");
    expect(res.status()).toBe(401);
  });
});
