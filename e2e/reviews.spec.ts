import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { startSimulator, type RunningSimulator } from "../simulator/index";
import { connectSimulator } from "./support/connections";
import { eventually } from "./support/eventually";
import { demoSignIn, oidcSignIn } from "./support/session";

const SCREENS = "test-results/screens";
const CONNECTION = "Reviews e2e (simulator)";
const REVIEWER = "rita.reviewer@example.com";

let sim: RunningSimulator;

test.beforeAll(async () => {
  sim = await startSimulator({ seed: 11, size: { users: 24, teams: 3, schedules: 2, escalationPolicies: 2 } });
  mkdirSync(SCREENS, { recursive: true });
});
test.afterAll(async () => {
  await sim?.close();
});

/** Whether PagerDuty (the simulator) has the user on call, or as a permanent escalation target, in the next 26 hours. */
async function onCallSoon(pdUserId: string): Promise<boolean> {
  const q = new URLSearchParams({ "user_ids[]": pdUserId, since: new Date().toISOString(), until: new Date(Date.now() + 26 * 3_600_000).toISOString(), limit: "100" });
  const res = await fetch(`${sim.url}/oncalls?${q.toString()}`, { headers: { Authorization: `Token token=${sim.keys.full}`, Accept: "application/vnd.pagerduty+json;version=2" } });
  expect(res.ok).toBe(true);
  return ((await res.json()) as { oncalls: unknown[] }).oncalls.length > 0;
}

