/**
 * The README's run command after its build step (`npm run demo` is `next build && tsx scripts/demo.ts`; the
 * e2e server has just built the portal): the launcher starts the simulator and the portal on a fresh
 * embedded database, with the "Demo PagerDuty (simulator)" connection ready, and its first sync completes
 * without anyone adding a connection.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { expect, test } from "@playwright/test";

const PORT = Number(process.env.E2E_DEMO_PORT ?? 3190);
const SIMULATOR_PORT = Number(process.env.E2E_DEMO_SIMULATOR_PORT ?? 4190);
const PORTAL = `http://localhost:${PORT}`;
const DATA_DIR = ".data/e2e-demo";
const NAME = "Demo PagerDuty (simulator)";

let launcher: ChildProcess;
let output = "";

test.beforeAll(async () => {
  test.setTimeout(180_000);
  rmSync(DATA_DIR, { recursive: true, force: true });
  mkdirSync("test-results/screens", { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(PORT), SIMULATOR_PORT: String(SIMULATOR_PORT), PGLITE_DATA_DIR: DATA_DIR, NEXTAUTH_URL: PORTAL };
  for (const key of ["DATABASE_URL", "OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"]) delete env[key];
  // Its own process group, so the portal it starts (through npx) stops with it.
  launcher = spawn(process.execPath, ["--import", "tsx", "scripts/demo.ts"], { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  launcher.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  launcher.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await expect
    .poll(async () => (await fetch(`${PORTAL}/signin`).catch(() => null))?.status ?? 0, { timeout: 150_000, intervals: [1_000] })
    .toBe(200);
});

test.afterAll(async () => {
  if (launcher?.pid) {
    try {
      process.kill(-launcher.pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  }
  rmSync(DATA_DIR, { recursive: true, force: true });
});

test("npm run demo starts the simulator and a portal whose demo connection syncs on its own", async ({ page }) => {
  test.setTimeout(120_000);
  expect(output).toContain(`PagerDuty simulator: http://127.0.0.1:${SIMULATOR_PORT}`);
  expect(output).toContain("Demo connection created");
  expect(output).not.toContain("could not be prepared");

  await page.goto(`${PORTAL}/signin`);
  await page.getByTestId("demo-person-alice.admin@example.com").click();
  await expect(page.getByTestId("dashboard-welcome")).toBeVisible();
  await page.goto(`${PORTAL}/admin/connections`);
  const card = page.getByTestId(`connection-${NAME}`);
  await expect(card).toBeVisible();
  // The sync queued by the launcher runs in the portal's embedded worker.
  await expect(async () => {
    await page.reload();
    await expect(card.getByTestId("freshness")).toHaveAttribute("data-state", "fresh", { timeout: 1_000 });
  }).toPass({ timeout: 90_000, intervals: [2_000] });
  await page.screenshot({ path: "test-results/screens/demo-connections.png", fullPage: true });

  await page.goto(`${PORTAL}/pagerduty/users`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("PagerDuty users");
  await expect(page.getByTestId("pd-user-row").first()).toBeVisible();
});
