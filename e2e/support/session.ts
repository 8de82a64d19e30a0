import { expect, type Page } from "@playwright/test";
import { E2E } from "./constants";

/** Demo sign-in: pick a seeded person on the sign-in page. */
export async function demoSignIn(page: Page, email: string) {
  await page.goto("/signin");
  await page.getByTestId(`demo-person-${email}`).click();
  await expect(page.getByTestId("dashboard-welcome")).toBeVisible();
}

/** Sign-in through the local OpenID provider's login form, as a person would. */
export async function oidcSignIn(page: Page, email: string, password = "correct horse") {
  await page.goto("/signin");
  await page.getByTestId("oidc-sign-in").click();
  await page.waitForURL((url) => url.origin === E2E.oidcIssuer);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}
