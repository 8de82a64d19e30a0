/**
 * Jobs: "Sync now" queues one sync per connection (audited), the scheduler finds due connections, and a
 * worker runs the sync job to completion.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "@/simulator";
import type { Actor } from "@/lib/auth/session";
import { PortalRole } from "@/lib/generated/prisma/client";
import { Worker } from "@/lib/jobs";
import { SYNC_CONNECTION, dueConnections, requestSync } from "@/lib/sync/jobs";
import { createTestDb, type TestDb } from "../support/db";
import { connect, startSim } from "./support";
import { waitForOutcome } from "../jobs/support";

let t: TestDb;
let sim: RunningSimulator;
let c: string;
let admin: Actor;

beforeAll(async () => {
  t = await createTestDb();
  sim = await startSim({ seed: 9, size: { users: 150, teams: 8, schedules: 5, escalationPolicies: 5 } });
  c = await connect(t.prisma, sim);
  const p = await t.prisma.person.create({ data: { email: "ada.admin@example.com", name: "Ada Admin", roles: [PortalRole.ADMIN, PortalRole.MEMBER] } });
  admin = { personId: p.id, email: p.email, name: p.name, roles: p.roles };
});
afterAll(async () => {
  await sim?.close();
  await t?.close();
});

describe("jobs", () => {
  it("Sync now queues one sync per connection, audited; a worker runs it", async () => {
    expect(await dueConnections(t.prisma, new Date())).toContain(c);
    const first = await requestSync(t.prisma, c, admin);
    const again = await requestSync(t.prisma, c, admin);
    expect(first.created).toBe(true);
    expect(again).toEqual({ id: first.id, created: false });
    const requested = await t.prisma.auditEvent.findMany({ where: { action: "sync.requested", accountId: c } });
    expect(requested.map((e) => e.actorId)).toEqual([admin.personId, admin.personId]);

    const worker = new Worker({ db: t.prisma, pollMs: 20, schedules: false, names: [SYNC_CONNECTION], log: () => {} }).start();
    try {
      const job = await waitForOutcome(t.prisma, first.id, 60_000);
      expect(job.status, job.lastError ?? "").toBe("SUCCEEDED");
    } finally {
      await worker.stop({ timeoutMs: 5_000 });
    }
    const run = await t.prisma.syncRun.findFirstOrThrow({ where: { connectionId: c } });
    expect(run).toMatchObject({ status: "SUCCEEDED", trigger: "MANUAL", kind: "FULL", requestedById: admin.personId, jobId: first.id, phase: "done" });
    expect(await dueConnections(t.prisma, new Date())).not.toContain(c);
    expect(await dueConnections(t.prisma, new Date(Date.now() + 16 * 60_000))).toContain(c);
  });
});
