import { readFileSync } from "node:fs";
import { expect, test, type Response } from "@playwright/test";
import { E2E } from "./support/constants";
import { demoSignIn } from "./support/session";

/** Every e-mail address of the seeded demo people and of the test directory (read from their sources). */
function knownEmails(): string[] {
  const text = ["lib/demo/people.ts", "e2e/support/oidc-provider.ts"].map((f) => readFileSync(f, "utf8")).join("\n");
  return [...new Set(text.match(/[a-z0-9._-]+@example\.com/g) ?? [])];
}

const MEMBER = "maya.member@example.com";

test("a member's reviews page holds no other person's e-mail, and the reviewer search answers them nothing", async ({ page }) => {
  await demoSignIn(page, MEMBER); // the sign-in page lists the demo people: recording starts after it
  const others = knownEmails().filter((e) => e !== MEMBER);
  expect(others.length).toBeGreaterThan(5);

  const bodies: Promise<{ url: string; body: string }>[] = [];
  const record = (r: Response) => {
    if (!r.url().startsWith(E2E.portalUrl)) return;
    bodies.push(r.body().then((b) => ({ url: r.url(), body: b.toString("utf8") }), () => ({ url: r.url(), body: "" })));
  };
  page.on("response", record);

  await page.goto("/reviews");
  await expect(page.getByRole("heading", { level: 1, name: "My reviews" })).toBeVisible();
  // A plain member has nobody to pick: no picker, and the search API answers an empty list.
  await expect(page.getByTestId("delegation-unavailable")).toBeVisible();
  const answer = await page.evaluate(async () => {
    const res = await fetch("/api/reviews/candidates?q=a", { headers: { accept: "application/json" } });
    return { status: res.status, body: (await res.json()) as unknown };
  });
  expect(answer).toEqual({ status: 200, body: { candidates: [] } });
  await page.waitForLoadState("networkidle");
  page.off("response", record);

  const recorded = await Promise.all(bodies);
  expect(recorded.length).toBeGreaterThan(1);
  for (const { url, body } of recorded) {
    for (const email of others) expect(body.includes(email), `${email} in ${url}`).toBe(false);
  }
});
