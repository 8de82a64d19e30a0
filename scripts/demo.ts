/**
 * npm run demo: the portal on its embedded default — PGlite in .data/demo and demo sign-in — at
 * http://localhost:3000, built for production.
 */
import { spawn } from "node:child_process";

const port = Number(process.env.PORT ?? 3000);

const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: "production",
  DEMO_MODE: "true",
  PGLITE_DATA_DIR: process.env.PGLITE_DATA_DIR ?? ".data/demo",
  NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? `http://localhost:${port}`,
};
delete env.DATABASE_URL;
const portal = spawn("npx", ["next", "start", "-p", String(port)], { stdio: "inherit", env });
console.log(`Portal: http://localhost:${port}  (demo mode: pick a person on the sign-in page)`);

const stop = (code: number) => {
  portal.kill("SIGTERM");
  process.exit(code);
};
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));
portal.on("exit", (code) => process.exit(code ?? 0));
