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
 * managers in PagerDuty, with a fallback approver (the form of components/access/policies-form.tsx).
 */
export async function addCatalogItem(admin: Page, item: CatalogItemSpec): Promise<void> {
  await admin.goto("/admin/policies");
  const form = admin.getByTestId("catalog-item-form");
  await expect(form, "Admin → Policies shows the catalog form (a synced account is needed)").toBeVisible();
  await pick(form.getByTestId("item-connection"), item.account);
  await form.getByTestId("item-kind-team").check();
  await pick(form.getByTestId("item-team"), item.team);
  await form.getByTestId("item-role").selectOption(item.role);
  await form.getByTestId("item-name").fill(item.name);
  await form.getByTestId("item-reason").fill("Just-in-time access for incidents");
  await form.getByTestId("policy-team-managers").check();
  await form.getByTestId("policy-fallback").getByLabel(new RegExp(`\\(${item.fallbackEmail.replace(/[.]/g, "\\.")}\\)`)).check();
  await form.getByTestId("item-create").click();
  await expect(form.getByRole("status")).toContainText("Catalog item added");
  await expect(admin.getByTestId(`catalog-item-${item.name}`)).toBeVisible();
}
