/**
 * npm run demo: the portal on its embedded default — PGlite in .data/demo, the bundled PagerDuty
 * simulator with a seeded organisation, and demo sign-in — at http://localhost:3000.
 */
import { spawn } from "node:child_process";
import { startSimulator } from "../simulator/server";

const port = Number(process.env.PORT ?? 3000);
const simulatorPort = Number(process.env.SIMULATOR_PORT ?? 4010);

const sim = await startSimulator({ port: simulatorPort, seed: 42 });
console.log(`PagerDuty simulator: ${sim.url} (keys: docs/simulator.md)`);

const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: "production",
  DEMO_MODE: "true",
  PGLITE_DATA_DIR: process.env.PGLITE_DATA_DIR ?? ".data/demo",
  NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? `http://localhost:${port}`,
  SIMULATOR_URL: sim.url,
};
const portal = spawn("npx", ["next", "start", "-p", String(port)], { stdio: "inherit", env });
console.log(`Portal: http://localhost:${port}  (demo mode: pick a person on the sign-in page)`);

const stop = async (code: number) => {
  portal.kill("SIGTERM");
  await sim.close();
  process.exit(code);
};
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
portal.on("exit", (code) => void stop(code ?? 0));
