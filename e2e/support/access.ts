import { writeFileSync } from "node:fs";
import path from "node:path";
import { expect, type Locator, type Page } from "@playwright/test";
import type { RunningSimulator } from "../../simulator/index";
import { E2E } from "./constants";

/** Moves the portal's clock (PORTAL_CLOCK_FILE, set for the e2e portal by scripts/e2e-server.ts). */
export function setPortalClockOffset(offsetMs: number): void {
  writeFileSync(path.resolve(E2E.clockFile), JSON.stringify({ offsetMs }));
}

/** Moves the simulator's clock forward by an ISO 8601 duration ("PT2H5M") through its control API. */
export async function advanceSimulatorClock(sim: RunningSimulator, by: string): Promise<void> {
  const res = await fetch(`${sim.url}/__sim/clock`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ advance: by }) });
  expect(res.ok, `POST /__sim/clock answered ${res.status}`).toBe(true);
}

/** A team's members as PagerDuty (the simulator) answers GET /teams/{id}/members over HTTP with the account's key. */
export async function teamMembers(sim: RunningSimulator, teamId: string): Promise<{ userId: string; role: string }[]> {
  const res = await fetch(`${sim.url}/teams/${teamId}/members?limit=100`, { headers: { Authorization: `Token token=${sim.keys.full}`, Accept: "application/vnd.pagerduty+json;version=2" } });
  expect(res.ok, `GET /teams/${teamId}/members answered ${res.status}`).toBe(true);
  const body = (await res.json()) as { members: { user: { id: string }; role: string }[] };
  return body.members.map((m) => ({ userId: m.user.id, role: m.role }));
}

/** Selects the option of a <select> whose text contains `text` (the forms label options "Name (email)" and the like). */
async function pick(select: Locator, text: string | RegExp): Promise<void> {
  const option = select.locator("option", { hasText: text }).first();
  await expect(option, `an option ${String(text)}`).toHaveCount(1);
  await select.selectOption((await option.getAttribute("value")) ?? "");
}

export interface CatalogItemSpec {
  account: string;
  team: string;
  role: "manager" | "responder" | "observer";
  name: string;
  /** The e-mail of the fallback approver (unanswered requests escalate to them). */
  fallbackEmail: string;
}

/**
 * An administrator adds "team role on a team" to the catalog on Admin → Policies, approved by the team's
 * managers in PagerDuty. The form is the ui-admin branch's; the labels below are the ones agreed with it.
 * (Swap this function's body if the form ends up with other labels; nothing else in the specs depends on it.)
 */
export async function addCatalogItem(admin: Page, item: CatalogItemSpec): Promise<void> {
  await admin.goto("/admin/policies");
  const add = admin.getByRole("button", { name: "Add to catalog" });
  if ((await add.count()) === 0) {
    throw new Error('Admin → Policies has no catalog form (no "Add to catalog" button): it comes with the ui-admin branch (h/ui-admin). Merge it, or adapt addCatalogItem() in e2e/support/access.ts to its form.');
  }
  await pick(admin.getByLabel("PagerDuty account"), item.account);
  const kind = admin.getByLabel("Kind");
  if ((await kind.locator("option[value=TEAM_ROLE]").count()) > 0) await kind.selectOption("TEAM_ROLE");
  else await pick(kind, /team/i);
  await pick(admin.getByLabel("Team", { exact: true }), item.team);
  const role = admin.getByLabel("Role", { exact: true });
  if ((await role.locator(`option[value=${item.role}]`).count()) > 0) await role.selectOption(item.role);
  else await pick(role, new RegExp(item.role, "i"));
  await admin.getByLabel("Name", { exact: true }).fill(item.name);
  await admin.getByLabel("Approvers: the team's managers").check();
  await pick(admin.getByLabel("Fallback approvers"), item.fallbackEmail);
  await add.click();
  await expect(admin.getByText(item.name).first()).toBeVisible();
}
