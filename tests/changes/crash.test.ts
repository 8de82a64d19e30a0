/**
 * Crash safety: 200 changes pending or in flight, the worker dies (a worker PROCESS killed with SIGKILL on
 * PostgreSQL; on PGlite, which is one connection in one process, a worker abandoned mid-flight), another
 * worker takes over when the leases expire, and every change is applied exactly once (the simulator's audit
 * records and its stats show one write each) and verified.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configurePipeline } from "@/lib/changes";
import { Worker } from "@/lib/jobs";
import { APPLY_CHANGE_JOB } from "@/lib/changes/queue";
import type { RunningSimulator } from "@/simulator";
import { control, startTestSimulator } from "../simulator/support/simulator";
import { createTestDb, type TestDb } from "../support/db";
import { adminCause, connectTo, memberRecords, mirrorOrganisation, requestChanges, settled, system, waitFor } from "./support";

const root = path.resolve(import.meta.dirname, "../..");
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);
const COUNT = 200;
const PUT = "PUT /teams/{id}/users/{user_id}";

let sim: RunningSimulator;
let t: TestDb;

beforeAll(async () => {
  // Latency keeps requests in flight when the worker dies.
  sim = await startTestSimulator({ rateLimitPerMinute: 0, latencyMs: 15, size: { users: 260, teams: 10 } });
  t = await createTestDb();
  configurePipeline({ verifyDelayMs: 20, applyDelayMs: 50, client: { baseDelayMs: 20 } });
});
afterAll(async () => {
  configurePipeline({});
  await t?.close();
  await sim?.close();
});

/** 200 new memberships, each for a different user (so they may all run at once), in one approved-size batch. */
async function createTwoHundred() {
  const db = t.prisma;
  const connection = await connectTo(db, sim);
  await mirrorOrganisation(db, connection.id, sim.state);
  await db.changePolicy.create({ data: { connectionId: connection.id, brakeUserShare: 1 } });
  const teams = sim.state.teamsOrdered();
  const pairs = sim.state
    .usersOrdered()
    .filter((u) => !u.role.startsWith("read_only"))
    .map((u) => ({ userId: u.id, teamId: teams.find((tm) => !sim.state.membership(tm.id, u.id))?.id }))
    .filter((p): p is { userId: string; teamId: string } => Boolean(p.teamId))
    .slice(0, COUNT);
  expect(pairs).toHaveLength(COUNT);
  const created = await requestChanges(db, { connectionId: connection.id, cause: adminCause(), requestedBy: system, changes: pairs.map((p) => ({ spec: { kind: "team_member_put" as const, ...p, role: "responder" as const } })) });
  expect(created.held).toBe(false);
  return { pairs, ids: created.changes.map((c) => c.id) };
}

const writes = () => sim.stats().writes[PUT] ?? 0;

async function expectExactlyOnceAndVerified(pairs: { teamId: string; userId: string }[], ids: string[]) {
  const rows = await settled(t.prisma, ids, 240_000);
  expect(rows.filter((r) => r.status !== "VERIFIED")).toEqual([]);
  // The simulator's own count over its control API: one applied PUT per change, none repeated.
  const { body: stats } = await control(sim, "/stats");
  expect(stats.writes[PUT]).toBe(COUNT);
  const twice = pairs.filter((p) => memberRecords(sim.state, p.teamId, p.userId).length !== 2);
  expect(twice).toEqual([]);
  for (const p of pairs) expect(sim.state.membership(p.teamId, p.userId)?.role).toBe("responder");
}

describe("crash safety", () => {
  if (onPostgres) {
    it("a worker process killed with SIGKILL mid-flight: all 200 applied exactly once and verified after a restart", async () => {
      const { pairs, ids } = await createTwoHundred();
      const first = startWorkerProcess("crash-1");
      try {
        await waitFor(async () => first.output.text.includes("ready"), 30_000);
        await waitFor(async () => writes() >= 40, 240_000, 5);
        first.child.kill("SIGKILL");
        await first.exited;
      } finally {
        if (first.child.exitCode === null) first.child.kill("SIGKILL");
      }
      const unsettled = await t.prisma.changeRequest.count({ where: { id: { in: ids }, status: { notIn: ["VERIFIED"] } } });
      expect(unsettled).toBeGreaterThan(0);
      expect(await t.prisma.changeRequest.count({ where: { id: { in: ids }, status: { in: ["APPLYING", "APPLIED"] } } })).toBeGreaterThan(0);

      const second = startWorkerProcess("crash-2");
      try {
        await expectExactlyOnceAndVerified(pairs, ids);
      } finally {
        second.child.kill("SIGKILL");
        await second.exited;
      }
    }, 300_000);
  } else {
    it("a worker abandoned mid-flight (PGlite: one process): all 200 applied exactly once and verified by the next worker", async () => {
      // Leases of seconds: a live worker stalled by a loaded machine must not lose a change to another attempt
      // (two attempts side by side can both find PagerDuty unchanged and both write).
      const { pairs, ids } = await createTwoHundred();
      const worker = (id: string) => new Worker({ db: t.prisma, id, concurrency: 8, pollMs: 20, leaseMs: 6_000, heartbeatMs: 500, schedules: false, names: [APPLY_CHANGE_JOB], log: () => {} }).start();
      const first = worker("crash-1");
      await waitFor(async () => writes() >= 40, 60_000, 5);
      await first.abandon();
      expect(await t.prisma.changeRequest.count({ where: { id: { in: ids }, status: { in: ["APPLYING", "APPLIED"] } } })).toBeGreaterThan(0);
      const second = worker("crash-2");
      try {
        await expectExactlyOnceAndVerified(pairs, ids);
      } finally {
        await second.stop({ timeoutMs: 5_000 });
      }
    }, 300_000);
  }
});

function startWorkerProcess(id: string) {
  const child = spawn(process.execPath, ["--import", "tsx", "tests/changes/fixtures/change-worker.ts", t.url!, id], { cwd: root, env: { ...process.env, DEMO_MODE: "true" }, stdio: ["ignore", "pipe", "pipe"] });
  const output = { text: "" };
  child.stdout.on("data", (d: Buffer) => (output.text += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output.text += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output, exited };
}
