import { expect, type Page } from "@playwright/test";
import type { RunningSimulator } from "../../simulator/index";

/** An admin adds a connection to the simulator on the Connections page; returns the connection's id. */
export async function addSimulatorConnection(page: Page, sim: RunningSimulator, name: string, purpose: string): Promise<string> {
  await page.goto("/admin/connections");
  const form = page.getByTestId("add-connection-form");
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Subdomain").fill("acme");
  await form.getByLabel("Custom API base URL (optional)").fill(sim.url);
  await form.getByLabel("API key", { exact: true }).fill(sim.keys.full);
  await form.getByLabel("Purpose").fill(purpose);
  await form.getByRole("button", { name: "Check and save" }).click();
  await expect(page.getByTestId("add-connection-result")).toContainText("Connection saved");
  return (await page.getByTestId(`connection-${name}`).getByRole("link", { name }).getAttribute("href"))!.split("/").pop()!;
}
