import { expect, test } from "@playwright/test";
import { demoSignIn } from "./support/session";

test.describe("demo mode", () => {
  test("an anonymous visitor is sent to the sign-in page", async ({ page }) => {
    await page.goto("/");
    await expect(page).toHaveURL(/\/signin/);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await page.screenshot({ path: "test-results/screens/signin.png", fullPage: true });
  });

  test("a demo person signs in, moves around with the keyboard, and signs out", async ({ page }) => {
    await demoSignIn(page, "alice.admin@example.com");
    await page.screenshot({ path: "test-results/screens/dashboard-admin.png", fullPage: true });

    // Keyboard: the first Tab reaches the skip link, which moves focus to the content.
    await page.keyboard.press("Tab");
    const skip = page.getByRole("link", { name: /skip to content/i });
    await expect(skip).toBeFocused();

    const nav = page.getByRole("navigation").first();
    for (const name of ["My access", "Requests", "Reviews", "Audit", "People", "Connections", "Policies"]) {
      await nav.getByRole("link", { name, exact: true }).click();
      await expect(nav.getByRole("link", { name, exact: true })).toHaveAttribute("aria-current", "page");
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    }
    await page.screenshot({ path: "test-results/screens/policies.png", fullPage: true });

    await page.getByRole("link", { name: "Audit", exact: true }).click();
    await expect(page.getByText("auth.sign_in").first()).toBeVisible();
    await page.screenshot({ path: "test-results/screens/audit.png", fullPage: true });

    await page.getByRole("button", { name: /sign out/i }).click();
    await expect(page).toHaveURL(/\/signin/);
    await page.goto("/");
    await expect(page).toHaveURL(/\/signin/);
  });

  test("on a narrow screen the navigation opens from a menu button", async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 800 });
    await demoSignIn(page, "avery.auditor@example.com");
    const menu = page.getByRole("button", { name: /menu/i });
    await expect(menu).toHaveAttribute("aria-expanded", "false");
    await menu.click();
    await expect(menu).toHaveAttribute("aria-expanded", "true");
    await page.screenshot({ path: "test-results/screens/narrow-menu.png" });
    await page.getByRole("link", { name: "Audit", exact: true }).click();
    await expect(page).toHaveURL(/\/audit/);
  });

  test("a member is refused admin pages on the server, not only in the menu", async ({ page }) => {
    await demoSignIn(page, "maya.member@example.com");
    await expect(page.getByRole("link", { name: "People", exact: true })).toHaveCount(0);
    await page.goto("/admin/people");
    await expect(page.getByText(/don.t have access/i)).toBeVisible();
    await expect(page.getByText("alice.admin@example.com")).toHaveCount(0);
    const exportRes = await page.request.post("/audit/export", { form: {} });
    expect(exportRes.status()).toBe(403);
  });
});
