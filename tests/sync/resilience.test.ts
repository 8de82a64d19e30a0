/**
 * Faults and interruptions: with 5xx answers, 429 bursts and hung requests the sync still finishes with
 * the same picture as a fault-free one; a sync killed mid-way marks nothing removed and the next completes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "@/simulator";
import type { Db } from "@/lib/db";
import { createTestDb, type TestDb } from "../support/db";
import { connect, control, startSim, sync } from "./support";

let t: TestDb;
let sim: RunningSimulator;

beforeAll(async () => {
  t = await createTestDb();
  // A generous limit in 1-second windows: an injected 429 then says "reset in 1 s", not 60.
  sim = await startSim({ seed: 11, size: { users: 180, teams: 10, schedules: 6, escalationPolicies: 6 }, rateLimitPerMinute: 1_000_000, rateLimitWindowMs: 1_000 });
});
afterAll(async () => {
  await sim?.close();
  await t?.close();
});

/** Every synced row of a connection, without connection id and timestamps, sorted: comparable across connections. */
async function picture(db: Db, connectionId: string) {
  const live = { connectionId, removedAt: null };
  const strip = <T extends object>(rows: T[]) =>
    rows
      .map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).filter(([k]) => !["connectionId", "firstSeenAt", "lastSeenAt", "removedAt"].includes(k)))))
      .sort();
  return {
    users: strip(await db.pdUser.findMany({ where: live })),
    teams: strip(await db.pdTeam.findMany({ where: live })),
    memberships: strip(await db.pdTeamMembership.findMany({ where: live })),
    schedules: strip(await db.pdSchedule.findMany({ where: live })),
    layerMembers: strip(await db.pdScheduleLayerMember.findMany({ where: live })),
    policies: strip(await db.pdEscalationPolicy.findMany({ where: live })),
    targets: strip(await db.pdEscalationTarget.findMany({ where: live })),
    licenses: strip(await db.pdLicense.findMany({ where: live })),
    grants: (await db.grant.findMany({ where: live, select: { pdUserId: true, entitlementKey: true, origin: true } })).map((g) => `${g.pdUserId}|${g.entitlementKey}|${g.origin}`).sort(),
  };
}

const removedCount = async (db: Db, connectionId: string) => {
  const removed = { connectionId, removedAt: { not: null } };
  const counts = await Promise.all([
    db.pdUser.count({ where: removed }),
    db.pdTeam.count({ where: removed }),
    db.pdTeamMembership.count({ where: removed }),
    db.pdSchedule.count({ where: removed }),
    db.pdScheduleLayerMember.count({ where: removed }),
    db.pdEscalationPolicy.count({ where: removed }),
    db.pdEscalationTarget.count({ where: removed }),
    db.pdLicense.count({ where: removed }),
    db.grant.count({ where: removed }),
  ]);
  return counts.reduce((a, b) => a + b, 0);
};

describe("a sync under faults", () => {
  it("finishes, and the database equals a fault-free sync's", async () => {
    const clean = await connect(t.prisma, sim, undefined, { name: "clean" });
    expect((await sync(t.prisma, clean, { kind: "FULL" })).status).toBe("SUCCEEDED");

    await control(sim, "/faults", { errors: { probability: 0.1, statuses: [500, 502, 503] }, rateLimit: { burst: 3, probability: 0.03, length: 3 }, hang: { probability: 0.01 } });
    try {
      // Another credential (the read-only key) is another connection: its own rows, same account.
      const faulty = await connect(t.prisma, sim, { kind: "API_KEY", apiKey: sim.keys.readOnly }, { name: "faulty" });
      const result = await sync(t.prisma, faulty, { kind: "FULL", tuning: { timeoutMs: 500, retry: { attempts: 10, baseDelayMs: 5, maxDelayMs: 40, rateLimitRetries: 50 } } });
      expect(result.status, result.error).toBe("SUCCEEDED");
      const run = await t.prisma.syncRun.findUniqueOrThrow({ where: { id: result.runId } });
      // The opening burst alone is three 429s, each retried.
      expect(run.rateLimited).toBeGreaterThanOrEqual(3);
      expect(run.retries).toBeGreaterThanOrEqual(3);
      expect(await picture(t.prisma, faulty)).toEqual(await picture(t.prisma, clean));
    } finally {
      await control(sim, "/faults", {});
    }
  });
});

describe("a sync killed mid-way", () => {
  it("marks nothing removed, keeps the last good picture, and the next sync completes", async () => {
    const c = await connect(t.prisma, sim, { kind: "API_KEY", apiKey: sim.keys.user }, { name: "killed" });
    expect((await sync(t.prisma, c, { kind: "FULL" })).status).toBe("SUCCEEDED");
    const before = await picture(t.prisma, c);

    // A real change in PagerDuty that a completed sync would record as a removal.
    const [team] = [...sim.state.data.teams.values()];
    const [member] = sim.state.membersOfTeam(team!.id);
    await control(sim, "/edits", { kind: "remove_member", teamId: team!.id, userId: member!.userId });

    const killed = await sync(t.prisma, c, {
      kind: "FULL",
      onPage: (pages) => {
        if (pages === 8) throw new Error("killed after 8 pages");
      },
    });
    expect(killed).toMatchObject({ status: "FAILED", error: "killed after 8 pages" });
    expect(await removedCount(t.prisma, c)).toBe(0);
    expect(await picture(t.prisma, c)).toEqual(before);
    const failedRun = await t.prisma.syncRun.findUniqueOrThrow({ where: { id: killed.runId } });
    expect(failedRun).toMatchObject({ status: "FAILED", error: "killed after 8 pages" });
    const conn = await t.prisma.pagerDutyConnection.findUniqueOrThrow({ where: { id: c } });
    expect(conn.lastSyncAt!.getTime()).toBeGreaterThan(conn.lastSuccessfulSyncAt!.getTime());

    // Aborting through the job's signal is the same kind of stop.
    const abort = new AbortController();
    const aborted = await sync(t.prisma, c, { kind: "FULL", signal: abort.signal, onPage: (n) => n === 3 && abort.abort(new Error("stopped by the worker")) });
    expect(aborted.status).toBe("FAILED");
    expect(await removedCount(t.prisma, c)).toBe(0);

    const next = await sync(t.prisma, c, { kind: "FULL" });
    expect(next.status).toBe("SUCCEEDED");
    const gone = await t.prisma.pdTeamMembership.findUniqueOrThrow({ where: { connectionId_teamPdId_userPdId: { connectionId: c, teamPdId: team!.id, userPdId: member!.userId } } });
    expect(gone.removedAt).not.toBeNull();
    // Exactly that membership and its grant were removed; nothing else.
    expect(await removedCount(t.prisma, c)).toBe(2);
  });
});
