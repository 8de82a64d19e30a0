/**
 * An admin connects a PagerDuty account (the bundled simulator, started here with a small organisation
 * and some latency so the sync takes a few seconds), watches the sync's progress bar, then finds the
 * account's users, a user's access, teams, schedules with who is on call now, and drift after an
 * out-of-band change. Every response the portal sends to the browser is kept and searched for the key.
 */
import { mkdirSync } from "node:fs";
import { expect, test, type Page, type Response } from "@playwright/test";
import { startSimulator, type RunningSimulator } from "../simulator/index";
import { E2E } from "./support/constants";
import { demoSignIn } from "./support/session";

const SCREENS = "test-results/screens";
const WRONG_KEY = "sim+wrong_AccessKey-9999";
const NAME = "Acme (simulator)";

let sim: RunningSimulator;

test.beforeAll(async () => {
  mkdirSync(SCREENS, { recursive: true });
  // ~15 requests at 500 ms each (4 team listings at a time): several seconds, long enough to watch.
  sim = await startSimulator({ seed: 4, size: { users: 40, teams: 6, schedules: 4, escalationPolicies: 4 }, latencyMs: 500, rateLimitPerMinute: 0 });
  // Who is on call now must not depend on the day or hour the suite runs (the seeded rotations leave some
  // schedules empty at night or on weekends). An override, as a PagerDuty admin would make one, puts one of the
  // first schedule's own layer members on call from an hour before the test until hours after it.
  const schedule = firstSchedule();
  const onCall = schedule.layers.flatMap((l) => l.users).find(Boolean)!;
  const now = sim.clock.now();
  const edit = await fetch(`${sim.url}/__sim/edits`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ kind: "add_override", scheduleId: schedule.id, userId: onCall, start: new Date(now - 3_600_000).toISOString(), end: new Date(now + 6 * 3_600_000).toISOString() }),
  });
  expect(edit.status).toBe(201);
});
test.afterAll(async () => {
  await sim?.close();
});

/** Keeps the text of every response from the portal (pages, RSC payloads, server actions, the progress API). */
function recordResponses(page: Page): { texts: () => Promise<string[]> } {
  const pending: Promise<string>[] = [];
  page.on("response", (res: Response) => {
    if (!res.url().startsWith(E2E.portalUrl)) return;
    pending.push(res.text().catch(() => ""));
  });
  return { texts: () => Promise.all(pending) };
}

const firstSchedule = () => [...sim.state.data.schedules.values()][0]!;

async function pdGet<T>(path: string): Promise<T> {
  const res = await fetch(`${sim.url}${path}`, { headers: { authorization: `Token token=${sim.keys.full}`, accept: "application/vnd.pagerduty+json;version=2" } });
  return (await res.json()) as T;
}

