/**
 * npm run demo: the portal on its embedded default — PGlite in .data/demo and demo sign-in — at
 * http://localhost:3000, built for production, beside the bundled PagerDuty simulator (a seeded
 * organisation on http://127.0.0.1:4010). The portal shows a ready "Demo PagerDuty (simulator)"
 * connection that syncs.
 */
import { spawn } from "node:child_process";
import { ConfigError, parseEnv } from "../lib/config/env";
import { startSimulator } from "../simulator/index";

const port = Number(process.env.PORT ?? 3000);
const simulatorPort = Number(process.env.SIMULATOR_PORT ?? 4010);

const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: "production",
  DEMO_MODE: "true",
  PGLITE_DATA_DIR: process.env.PGLITE_DATA_DIR ?? ".data/demo",
  NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? `http://localhost:${port}`,
};
delete env.DATABASE_URL;

// Before anything starts: demo mode refuses beside a deployment's settings (an OIDC_* or a public
// NEXTAUTH_URL left in the shell), with the portal's own message (docs/decisions/0012-demo-guard.md).
try {
  parseEnv(env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

const sim = await startSimulator({ port: simulatorPort, seed: 1 });
// The one host besides PagerDuty's that the demo's portal may send a key to (lib/net/egress.ts).
env.SIMULATOR_URL = sim.url;
console.log(`PagerDuty simulator: ${sim.url}  (full key ${sim.keys.full}, read-only key ${sim.keys.readOnly})`);

// Before the portal starts: the embedded database has one owner at a time. Not spawnSync: the simulator
// runs in this process and must keep answering while the setup script checks the credential against it.
const setupStatus = await new Promise<number | null>((resolve) => {
  const setup = spawn("npx", ["tsx", "--conditions=react-server", "scripts/demo-connection.ts", sim.url, sim.keys.full], { stdio: "inherit", env });
  setup.on("error", () => resolve(null));
  setup.on("exit", (code) => resolve(code));
});
if (setupStatus !== 0) console.error("The demo connection could not be prepared; add one on the Connections page instead.");

const portal = spawn("npx", ["next", "start", "-p", String(port)], { stdio: "inherit", env });
console.log(`Portal: http://localhost:${port}  (demo mode: pick a person on the sign-in page)`);

const stop = (code: number) => {
  portal.kill("SIGTERM");
  void sim.close().finally(() => process.exit(code));
};
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));
portal.on("exit", (code) => {
  void sim.close().finally(() => process.exit(code ?? 0));
});
