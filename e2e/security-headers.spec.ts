/**
 * Every page of the app (each app/**\/page.tsx, found on disk so a new page is covered without editing
 * this file) answers with the nonce-based Content-Security-Policy, forbids framing, and renders (charts,
 * virtualised tables, client components) without a single CSP violation. Dynamic pages get real ids: an
 * admin connects the simulator, syncs it and launches a small campaign first.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { startSimulator, type RunningSimulator } from "../simulator/index";
import { addCatalogItem } from "./support/access";
import { connectSimulator } from "./support/connections";
import { demoSignIn } from "./support/session";

const CONNECTION = "Headers e2e (simulator)";
const ADMIN = "alice.admin@example.com";

let sim: RunningSimulator;
test.beforeAll(async () => {
  sim = await startSimulator({ seed: 21, size: { users: 12, teams: 2, schedules: 1, escalationPolicies: 1 }, rateLimitPerMinute: 0 });
});
test.afterAll(async () => {
  await sim?.close();
});

/** URL patterns of every page: "app/(portal)/pagerduty/users/[pdId]/page.tsx" → "/pagerduty/users/[pdId]". */
function pageRoutes(): string[] {
  const app = path.resolve(import.meta.dirname, "../app");
  return readdirSync(app, { recursive: true, encoding: "utf8" })
    .filter((f) => path.basename(f) === "page.tsx")
    .map((f) => {
      const segments = path.dirname(f).split(path.sep).filter((s) => s !== "." && !/^\(.*\)$/.test(s));
      return `/${segments.join("/")}`;
    })
    .sort();
}

/** Records CSP violations as the browser reports them: the DOM event and the console message. */
async function watchViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error" && /content security policy/i.test(msg.text())) violations.push(`console: ${msg.text()}`);
  });
  await page.exposeBinding("__reportCspViolation", ({ frame }, detail: string) => void violations.push(`${frame.url()}: ${detail}`));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      const report = (window as unknown as { __reportCspViolation?: (d: string) => void }).__reportCspViolation;
      report?.(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  return violations;
}

/** Visits a URL, checks the document's headers, and waits until the page has rendered and hydrated. */
async function visit(page: Page, url: string, violations: string[]) {
  const before = violations.length;
  const response = await page.goto(url);
  expect(response, url).not.toBeNull();
  expect(response!.status(), `${url} status`).toBeLessThan(400);
  const headers = response!.headers();
  const csp = headers["content-security-policy"] ?? "";
  expect(csp, `${url} Content-Security-Policy`).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(csp, `${url} frame-ancestors`).toContain("frame-ancestors 'none'");
  expect(headers["x-frame-options"], `${url} X-Frame-Options`).toBe("DENY");
  expect(headers["referrer-policy"], `${url} Referrer-Policy`).toBe("same-origin");
  // Next.js put this response's nonce on its scripts (the browser hides the attribute's value from the DOM).
  const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
  expect(await response!.text(), `${url} scripts carry the nonce`).toContain(`nonce="${nonce}"`);
  await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
  await page.waitForLoadState("load");
  // Let client components mount (charts, virtualised tables), then look for violations.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  expect(violations.slice(before), `${url}: CSP violations`).toEqual([]);
}

