/**
 * Acceptance (issue 11, item 7): on PostgreSQL, two `npm run worker` processes (scripts/worker.ts itself) and a
 * web-server-like process (fixtures/web-process.ts: "Sync now", a write-back decision, credential checks)
 * sync and write back against the simulator with PagerDuty's limit enforced — 960 requests a minute per
 * credential, the real minute — all through one credential. Asserted: no answer is a 429, and the wall time
 * (first to last request the simulator saw) stays within 1.1× of the least time the limit allows for that
 * many requests: floor((N − 1) / 960) whole minutes (the N-th request cannot be sent sooner).
 *
 * The work is sized to just over three minutes' budget (≥ 2,884 requests), so the test takes a little over
 * three minutes and its bound is 198 s. It is not skipped in the plain pass: it uses TEST_DATABASE_URL when set,
 * else the local server at 127.0.0.1:5432, and fails saying so when neither answers.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "@/simulator";
import { insertConnection } from "../connections/support/fixtures";
import { waitFor } from "../jobs/support";
import { createAdmin, mirrorOrganisation } from "../changes/support";
import { startTestSimulator } from "../simulator/support/simulator";
import { createTestDb, type TestDb } from "../support/db";

// A deployment's configuration (no demo mode), shared with the child processes: the same encryption key seals
// the credential here and opens it there.
const DEPLOYMENT = {
  DEMO_MODE: "false",
  NEXTAUTH_SECRET: "scale-out-test-secret-scale-out-test-0123",
  ENCRYPTION_KEY: Buffer.alloc(32, 11).toString("base64"),
  OIDC_ISSUER: "http://127.0.0.1:9/issuer",
  OIDC_CLIENT_ID: "portal",
  OIDC_CLIENT_SECRET: "unused",
  WORKER: "off",
};
Object.assign(process.env, DEPLOYMENT);

const LIMIT = 960;
const WINDOW_MS = 60_000;
// At least 2,884 requests (more only if something is re-read or retried): just over three minutes' budget, so
// little work is left for the fourth minute. Three minutes rather than one or two: the time the last few
// requests take on a loaded machine is a fixed cost, and it must fit in 10 % of the minimum. Most of the work is requests rather than database
// writes, so that on a loaded machine the limit sets the pace, not the database.
const SYNCED_CONNECTIONS = 8; // full syncs of the same account through the same key: 23 requests each
const MEMBERSHIPS = 200; // write-back changes: the PUT and one verification read each
const CHECKS = 1150; // credential checks in the web process: 2 requests each

const root = path.resolve(import.meta.dirname, "../..");
let sim: RunningSimulator;
let t: TestDb;
let workDir: string;
const arrivals = { first: 0, last: 0, count: 0, at: [] as number[] };

beforeAll(async () => {
  // The limiter's clock is the real one; reading it through this hook notes when each request arrived.
  const seen = () => {
    const now = Date.now();
    if (!arrivals.first) arrivals.first = now;
    arrivals.last = now;
    arrivals.count++;
    arrivals.at.push(now);
    return now;
  };
  sim = await startTestSimulator({ rateLimitPerMinute: LIMIT, rateLimitNow: seen, size: { users: 150, teams: 12, schedules: 6 } });
  t = await createTestDb({ postgres: true, install: false });
  workDir = mkdtempSync(path.join(tmpdir(), "portal-scale-out-"));
});
afterAll(async () => {
  await t?.close();
  await sim?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** Requests that arrived in each 10-second slice from the first one. */
function histogram(): number[] {
  const slices: number[] = [];
  for (const at of arrivals.at) {
    const i = Math.floor((at - arrivals.first) / 10_000);
    while (slices.length <= i) slices.push(0);
    slices[i]!++;
  }
  return slices;
}

