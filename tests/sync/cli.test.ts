/**
 * `npm run sync -- --api-url <url> --token <key> [--full]` as a person runs it: a separate process, its own
 * embedded database, the simulator over HTTP. Its last line is the JSON summary; the key appears in
 * nothing it prints, also when PagerDuty refuses it.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "@/simulator";
import { startSim } from "./support";

let sim: RunningSimulator;
let dataDir: string;

beforeAll(async () => {
  sim = await startSim({ seed: 13, size: { users: 60, teams: 5, schedules: 3, escalationPolicies: 3 } });
  dataDir = mkdtempSync(path.join(tmpdir(), "sync-cli-"));
});
afterAll(async () => {
  await sim?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, PGLITE_DATA_DIR: dataDir, DEMO_MODE: "true" };
  delete env.DATABASE_URL;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/sync.ts", ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

const lastJson = (stdout: string) => JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as Record<string, number | string>;

describe("npm run sync", () => {
  it("syncs the account and prints the summary as its last line; a refused key fails plainly, never printed", async () => {
    const ok = await runCli(["--api-url", sim.url, "--token", sim.keys.full, "--full"]);
    expect(ok.code, ok.stderr).toBe(0);
    const summary = lastJson(ok.stdout);
    const d = sim.state.data;
    expect(summary).toMatchObject({ users: d.users.size, teams: d.teams.size, memberships: d.memberships.size, schedules: d.schedules.size, escalationPolicies: d.escalationPolicies.size });
    expect(Object.keys(summary)).toEqual(["requests", "users", "teams", "memberships", "schedules", "escalationPolicies", "oncalls", "durationMs"]);
    expect(summary.requests).toBeGreaterThan(5);
    expect(summary.oncalls).toBeGreaterThan(0);

    const wrong = "sim+refused_CliKey-0042";
    const refused = await runCli(["--api-url", sim.url, "--token", wrong]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Sync failed: .*401/);
    expect(lastJson(refused.stdout)).toMatchObject({ users: 0, error: expect.stringMatching(/401/) });
    for (const out of [ok.stdout, ok.stderr, refused.stdout, refused.stderr]) {
      expect(out).not.toContain(sim.keys.full);
      expect(out).not.toContain(wrong);
    }
  }, 300_000);
});
