import { existsSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";
import { E2E } from "./e2e/support/constants";

// Offline machines cannot download Playwright's browsers: use Debian's Chromium when present.
const systemChromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
// npm run test:any-time preloads libfaketime into every process; Chromium hangs under it, so the browser keeps
// the machine's clock (the portal's pages only measure intervals in the browser).
const browserEnv = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && k !== "LD_PRELOAD" && !k.startsWith("FAKETIME"))) as Record<string, string>;

export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  reporter: [["list"], ["json", { outputFile: "test-results/e2e.json" }]],
  outputDir: "test-results/e2e",
  use: {
    baseURL: E2E.portalUrl,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: systemChromium
      ? {
          executablePath: systemChromium,
          args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
          env: browserEnv,
        }
      : { env: browserEnv },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"] } }],
  webServer: [
    {
      command: "tsx e2e/support/oidc-server.ts",
      url: `${E2E.oidcIssuer}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 60_000,
    },
    {
      // A production build, on a fresh embedded database, in demo mode with OIDC configured.
      command: "tsx scripts/e2e-server.ts",
      url: `${E2E.portalUrl}/signin`,
      reuseExistingServer: false,
      timeout: 300_000,
      stdout: "pipe",
    },
  ],
});