test("a reviewer certifies and revokes, the revocation is verified in PagerDuty, and an auditor downloads the evidence", async ({ browser }) => {
  test.setTimeout(300_000);

  // The reviewer signs in through the OpenID provider (this creates her portal person).
  const rita = await (await browser.newContext()).newPage();
  await oidcSignIn(rita, REVIEWER);
  await expect(rita.getByTestId("dashboard-welcome")).toBeVisible();

  // An administrator connects the simulated PagerDuty account and syncs it.
  const admin = await (await browser.newContext()).newPage();
  await demoSignIn(admin, "alice.admin@example.com");
  const connectionId = await connectSimulator(admin, sim, CONNECTION, "Access reviews (e2e)");
  const users = `/pagerduty/users?connection=${connectionId}`;
  await eventually(admin, users, async () => expect(admin.getByTestId("pd-user-row").first()).toBeVisible({ timeout: 1_000 }));

  // It names Rita owner of a team (the reviewer policy "owners").
  await admin.goto("/admin/campaigns/owners");
  const ownerForm = admin.getByTestId("owner-form");
  await ownerForm.getByLabel("PagerDuty account").selectOption({ label: CONNECTION });
  await ownerForm.getByLabel("Team").selectOption({ index: 1 });
  const team = (await ownerForm.getByLabel("Team").locator("option:checked").textContent())!;
  await ownerForm.getByLabel("Owner", { exact: true }).selectOption({ label: `Rita Reviewer (${REVIEWER})` });
  await ownerForm.getByRole("button", { name: "Add owner" }).click();
  await expect(admin.getByTestId("owners")).toContainText(`Team ${team}`);
  await expect(admin.getByTestId("owners")).toContainText("Rita Reviewer");

  // It creates a campaign of team memberships reviewed by Rita, and launches it on fresh data.
  await admin.goto("/admin/campaigns/new");
  await admin.getByTestId("campaign-name").fill("E2E team membership review");
  await admin.getByRole("checkbox", { name: CONNECTION }).check();
  const due = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
  await admin.getByTestId("campaign-due").fill(due);
  await admin.getByTestId("campaign-kind-BASE_ROLE").uncheck();
  await admin.getByTestId("campaign-kind-TEAM_MEMBER").check();
  await admin.getByTestId("step1-kind").selectOption("people");
  await admin.getByTestId("step1-people").selectOption({ label: `Rita Reviewer (${REVIEWER})` });
  await admin.getByTestId("campaign-fallback").selectOption({ label: "Alice Admin (alice.admin@example.com)" });
  await admin.screenshot({ path: `${SCREENS}/campaign-new.png`, fullPage: true });
  await admin.getByTestId("campaign-create").click();
  await admin.waitForURL(/\/admin\/campaigns\/[0-9a-f-]{36}$/);
  const campaignId = admin.url().split("/").pop()!;
  await admin.getByTestId("launch").click();
  await expect(admin.getByTestId("manifest")).toBeVisible();
  await admin.screenshot({ path: `${SCREENS}/campaign-launched.png`, fullPage: true });

  // Rita finds the campaign under My reviews and opens the workspace.
  await rita.goto("/reviews");
  await expect(rita.getByTestId(`my-review-${campaignId}`)).toContainText("42");
  await rita.screenshot({ path: `${SCREENS}/my-reviews.png`, fullPage: true });
  await rita.getByTestId(`my-review-${campaignId}`).getByRole("link").click();
  const rows = rita.getByTestId("review-row");
  await expect(rows.first()).toBeVisible();

  // She filters to responders, certifies three with the selection, and revokes one with a justification.
  await rita.getByTestId("filter-role").selectOption("responder");
  await expect(rows.first()).toBeVisible();
  const count = await rows.count();
  expect(count).toBeGreaterThanOrEqual(4);
  for (let i = 0; i < 3; i++) await rows.nth(i).getByTestId("row-select").check();
  await rita.getByTestId("decide-certify").click();
  await expect(rita.getByTestId("workspace-message")).toContainText("3 drafts saved");

  // Revoke a membership of someone not on call in the next day: the pipeline holds back a removal that
  // would leave a shift uncovered (it runs after the shift), and the simulated schedules follow the clock.
  let pick = -1;
  for (let i = 3; i < count && pick < 0; i++) {
    const user = await rows.nth(i).getAttribute("data-pd-user");
    if (user && !(await onCallSoon(user))) pick = i;
  }
  expect(pick, "a responder who is not on call in the next 26 hours").toBeGreaterThanOrEqual(3);
  const revoked = rows.nth(pick);
  const subject = await revoked.getAttribute("data-subject");
  const itemId = await revoked.getAttribute("data-item-id");
  const teamPdId = await revoked.getAttribute("data-team");
  const pdUserId = await revoked.getAttribute("data-pd-user");
  expect(teamPdId && pdUserId && itemId && subject).toBeTruthy();
  expect(sim.state.membership(teamPdId!, pdUserId!)).toBeDefined();
  // Keyboard: ? shows the shortcuts, j and k move the highlighted row, r revokes it.
  await rita.keyboard.press("?");
  await expect(rita.getByTestId("shortcuts-help")).toBeVisible();
  await rita.keyboard.press("Escape");
  await expect(rita.getByTestId("shortcuts-help")).toBeHidden();
  await rows.nth(pick - 1).click();
  await rita.keyboard.press("j");
  await expect(revoked).toHaveAttribute("aria-current", "true");
  await rita.keyboard.press("k");
  await expect(rows.nth(pick - 1)).toHaveAttribute("aria-current", "true");
  await rita.keyboard.press("j");
  await rita.keyboard.press("r");
  await expect(rita.getByTestId("decision-dialog")).toBeVisible();
  await rita.getByTestId("justification").fill("Left the team in October; no longer on its rotations.");
  await rita.screenshot({ path: `${SCREENS}/review-revoke-dialog.png` });
  await rita.getByTestId("decision-confirm").click();
  await expect(rita.getByTestId("workspace-message")).toContainText("1 draft saved");
  await rita.screenshot({ path: `${SCREENS}/review-workspace.png`, fullPage: true });

  await rita.getByTestId("submit-batch").click();
  await expect(rita.getByTestId("workspace-message")).toContainText("Submitted 4 decisions: 3 certified, 1 revoked");

  // The revocation is executed through the change pipeline, re-read from PagerDuty, and shown verified.
  const row = rita.locator(`[data-testid="review-row"][data-item-id="${itemId}"]`);
  await expect(row.getByTestId("remediation-state")).toHaveAttribute("data-state", "VERIFIED", { timeout: 90_000 });
  expect(sim.state.membership(teamPdId!, pdUserId!)).toBeUndefined();
  await row.click();
  await expect(rita.getByTestId("verified-at")).not.toHaveText("—");
  await rita.screenshot({ path: `${SCREENS}/review-verified.png`, fullPage: true });

  // Certifying the rest in one go looks like rubber-stamping: the reviewer is asked for a second look first.
  await rita.getByTestId("filter-state").selectOption("undecided");
  await expect(rows).not.toHaveCount(0);
  await expect(rita.getByTestId("review-row").filter({ hasText: "Certified" })).toHaveCount(0);
  // She hands one item to a colleague, with a reason; it leaves her list.
  const undecided = Number(await rita.getByTestId("review-total").getAttribute("data-total"));
  await rows.first().click();
  await rita.getByTestId("reassign").click();
  // The new reviewer is found by typing (the server searches; a reviewer sees names only) and picked by keyboard.
  await rita.getByTestId("reassign-to").fill("Alice Ad");
  await expect(rita.getByTestId("reassign-to-option")).toHaveText(["Alice Admin"]);
  await rita.getByTestId("reassign-to").press("ArrowDown");
  await rita.getByTestId("reassign-to").press("Enter");
  await expect(rita.getByTestId("reassign-to")).toHaveValue("Alice Admin");
  await rita.getByTestId("reassign-reason").fill("Alice runs this team's rotations (e2e)");
  await rita.getByTestId("reassign-confirm").click();
  await expect(rita.getByTestId("workspace-message")).toContainText("1 item reassigned.");
  await expect(rita.getByTestId("review-total")).toHaveAttribute("data-total", String(undecided - 1));
  await rita.getByTestId("select-all").check();
  await rita.getByTestId("decide-certify").click();
  await expect(rita.getByTestId("workspace-message")).toContainText("drafts saved");
  await rita.getByTestId("submit-batch").click();
  await expect(rita.getByTestId("second-look")).toBeVisible();
  await expect(rita.getByTestId("second-look")).toContainText("certifications were made within");
  await rita.screenshot({ path: `${SCREENS}/review-second-look.png` });
  await rita.getByTestId("second-look-cancel").click();
  await expect(rita.getByTestId("second-look")).toBeHidden();
  await rita.getByTestId("submit-batch").click();
  await rita.getByTestId("second-look-confirm").click();
  await expect(rita.getByTestId("workspace-message")).toContainText("The batch is flagged for review in the report.");

  // An auditor downloads the evidence pack: JSON, CSV and PDF all hold the decision and the verified time.
  const avery = await (await browser.newContext()).newPage();
  await demoSignIn(avery, "avery.auditor@example.com");
  await avery.goto("/admin/campaigns");
  await expect(avery.getByTestId(`campaign-row-${campaignId}`)).toBeVisible();
  await expect(avery.getByTestId("new-campaign")).toHaveCount(0);
  await avery.screenshot({ path: `${SCREENS}/campaigns.png`, fullPage: true });
  await avery.goto(`/admin/campaigns/${campaignId}`);
  await expect(avery.getByTestId("evidence-links")).toBeVisible();
  await expect(avery.getByTestId("campaign-progress")).toContainText("1 batch flagged as rubber stamps");
  await expect(avery.getByTestId("launch")).toHaveCount(0);
  await expect(avery.getByTestId("close-controls")).toHaveCount(0);
  await avery.screenshot({ path: `${SCREENS}/campaign-progress-auditor.png`, fullPage: true });

  // Downloads start from a POST form (each one is recorded in the audit trail); a GET exports nothing.
  const evidenceUrl = `/api/reviews/${campaignId}/evidence`;
  expect((await avery.request.get(`${evidenceUrl}?format=csv`)).status()).toBe(405);
  const [clicked] = await Promise.all([avery.waitForEvent("download"), avery.getByTestId("evidence-csv").click()]);
  expect(clicked.suggestedFilename()).toMatch(/^evidence-.*\.csv$/);
  const download = async (format: "csv" | "json" | "pdf") => {
    const res = await avery.request.post(evidenceUrl, { form: { format } });
    expect(res.status()).toBe(200);
    expect(res.headers()["content-disposition"]).toContain("attachment");
    return res.body();
  };
  const pack = JSON.parse((await download("json")).toString("utf8")) as { items: { itemId: string; decision: string | null; justification: string | null; remediation: string; verifiedAt: string | null }[]; packSha256: string };
  expect(pack.packSha256).toMatch(/^[0-9a-f]{64}$/);
  expect(pack.items.filter((i) => i.decision === "CERTIFY").length).toBeGreaterThanOrEqual(3 + 10);
  const item = pack.items.find((i) => i.itemId === itemId);
  expect(item).toMatchObject({ decision: "REVOKE", justification: "Left the team in October; no longer on its rotations.", remediation: "VERIFIED" });
  const verifiedAt = item!.verifiedAt!;
  expect(verifiedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

  const csv = (await download("csv")).toString("utf8");
  const csvLine = csv.split("\n").find((l) => l.includes(itemId!));
  expect(csvLine, "the CSV pack has a line for the revoked item").toBeTruthy();
  expect(csvLine).toContain("REVOKE");
  expect(csvLine).toContain(verifiedAt);

  const pdf = await download("pdf");
  expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
  writeFileSync("test-results/evidence.pdf", pdf);
  const text = execFileSync("pdftotext", ["-layout", "test-results/evidence.pdf", "-"]).toString("utf8");
  expect(text).toContain("REVOKE");
  expect(text.replace(/\s+/g, " ")).toContain(verifiedAt);

  // The audit trail's Export CSV is a POST form too; the evidence downloads above are recorded in it.
  await avery.goto("/audit?action=review.evidence");
  const [trail] = await Promise.all([avery.waitForEvent("download"), avery.getByTestId("audit-export").getByRole("button", { name: "Export CSV" }).click()]);
  expect(trail.suggestedFilename()).toMatch(/^audit-trail-.*\.csv$/);
  expect(readFileSync(await trail.path(), "utf8").match(/review\.evidence_exported/g)?.length).toBeGreaterThanOrEqual(4);

  // The administrator force-closes the campaign with a reason: what is left undecided becomes exceptions.
  await admin.goto(`/admin/campaigns/${campaignId}`);
  await admin.getByTestId("force-close").click();
  await admin.getByTestId("force-close-reason").fill("Quarter ended; remaining items carried to the next review (e2e)");
  await admin.getByTestId("force-close-confirm").click();
  await expect(admin.getByText("The campaign and its evidence are locked.")).toBeVisible();
  await expect(admin.getByTestId("close-controls")).toHaveCount(0);
  await admin.screenshot({ path: `${SCREENS}/campaign-closed.png`, fullPage: true });
  const closed = JSON.parse((await download("json")).toString("utf8")) as { header: { campaign: { status: string; forceClosed: boolean } } };
  expect(closed.header.campaign).toMatchObject({ status: "CLOSED", forceClosed: true });

  // A member who is not an auditor gets nothing.
  const maya = await (await browser.newContext()).newPage();
  await demoSignIn(maya, "maya.member@example.com");
  expect((await maya.request.post(`/api/reviews/${campaignId}/evidence`, { form: { format: "csv" } })).status()).toBe(403);

  // Stale data: once a sync fails, a launch is refused until the administrator overrides it with a reason.
  const fault = await fetch(`${sim.url}/__sim/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ errors: { probability: 1, statuses: [500] } }) });
  expect(fault.ok).toBe(true);
  await admin.goto("/admin/connections");
  await admin.getByTestId(`controls-${CONNECTION}`).getByRole("button", { name: "Sync now" }).click();
  // Done, or refused because the schedule already queued one: either way a sync meets the fault.
  const controls = admin.getByTestId(`controls-${CONNECTION}`);
  await expect(controls.getByRole("status").or(controls.getByRole("alert"))).toBeVisible();
  await eventually(admin, users, async () => expect(admin.getByText(/last sync failed/)).toBeVisible({ timeout: 1_000 }), 150_000);
  await admin.goto("/admin/campaigns/new");
  await admin.getByTestId("campaign-name").fill("E2E launch on stale data");
  await admin.getByRole("checkbox", { name: CONNECTION }).check();
  await admin.getByTestId("campaign-due").fill(due);
  await admin.getByTestId("campaign-fallback").selectOption({ label: "Alice Admin (alice.admin@example.com)" });
  await admin.getByTestId("campaign-create").click();
  await admin.waitForURL((url) => /\/admin\/campaigns\/[0-9a-f-]{36}$/.test(url.pathname) && !url.pathname.endsWith(campaignId));
  await admin.getByTestId("launch").click();
  await expect(admin.getByTestId("stale-warning")).toContainText("The synced data is stale");
  await admin.getByTestId("override-reason").fill("Auditor visit tomorrow; PagerDuty outage is known (e2e)");
  await admin.screenshot({ path: `${SCREENS}/campaign-stale.png`, fullPage: true });
  await admin.getByTestId("launch-override").click();
  await expect(admin.getByTestId("manifest")).toContainText("Launched on stale data: Auditor visit tomorrow");
});
