import { expect, test } from "@playwright/test";
import { demoSignIn, oidcSignIn } from "./support/session";

test.describe("OpenID Connect sign-in", () => {
  test("a person signs in through the OpenID provider; once an admin deactivates them they are refused on their next request", async ({ browser }) => {
    const olivia = await (await browser.newContext()).newPage();
    await oidcSignIn(olivia, "olivia.oidc@example.com");
    await expect(olivia.getByTestId("dashboard-welcome")).toBeVisible();
    await expect(olivia.getByText("Olivia Oidc").first()).toBeVisible();

    const admin = await (await browser.newContext()).newPage();
    await demoSignIn(admin, "alice.admin@example.com");
    await admin.goto("/admin/people");
    await expect(admin.getByTestId("person-row-olivia.oidc@example.com")).toBeVisible();
    await admin.screenshot({ path: "test-results/screens/people.png", fullPage: true });
    await admin.getByTestId("deactivate-olivia.oidc@example.com").click();
    await admin.getByTestId("deactivate-reason").fill("Left the company (e2e)");
    await admin.getByTestId("deactivate-confirm").click();
    await expect(admin.getByTestId("person-status-olivia.oidc@example.com")).toHaveText(/deactivated/i);

    // Her open session stops working on the very next request.
    await olivia.reload();
    await expect(olivia).toHaveURL(/\/signin/);
    await expect(olivia.getByTestId("dashboard-welcome")).toHaveCount(0);

    // And she cannot sign in again, even with her identity-provider session still alive.
    await olivia.goto("/signin");
    await olivia.getByTestId("oidc-sign-in").click();
    await expect(olivia).toHaveURL(/\/signin\?error=/);
    await expect(olivia.getByRole("alert").filter({ hasText: "Sign-in failed" })).toContainText(/deactivated/i);

    // The audit trail recorded the sign-in, the deactivation and the refused sign-in.
    await admin.goto("/audit");
    await expect(admin.getByText("person.deactivated").first()).toBeVisible();
    await expect(admin.getByText("auth.sign_in_failed").first()).toBeVisible();
  });

  test("an unverified email is refused with a clear message", async ({ page }) => {
    await oidcSignIn(page, "ursula.unverified@example.com");
    await expect(page).toHaveURL(/\/signin/);
    await expect(page.getByRole("alert").filter({ hasText: "Sign-in failed" })).toContainText(/verif/i);
  });
});