/** A concrete id for a dynamic page: the first link to it on its parent page. */
async function firstLinkUnder(page: Page, parent: string, staticSiblings: string[]): Promise<string> {
  await page.goto(parent);
  const hrefs = await page.locator(`a[href^="${parent}/"]`).evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? ""));
  const found = hrefs.map((h) => h.split(/[?#]/)[0]!).find((h) => /^[^/]+$/.test(h.slice(parent.length + 1)) && !staticSiblings.includes(h));
  expect(found, `a link to a ${parent}/[…] page on ${parent}`).toBeTruthy();
  return found!;
}

test("every page carries the CSP and frame-ancestors 'none', and renders without CSP violations", async ({ browser }) => {
  test.setTimeout(480_000);
  const routes = pageRoutes();
  expect(routes).toContain("/signin");
  expect(routes.length).toBeGreaterThan(20);

  // Signed out: the sign-in page (and the not-found page, which also renders through the root layout).
  const anonymous = await (await browser.newContext()).newPage();
  const anonViolations = await watchViolations(anonymous);
  await visit(anonymous, "/signin", anonViolations);

  const page = await (await browser.newContext()).newPage();
  const violations = await watchViolations(page);
  await demoSignIn(page, ADMIN);
  expect(violations, "sign-in and the dashboard's first render").toEqual([]);

  // Data for the dynamic pages: a synced connection and a launched campaign reviewed by the admin.
  const connectionId = await connectSimulator(page, sim, CONNECTION, "Security headers e2e");
  await expect(async () => {
    await page.goto("/pagerduty/users");
    await expect(page.getByTestId("pd-user-row").first()).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 90_000, intervals: [2_000] });

  await page.goto("/admin/campaigns/new");
  await page.getByTestId("campaign-name").fill("Headers e2e review");
  await page.getByRole("checkbox", { name: CONNECTION }).check();
  await page.getByTestId("campaign-due").fill(new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10));
  await page.getByTestId("campaign-kind-BASE_ROLE").uncheck();
  await page.getByTestId("campaign-kind-TEAM_MEMBER").check();
  await page.getByTestId("step1-kind").selectOption("people");
  await page.getByTestId("step1-people").selectOption({ label: `Alice Admin (${ADMIN})` });
  await page.getByTestId("campaign-fallback").selectOption({ label: `Alice Admin (${ADMIN})` });
  await page.getByTestId("campaign-create").click();
  await page.waitForURL(/\/admin\/campaigns\/[0-9a-f-]{36}$/);
  await page.getByTestId("launch").click();
  await expect(page.getByTestId("manifest")).toBeVisible();

  // A just-in-time request of the admin's (for /requests/[id]): she is linked to a PagerDuty user who is
  // not on the first team, the catalog offers that team's manager role, and she asks for it.
  const team = sim.state.teamsOrdered()[0]!;
  const pdUser = sim.state.usersOrdered().find((u) => !u.role.startsWith("read_only") && u.role !== "owner" && !sim.state.membership(team.id, u.id))!;
  await page.goto(`/pagerduty/matching?connection=${connectionId}`);
  await page.getByTestId(`alias-input-${ADMIN}`).fill(pdUser.id);
  await page.getByTestId(`alias-input-${ADMIN}`).press("Enter");
  await expect(page.getByTestId(`unmatched-person-${ADMIN}`)).toHaveCount(0); // matched now: she leaves the unmatched list
  await addCatalogItem(page, { account: CONNECTION, team: team.name, role: "manager", name: "Headers e2e manager", fallbackEmail: ADMIN });
  await page.goto("/requests");
  await page.getByRole("button", { name: "Request Headers e2e manager" }).click();
  await page.getByTestId("request-form").getByLabel(/^Reason/).fill("Headers e2e");
  await page.getByTestId("request-form").getByRole("button", { name: "Send request" }).click();
  await page.waitForURL(/\/requests\/[0-9a-f-]{36}$/);
  violations.length = 0; // the set-up is not under test; every visit below is

  const statics = routes.filter((r) => !r.includes("["));
  for (const route of routes) {
    if (route === "/signin") continue; // signed in, it redirects home; visited signed out above
    let url = route;
    const dynamic = /^(.*?)\/\[[^\]]+\]/.exec(route);
    if (dynamic) url = route.replace(dynamic[0], await firstLinkUnder(page, dynamic[1]!, statics));
    await test.step(url, () => visit(page, url, violations));
  }
  // The not-found page (404) renders through the root layout per request too.
  const notFound = await page.goto("/no-such-page-here");
  expect(notFound?.status()).toBe(404);
  expect(notFound?.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  expect(violations, "the not-found page").toEqual([]);
  expect(anonViolations).toEqual([]);

  // The watch itself works: markup injected with an inline handler (the classic XSS shape) is blocked and
  // reported. (A script element created by script is trusted under 'strict-dynamic' by design.)
  await page.goto("/");
  await page.evaluate(() => document.body.insertAdjacentHTML("beforeend", `<img alt="" src="/no-such-image" onerror="document.body.dataset.injected = 'ran'">`));
  await expect.poll(() => violations.join("\n")).toMatch(/script-src/);
  expect(await page.evaluate(() => document.body.dataset.injected ?? null)).toBeNull();
});