test("an admin adds a connection, watches the sync, and sees users, teams, schedules, on-call and drift", async ({ page }) => {
  test.setTimeout(180_000);
  const responses = recordResponses(page);
  await demoSignIn(page, "alice.admin@example.com");
  await page.goto("/admin/connections");
  await expect(page.getByRole("heading", { level: 1, name: "Connections" })).toBeVisible();

  const form = page.getByTestId("add-connection-form");
  const fill = async (apiKey: string) => {
    await form.getByLabel("Name").fill(NAME);
    await form.getByLabel("Subdomain").fill("acme");
    await form.getByLabel("Custom API base URL (optional)").fill(sim.url);
    await form.getByLabel("API key", { exact: true }).fill(apiKey);
    await form.getByLabel("Purpose").fill("Access reviews of the on-call organisation");
  };

  // A wrong key: a clear error, and nothing is saved. (Other specs may have added connections before: count.)
  const cards = page.locator("article[data-testid^='connection-']");
  const before = await cards.count();
  await fill(WRONG_KEY);
  await form.getByRole("button", { name: "Check and save" }).click();
  await expect(page.getByTestId("add-connection-result")).toContainText(/not saved: PagerDuty refused the credential/);
  await page.reload();
  await expect(page.getByRole("heading", { level: 1, name: "Connections" })).toBeVisible();
  await expect(page.getByTestId(`connection-${NAME}`)).toHaveCount(0);
  expect(await cards.count()).toBe(before);

  // The right key: saved, with what the portal can do with it.
  await fill(sim.keys.full);
  await form.getByRole("button", { name: "Check and save" }).click();
  await expect(page.getByTestId("add-connection-result")).toContainText(/Connection saved\. Full access/);
  const card = page.getByTestId(`connection-${NAME}`);
  await expect(card).toBeVisible();
  await expect(card.getByTestId("freshness")).toHaveAttribute("data-state", "never");

  // On the connection's page: Sync now, then watch the progress bar move until the run is done.
  await card.getByRole("link", { name: NAME }).click();
  await expect(page.getByRole("heading", { level: 1, name: NAME })).toBeVisible();
  // Every PagerDuty page below is asked for this connection (others may exist).
  const connectionId = new URL(page.url()).pathname.split("/").pop()!;
  const pd = (path: string) => `/pagerduty/${path}?connection=${connectionId}`;
  const summary = page.getByTestId(`connection-${NAME}`);
  await summary.getByRole("button", { name: "Sync now" }).click();
  // (The minutely schedule may have queued the never-synced connection first.)
  await expect(summary.getByText(/Sync queued|already queued or running/)).toBeVisible();
  const bar = page.getByRole("progressbar", { name: "Sync progress" });
  await expect(bar).toBeVisible({ timeout: 30_000 });
  const firstValue = Number(await bar.getAttribute("aria-valuenow"));
  await expect(page.getByTestId("sync-phase")).not.toHaveText("");
  await page.screenshot({ path: `${SCREENS}/sync-progress.png`, fullPage: true });
  await expect
    .poll(async () => Number((await bar.getAttribute("aria-valuenow", { timeout: 500 }).catch(() => "100")) ?? 100), { timeout: 30_000 })
    .toBeGreaterThan(firstValue);
  await expect(page.getByTestId("no-active-sync")).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId("sync-history").getByText("Succeeded")).toBeVisible();
  // The server-rendered parts follow: the freshness badge and the link to the synced data.
  await expect(summary.getByTestId("freshness")).toHaveAttribute("data-state", "fresh");
  await expect(summary.getByTestId("freshness")).toContainText(/synced (just now|1 min ago)/);
  await page.screenshot({ path: `${SCREENS}/connection.png`, fullPage: true });

  // Users, with the account's freshness.
  await page.getByRole("link", { name: "See the synced users, teams and schedules" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("PagerDuty users");
  // The first by name: the users table is virtualised, so it is rendered without scrolling.
  const someone = [...sim.state.data.users.values()].sort((a, b) => a.name.localeCompare(b.name))[0]!;
  await expect(page.getByRole("link", { name: someone.name, exact: true })).toBeVisible();
  await page.screenshot({ path: `${SCREENS}/pd-users.png`, fullPage: true });

  // One user's access, every grant with its origin.
  await page.getByRole("link", { name: someone.name, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(someone.name);
  await expect(page.getByText(/baseline/i).first()).toBeVisible();
  await page.screenshot({ path: `${SCREENS}/pd-user-access.png`, fullPage: true });

  // Teams with members and roles.
  await page.goto(pd("teams"));
  const team = [...sim.state.data.teams.values()][0]!;
  await expect(page.getByText(team.name, { exact: true }).first()).toBeVisible();
  await page.screenshot({ path: `${SCREENS}/pd-teams.png`, fullPage: true });

  // Schedules: who is on call now is who PagerDuty says is on call now.
  await page.goto(pd("schedules"));
  const schedule = firstSchedule();
  const row = page.getByTestId("pd-schedule-row").filter({ hasText: schedule.name });
  await expect(row).toBeVisible();
  const now = sim.clock.date().toISOString();
  const { oncalls } = await pdGet<{ oncalls: { user: { id: string } }[] }>(`/oncalls?schedule_ids[]=${schedule.id}&since=${now}&until=${now}`);
  const onCallNames = [...new Set(oncalls.map((o) => sim.state.data.users.get(o.user.id)!.name))].sort();
  expect(onCallNames.length).toBeGreaterThan(0);
  // Exactly the people PagerDuty names, nobody else.
  const shown = [...new Set(await row.getByTestId("oncall-now").getByRole("link").allTextContents())].sort();
  expect(shown).toEqual(onCallNames);
  await page.screenshot({ path: `${SCREENS}/pd-schedules.png`, fullPage: true });

  // An out-of-band change in PagerDuty's web UI shows up as drift after the next sync, with who and when.
  await page.goto(pd("drift"));
  await expect(page.getByText(/No drift/)).toBeVisible();
  const owner = [...sim.state.data.users.values()].find((u) => u.role === "owner")!;
  const outsider = [...sim.state.data.users.values()].find((u) => u.role === "user" && !sim.state.membership(team.id, u.id))!;
  const edit = await fetch(`${sim.url}/__sim/edits`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ kind: "add_member", teamId: team.id, userId: outsider.id, role: "manager" }) });
  expect(edit.status).toBe(201);
  await page.goto("/admin/connections");
  await page.getByTestId(`connection-${NAME}`).getByRole("button", { name: "Sync now" }).click();
  await expect(page.getByTestId(`connection-${NAME}`).getByText(/Sync queued|already queued or running/)).toBeVisible();
  await expect
    .poll(
      async () => {
        await page.goto(pd("drift"));
        return page.getByTestId("drift-row").count();
      },
      { timeout: 60_000, intervals: [1_000] },
    )
    .toBeGreaterThan(0);
  const drift = page.getByTestId("drift-row").filter({ hasText: outsider.name });
  await expect(drift).toBeVisible();
  await expect(drift).toContainText(owner.name);
  await expect(drift).toContainText(/browser/i);
  await page.screenshot({ path: `${SCREENS}/pd-drift.png`, fullPage: true });

  await page.goto("/admin/connections");
  await page.screenshot({ path: `${SCREENS}/connections.png`, fullPage: true });

  // Nothing the portal sent to the browser holds the key (the right one or the refused one).
  const texts = await responses.texts();
  expect(texts.length).toBeGreaterThan(20);
  for (const secret of [sim.keys.full, WRONG_KEY]) expect(texts.filter((t) => t.includes(secret)).length, `responses containing ${secret.slice(0, 6)}…`).toBe(0);
});
