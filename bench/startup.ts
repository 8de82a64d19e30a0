/**
 * Time from `npm start` (next start) to the first page served, on the embedded default:
 * cold (empty data folder: migrations run first) and warm (existing data folder).
 * Needs a production build (`npm run build`). Prints numbers; asserts nothing.
 */
import { spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import net from "node:net";

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function timeToFirstPage(dataDir: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn("npx", ["next", "start", "-p", String(port)], {
    env: { ...process.env, NODE_ENV: "production", DEMO_MODE: "true", PGLITE_DATA_DIR: dataDir, WORKER: "off", DATABASE_URL: "" },
    stdio: "ignore",
  });
  try {
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/signin`);
        if (res.ok) return performance.now() - started;
      } catch {
        // not listening yet
      }
      if (performance.now() - started > 120_000) throw new Error("server did not answer within 120 s");
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  }
}

if (!existsSync(".next/BUILD_ID")) {
  console.error("No production build: run `npm run build` first.");
  process.exit(2);
}
const dir = ".data/bench-startup";
rmSync(dir, { recursive: true, force: true });
const cold = await timeToFirstPage(dir);
const warm: number[] = [];
for (let i = 0; i < 3; i++) warm.push(await timeToFirstPage(dir));
rmSync(dir, { recursive: true, force: true });
const median = [...warm].sort((a, b) => a - b)[1] ?? NaN;
console.log(JSON.stringify({ bench: "startup", coldMs: Math.round(cold), warmMedianMs: Math.round(median), warmRunsMs: warm.map(Math.round) }));