function child(args: string[], label: string) {
  const env = { ...process.env, ...DEPLOYMENT, DATABASE_URL: t.url!, SIMULATOR_URL: sim.url, PAGERDUTY_ALLOWED_HOSTS: "127.0.0.1", DB_POOL_MAX: "10" };
  const proc = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", ...args], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  const output = { text: "" };
  proc.stdout.on("data", (d: Buffer) => (output.text += d.toString()));
  proc.stderr.on("data", (d: Buffer) => (output.text += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  return { label, proc, output, exited };
}

/** Memberships that do not exist yet, spread over the teams so that none passes 100 members (one page). */
function newMemberships(count: number) {
  const teams = sim.state.teamsOrdered();
  const users = sim.state.usersOrdered().filter((u) => !u.role.startsWith("read_only"));
  const pairs: { teamId: string; userId: string }[] = [];
  // Pass r gives user j team (j + r) mod T: each pass adds one membership per user, spread evenly over teams.
  for (let r = 0; r < teams.length && pairs.length < count; r++) {
    for (const [j, user] of users.entries()) {
      const team = teams[(j + r) % teams.length]!;
      if (!sim.state.membership(team.id, user.id)) pairs.push({ teamId: team.id, userId: user.id });
      if (pairs.length === count) break;
    }
  }
  return pairs;
}

describe("one rate budget per credential across processes (PostgreSQL)", () => {
  it("two workers and a web server sync and write back under 960/min: no 429, within 1.1× of the limit's minimum", async () => {
    const db = t.prisma;
    const owner = await createAdmin(db, "owner");
    const connect = () => insertConnection(db, { ownerPersonId: owner.id, apiBaseUrl: sim.url, apiKey: sim.keys.full });
    const writeBack = await connect();
    await mirrorOrganisation(db, writeBack.id, sim.state);
    // Synced already (so no schedule syncs it meanwhile), and no brake: this batch is meant to go through.
    await db.pagerDutyConnection.update({ where: { id: writeBack.id }, data: { lastSyncAt: new Date() } });
    await db.changePolicy.create({ data: { connectionId: writeBack.id, brakeUserShare: 1 } });
    const synced: { id: string }[] = [];
    for (let i = 0; i < SYNCED_CONNECTIONS; i++) synced.push(await connect());
    // Only the web server's "Sync now" syncs them: the workers' schedule finds them recently synced.
    await db.pagerDutyConnection.updateMany({ where: { id: { in: synced.map((c) => c.id) } }, data: { lastSyncAt: new Date() } });
    const memberships = newMemberships(MEMBERSHIPS);
    expect(memberships).toHaveLength(MEMBERSHIPS);
    const workFile = path.join(workDir, "work.json");
    writeFileSync(workFile, JSON.stringify({ syncConnectionIds: synced.map((c) => c.id), changeConnectionId: writeBack.id, memberships, checks: CHECKS }));

    const workers = ["worker-1", "worker-2"].map((id) => child(["scripts/worker.ts", "--concurrency", "8", "--poll-ms", "100"], id));
    const processes = [...workers];
    try {
      await waitFor(async () => workers.every((w) => w.output.text.includes("worker started")), 120_000, 100);
      const web = child(["tests/rate-budget/fixtures/web-process.ts", workFile], "web");
      processes.push(web);
      expect(await web.exited, web.output.text).toBe(0);
      const webReport = JSON.parse(web.output.text.trim().split("\n").pop()!) as { changes: number; held: boolean; sharedBudget: boolean; budget: { granted: number; roundTrips: number } };
      expect(webReport).toMatchObject({ changes: MEMBERSHIPS, held: false, sharedBudget: true });

      // Everything done: every sync finished, every change verified.
      await waitFor(
        async () => {
          const runs = await db.syncRun.count({ where: { connectionId: { in: synced.map((c) => c.id) }, status: { in: ["SUCCEEDED", "FAILED"] } } });
          const open = await db.changeRequest.count({ where: { connectionId: writeBack.id, status: { notIn: ["VERIFIED", "UNVERIFIED", "FAILED", "CANCELLED"] } } });
          return runs === SYNCED_CONNECTIONS && open === 0;
        },
        300_000,
        250,
      );
      for (const w of workers) w.proc.kill("SIGTERM");
      expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0]);

      const runs = await db.syncRun.findMany({ where: { connectionId: { in: synced.map((c) => c.id) } } });
      expect(runs.map((r) => r.status)).toEqual(Array(SYNCED_CONNECTIONS).fill("SUCCEEDED"));
      const changes = await db.changeRequest.groupBy({ by: ["status"], where: { connectionId: writeBack.id }, _count: true });
      expect(changes).toEqual([{ status: "VERIFIED", _count: MEMBERSHIPS }]);

      const stats = sim.stats();
      const requests = stats.requests.total;
      const tooMany = stats.byStatus["429"] ?? 0;
      const wallMs = arrivals.last - arrivals.first;
      const minimumMs = Math.floor((requests - 1) / LIMIT) * WINDOW_MS;
      const budget = await db.pagerDutyRateBudget.findMany();
      const line = [
        `requests ${requests} (${JSON.stringify(stats.requests.byRoute)})`,
        `429 answers ${tooMany}`,
        `wall ${(wallMs / 1000).toFixed(1)} s vs the limit's minimum ${(minimumMs / 1000).toFixed(0)} s (${(wallMs / minimumMs).toFixed(3)}×, bound 1.1×)`,
        `requests per 10 s: ${histogram().join(" ")}`,
        `shared budget: ${budget.map((b) => `${b.granted} granted in ${b.reservations} reservations`).join("; ")}; web process ${webReport.budget.granted} requests in ${webReport.budget.roundTrips} round trips`,
      ].join("\n  ");
      console.info(`[scale-out] ${line}`);

      expect(arrivals.count).toBe(requests); // every PagerDuty request passed the limiter
      expect(tooMany).toBe(0);
      expect(stats.rateLimited).toBe(0);
      expect(minimumMs).toBeGreaterThanOrEqual(3 * WINDOW_MS); // the limit, not the work, set the pace
      expect(wallMs).toBeLessThanOrEqual(1.1 * minimumMs);
      expect(budget).toHaveLength(1); // one credential, one budget, whichever process or connection
    } finally {
      for (const p of processes) if (p.proc.exitCode === null) p.proc.kill("SIGKILL");
    }
  }, 600_000);
});
