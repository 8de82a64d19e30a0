import { expect, type Page } from "@playwright/test";
import type { RunningSimulator } from "../../simulator/index";

/**
 * An administrator connects a simulated PagerDuty account through the Connections form and asks for its
 * first sync; returns the connection's id (the sync runs in the background: wait for its data).
 */
export async function connectSimulator(admin: Page, sim: RunningSimulator, name: string, purpose: string): Promise<string> {
  await admin.goto("/admin/connections");
  const form = admin.getByTestId("add-connection-form");
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Subdomain").fill("acme");
  await form.getByLabel("Custom API base URL (optional)").fill(sim.url);
  await form.getByLabel("API key", { exact: true }).fill(sim.keys.full);
  await form.getByLabel("Purpose").fill(purpose);
  await form.getByRole("button", { name: "Check and save" }).click();
  await expect(admin.getByTestId("add-connection-result")).toContainText("Connection saved");
  const connectionId = (await admin.getByTestId(`connection-${name}`).getByRole("link", { name }).getAttribute("href"))!.split("/").pop()!;
  await admin.getByTestId(`controls-${name}`).getByRole("button", { name: "Sync now" }).click();
  return connectionId;
}
