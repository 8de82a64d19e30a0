/**
 * Just-in-time access, accepted end to end with real sign-in (issue #12): an administrator connects a
 * simulated PagerDuty account and offers "manager of team T"; a member who is not on T asks for it for two
 * hours with a reason; T's manager in PagerDuty approves on Approvals; the membership appears in PagerDuty
 * and the request says verified; My access shows it with its expiry; once the simulator's and the portal's
 * clocks pass the expiry, the membership is gone, verified, and the request's history shows every step.
 */
import { mkdirSync } from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { startSimulator, type RunningSimulator } from "../simulator/index";
import { addCatalogItem, advanceSimulatorClock, setPortalClockOffset, teamMembers } from "./support/access";
import { connectSimulator } from "./support/connections";
import { demoSignIn, oidcSignIn } from "./support/session";

const SCREENS = "test-results/screens";
const CONNECTION = "Access e2e (simulator)";
const ADMIN = "alice.admin@example.com";

let sim: RunningSimulator;

test.beforeAll(async () => {
  sim = await startSimulator({ seed: 12, size: { users: 24, teams: 3, schedules: 2, escalationPolicies: 2 }, rateLimitPerMinute: 0 });
  mkdirSync(SCREENS, { recursive: true });
  setPortalClockOffset(0);
});
test.afterAll(async () => {
  setPortalClockOffset(0);
  await sim?.close();
});

/** A team with a manager (the approver) and a user who is not on it and is nobody's escalation target (the requester). */
function teamWithManagerAndOutsider() {
  const s = sim.state;
  for (const team of s.teamsOrdered()) {
    const manager = [...s.data.memberships.values()].find((m) => m.teamId === team.id && m.role === "manager");
    const outsider = s.usersOrdered().find((u) => !u.role.startsWith("read_only") && u.role !== "owner" && u.id !== manager?.userId && !s.membership(team.id, u.id) && s.policiesTargetingUser(u.id).length === 0);
    if (manager && outsider) return { team, manager: s.data.users.get(manager.userId)!, requester: outsider };
  }
  throw new Error("the simulated organisation has no team with a manager and an outsider");
}

async function signIn(page: Page, email: string) {
  await oidcSignIn(page, email);
  await expect(page.getByTestId("dashboard-welcome")).toBeVisible();
}

