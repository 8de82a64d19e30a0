/**
 * Admin → Policies and My access, in the browser: an administrator connects the simulator, adds a catalog
 * item with its policy (a field error shown beside its field first), edits the policy (version 2 in the
 * history with its reason and what changed; a stale editor is refused), creates a portal group and adds a
 * member; a member opens My access and sees their PagerDuty base role as "Baseline" with the reason why.
 * Screenshots of both pages go to test-results/screens/.
 */
import { mkdirSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { baseRoleLabel } from "../lib/pagerduty-data/roles";
import { startSimulator, type RunningSimulator } from "../simulator/index";
import { connectSimulator } from "./support/connections";
import { eventually } from "./support/eventually";
import { demoSignIn } from "./support/session";

const SCREENS = "test-results/screens";
const CONNECTION = "Policies e2e (simulator)";
const ADMIN = "alice.admin@example.com";
const MEMBER = "maya.member@example.com";
const ITEM = "E2E team manager";

let sim: RunningSimulator;
let memberRole = "";

test.beforeAll(async () => {
  sim = await startSimulator({ seed: 31, size: { users: 14, teams: 3, schedules: 2, escalationPolicies: 2 }, rateLimitPerMinute: 0 });
  // The member is a PagerDuty user of the account (matched by e-mail, as the portal matches people).
  const user = sim.state.usersOrdered().find((u) => !u.invitation_sent && u.role !== "owner")!;
  user.email = MEMBER;
  memberRole = user.role;
  mkdirSync(SCREENS, { recursive: true });
});
test.afterAll(async () => {
  await sim?.close();
});

test("an admin builds the catalog and its groups; a member sees their access and why", async ({ browser }) => {
  test.setTimeout(600_000); // bounds a hung run; a busy machine (two cores, the whole suite) needs minutes
  const admin = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await demoSignIn(admin, ADMIN);

  // Before any group (only this spec makes groups; other specs may have connected accounts already, so the
  // page's "no account yet" state is not asserted here: the suite shares one portal).
  await admin.goto("/admin/policies");
  await expect(admin.getByText("No group yet")).toBeVisible();

  await connectSimulator(admin, sim, CONNECTION, "Just-in-time access (e2e)");
  // Synced: the form offers this spec's account (it lists synced accounts only), which offers nothing yet.
  await eventually(admin, "/admin/policies", async () => expect(admin.getByTestId("item-connection").locator("option", { hasText: CONNECTION })).toHaveCount(1, { timeout: 1_000 }));
  await expect(admin.getByTestId(`account-catalog-${CONNECTION}`)).toContainText("Nothing can be requested in this account yet");

  // A team role item. A default longer than the maximum is refused, with the message beside the field.
  const form = admin.getByTestId("catalog-item-form");
  // Other specs of the suite may have connected accounts before: choose this spec's own.
  await form.getByTestId("item-connection").selectOption({ label: CONNECTION });
  await form.getByTestId("item-team").selectOption({ index: 1 });
  const team = (await form.getByTestId("item-team").locator("option:checked").textContent())!;
  await form.getByTestId("item-role").selectOption("manager");
  await form.getByTestId("item-name").fill(ITEM);
  await form.getByTestId("item-description").fill("Manage the team during an incident.");
  await form.getByTestId("item-reason").fill("Asked by the platform leads");
  await form.getByTestId("policy-default-duration").fill("10"); // hours: past the 8 h maximum
  await form.getByTestId("policy-approver-people").getByLabel(`Alice Admin (${ADMIN})`).check();
  await form.getByTestId("item-create").click();
  await expect(form.getByTestId("error-rules.defaultDurationMinutes")).toContainText("cannot be longer than the maximum");
  await expect(form.getByTestId("policy-default-duration")).toHaveAttribute("aria-invalid", "true");

  // Without a fallback approver the domain refuses, beside the fallback field.
  await form.getByTestId("policy-default-duration").fill("1");
  await form.getByTestId("item-create").click();
  await expect(form.getByTestId("error-rules.fallbackApproverIds")).toContainText("Choose a fallback approver");
  await form.getByTestId("policy-fallback").getByLabel(`Alice Admin (${ADMIN})`).check();
  await form.getByTestId("item-create").click();
  await expect(form.getByRole("status")).toContainText("Catalog item added");

  const card = admin.getByTestId(`catalog-item-${ITEM}`);
  await expect(card).toContainText(`Manager of team ${team}`);
  await expect(card).toContainText("Policy v1");
  await expect(card.getByTestId("policy-words")).toContainText("Default 1 h, at most 8 h.");
  await expect(card.getByTestId("policy-words")).toContainText("Alice Admin");

  // A second admin tab opens the editor on version 1 before the first saves version 2.
  const stale = await admin.context().newPage();
  await stale.goto("/admin/policies");
  const staleCard = stale.getByTestId(`catalog-item-${ITEM}`);
  await staleCard.getByText("Edit the policy").click();

  await card.getByText("Edit the policy").click();
  const edit = card.locator("form[aria-label='Edit the policy']");
  await edit.getByTestId("policy-max-duration").fill("4");
  await edit.getByTestId("policy-reason").fill("Shorter maximum after the quarterly review");
  await edit.getByTestId("policy-save").click();
  await expect(edit.getByRole("status")).toContainText("Policy saved as version 2");
  await expect(card).toContainText("Policy v2");
  await card.getByText(/Policy history \(2 versions\)/).click();
  const v2 = card.getByTestId("policy-version").first();
  await expect(v2).toContainText("Version 2");
  await expect(v2).toContainText("Shorter maximum after the quarterly review");
  await expect(v2).toContainText("Maximum duration: 8 h → 4 h");
  await expect(v2).toContainText("Alice Admin");
  await expect(card.getByTestId("policy-version").nth(1)).toContainText("Asked by the platform leads");

  // The stale editor (still on version 1) is refused instead of overwriting version 2.
  const staleEdit = staleCard.locator("form[aria-label='Edit the policy']");
  await staleEdit.getByTestId("policy-pending-timeout").fill("2");
  await staleEdit.getByTestId("policy-reason").fill("Longer wait");
  await staleEdit.getByTestId("policy-save").click();
  await expect(staleEdit.getByRole("alert")).toContainText("changed meanwhile (now version 2)");
  await stale.close();

  // A portal group with a member.
  await admin.getByTestId("group-name").fill("E2E approvers");
  await admin.getByTestId("group-description").fill("Approve platform access");
  await admin.getByTestId("group-create").click();
  const group = admin.getByTestId("group-E2E approvers");
  await expect(group).toContainText("No members yet");
  await group.getByTestId("group-add-E2E approvers").selectOption({ label: "Noah Patel (noah.patel@example.com)" });
  await group.getByTestId("group-add-button-E2E approvers").click();
  await expect(group.getByTestId("group-member")).toContainText("Noah Patel");

  // Keyboard focus is visible on the disclosures (screenshot), then the whole page.
  await card.getByTestId(/^history-toggle-/).focus();
  await admin.keyboard.press("Tab");
  await admin.screenshot({ path: `${SCREENS}/policies-focus.png` });
  await admin.screenshot({ path: `${SCREENS}/policies.png`, fullPage: true });
  await card.screenshot({ path: `${SCREENS}/policies-item.png` });
  await form.screenshot({ path: `${SCREENS}/policies-add-form.png` });
  await admin.getByRole("region", { name: "Portal groups" }).screenshot({ path: `${SCREENS}/policies-groups.png` });

  // The member's My access: the base role from the first sync is "Baseline", and the row says why.
  const member = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await demoSignIn(member, MEMBER);
  await member.goto("/access");
  const account = member.getByTestId(`my-access-${CONNECTION}`);
  const base = account.locator("[data-testid=access-row][data-kind=BASE_ROLE]");
  await expect(base).toContainText("Base role");
  await expect(base.getByTestId("access-origin")).toHaveText("Baseline");
  await expect(base.getByTestId("access-why")).toBeHidden();
  await base.getByTestId("access-why-toggle").click();
  await expect(base.getByTestId("access-why")).toContainText("You already held this when the portal first synced this account");
  await expect(account.getByTestId("pd-base-role")).toHaveText(baseRoleLabel(memberRole));
  await expect(base).toContainText(baseRoleLabel(memberRole));
  await member.screenshot({ path: `${SCREENS}/my-access.png`, fullPage: true });

  // A member cannot look at someone else's access; an admin can.
  await member.goto("/access?person=someone-else");
  await expect(member.getByTestId("access-notice")).toContainText("only see your own access");
  await admin.goto("/access");
  await admin.getByTestId("access-person").selectOption({ label: `Maya Member (${MEMBER})` });
  await admin.getByRole("button", { name: "Show" }).click();
  await expect(admin.getByRole("heading", { level: 1 })).toHaveText("Access of Maya Member");
  await expect(admin.getByTestId(`my-access-${CONNECTION}`).locator("[data-testid=access-row][data-kind=BASE_ROLE] [data-testid=access-origin]")).toHaveText("Baseline");

  // The dashboard's notifications (none yet for the member).
  await member.goto("/");
  await expect(member.getByTestId("notifications-unread")).toHaveText("0 unread");
  await member.screenshot({ path: `${SCREENS}/dashboard-notifications.png` });
});
