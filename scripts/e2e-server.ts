/** Builds the portal and serves it for Playwright on a fresh embedded database. */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { E2E } from "../e2e/support/constants";

rmSync(E2E.dataDir, { recursive: true, force: true });
// The portal's clock starts at the machine's; e2e/access.spec.ts moves it past an expiry, then back.
const clockFile = path.resolve(E2E.clockFile);
mkdirSync(path.dirname(clockFile), { recursive: true });
writeFileSync(clockFile, JSON.stringify({ offsetMs: 0 }));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: "production",
  DEMO_MODE: "true",
  PGLITE_DATA_DIR: E2E.dataDir,
  NEXTAUTH_URL: E2E.portalUrl,
  OIDC_ISSUER: E2E.oidcIssuer,
  OIDC_CLIENT_ID: E2E.oidcClientId,
  OIDC_CLIENT_SECRET: E2E.oidcClientSecret,
  OIDC_DISPLAY_NAME: "Example IdP",
  // The specs start simulators on 127.0.0.1 at random ports and enter them as the custom API base URL:
  // the test operator lists that host, as a deployment lists its proxy (lib/net/egress.ts).
  PAGERDUTY_ALLOWED_HOSTS: "127.0.0.1,localhost",
  PORTAL_CLOCK_FILE: clockFile,
};
delete env.DATABASE_URL;
if (process.env.E2E_SKIP_BUILD !== "1") {
  const build = spawnSync("npx", ["next", "build"], { stdio: "inherit", env });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const server = spawn("npx", ["next", "start", "-p", String(E2E.portalPort)], { stdio: "inherit", env });
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => server.kill(sig));
server.on("exit", (code) => process.exit(code ?? 0));