test("a member requests a team's manager role for 2 hours, its manager approves, and it is granted, verified, and removed on time", async ({ browser }) => {
  test.setTimeout(420_000);
  const { team, manager, requester } = teamWithManagerAndOutsider();
  const itemName = `Manager of ${team.name}`;

  // The administrator connects the simulated account, syncs it, and offers "manager of T" (approved by T's managers).
  const admin = await (await browser.newContext()).newPage();
  await demoSignIn(admin, ADMIN);
  const connectionId = await connectSimulator(admin, sim, CONNECTION, "Just-in-time access (e2e)");
  await expect(async () => {
    await admin.goto(`/pagerduty/teams?connection=${connectionId}`);
    await expect(admin.getByText(team.name).first()).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 90_000, intervals: [2_000] });
  await addCatalogItem(admin, { account: CONNECTION, team: team.name, role: "manager", name: itemName, fallbackEmail: ADMIN });

  // The requester (a PagerDuty user of the account, signed in with the same e-mail) finds it in the catalog.
  const member = await (await browser.newContext()).newPage();
  await signIn(member, requester.email);
  await member.goto("/requests");
  const item = member.locator(`[data-testid="catalog-item"][data-item-name="${itemName}"]`);
  await expect(item.getByTestId("catalog-current")).toContainText("not a member");
  await item.getByRole("button", { name: `Request ${itemName}` }).click();
  const form = item.getByTestId("request-form");
  await expect(form.getByLabel("Duration (minutes)")).toHaveValue("120");
  await form.getByLabel("Duration (minutes)").fill("120");
  await form.getByLabel(/^Reason/).fill("Covering the team's incident reviews this afternoon (e2e)");
  await form.getByRole("button", { name: "Send request" }).click();
  await member.waitForURL(/\/requests\/[0-9a-f-]{36}$/);
  const requestId = member.url().split("/").pop()!;
  await expect(member.getByTestId("request-status")).toHaveAttribute("data-status", "PENDING");
  await member.goto("/requests");
  await expect(member.locator(`[data-testid="my-request"][data-request-id="${requestId}"]`)).toContainText("Waiting for approval");
  await member.screenshot({ path: `${SCREENS}/requests.png`, fullPage: true });

  // T's manager in PagerDuty signs in and approves it on Approvals, with a comment.
  const approver = await (await browser.newContext()).newPage();
  await signIn(approver, manager.email);
  // Signed in, the manager is among those who may approve it (the requester's page says who).
  await member.goto(`/requests/${requestId}`);
  await expect(member.getByTestId("approvers")).toContainText(manager.email);
  await approver.goto("/requests/approvals");
  const row = approver.locator(`[data-testid="approval-row"][data-request-id="${requestId}"]`);
  await expect(row).toContainText(itemName);
  await expect(row).toContainText("Covering the team's incident reviews");
  await approver.screenshot({ path: `${SCREENS}/approvals.png`, fullPage: true });
  await row.getByLabel(/^Comment on/).fill("Fine for this afternoon");
  await row.getByRole("button", { name: /^Approve REQ-/ }).click();
  await expect(approver.getByTestId("approval-message")).toContainText("approved");
  await expect(row).toHaveCount(0);
  await expect(approver.getByTestId("approvals-empty")).toContainText("Nothing waits for you");

  // The requester's page follows it live: the grant goes through the pipeline and is verified in PagerDuty.
  await member.goto(`/requests/${requestId}`);
  await expect(member.getByTestId("grant-change")).toHaveAttribute("data-state", "VERIFIED", { timeout: 90_000 });
  await expect(member.getByTestId("request-status")).toHaveAttribute("data-status", "ACTIVE");
  await expect(member.getByTestId("verified")).toHaveText("Verified in PagerDuty");
  expect(await teamMembers(sim, team.id)).toContainEqual({ userId: requester.id, role: "manager" });
  const endsAt = (await member.getByTestId("ends-at").textContent())!; // "YYYY-MM-DD HH:MM UTC"
  expect(endsAt).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
  await member.screenshot({ path: `${SCREENS}/request-detail.png`, fullPage: true });

  // My access shows the grant with its expiry while it lasts.
  await member.goto("/access");
  const grantRow = member.getByTestId("access-row").filter({ hasText: `Manager of team ${team.name}` });
  await expect(grantRow).toHaveCount(1);
  await expect(grantRow).toContainText("Approved request");
  await expect(grantRow.getByTestId("access-ends")).toContainText(`until ${endsAt}`);
  await expect(grantRow.getByTestId("access-request-link")).toHaveAttribute("href", `/requests/${requestId}`);
  await member.screenshot({ path: `${SCREENS}/my-access.png`, fullPage: true });

  // Both clocks pass the expiry (2 h 5 min later): the portal ends the grant, the pipeline removes the membership.
  try {
    await advanceSimulatorClock(sim, "PT2H5M");
    setPortalClockOffset(125 * 60_000);
    await member.goto(`/requests/${requestId}`);
    await expect(member.getByTestId("end-change")).toHaveAttribute("data-state", "VERIFIED", { timeout: 90_000 });
    await expect(member.getByTestId("request-status")).toHaveAttribute("data-status", "ENDED");
    await expect(member.getByTestId("request-status")).toContainText("expired");
    await expect(member.getByTestId("end-verified")).toBeVisible();
    expect((await teamMembers(sim, team.id)).map((m) => m.userId)).not.toContain(requester.id);

    // The history keeps every step, in order.
    const kinds = await member.getByTestId("history-event").evaluateAll((els) => els.map((e) => e.getAttribute("data-kind")));
    const steps = ["requested", "approval", "approved", "grant_requested", "grant_verified", "end_requested", "end_verified"];
    expect(kinds.filter((k) => steps.includes(k ?? ""))).toEqual(steps);
    await member.screenshot({ path: `${SCREENS}/request-ended.png`, fullPage: true });
  } finally {
    setPortalClockOffset(0);
  }
});
