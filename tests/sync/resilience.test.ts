/**
 * Faults and interruptions: with 5xx answers, 429 bursts and hung requests the sync still finishes with
 * the same picture as a fault-free one; a sync killed mid-way marks nothing removed and the next completes.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "@/simulator";
import type { Db } from "@/lib/db";
import { createTestDb, type TestDb } from "../support/db";
import { INTERRUPTED } from "@/lib/sync/run";
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

/**
 * Every synced row of a connection, without connection id and timestamps, sorted: comparable across
 * connections. On-call shifts move with the clock (each run lists those overlapping its own horizon), so
 * only the shifts overlapping `shiftWindow` — inside every compared run's horizon — are compared.
 */
async function picture(db: Db, connectionId: string, shiftWindow?: { from: Date; to: Date }) {
  const live = { connectionId, removedAt: null };
  const shifts = shiftWindow
    ? await db.pdOncallShift.findMany({
        where: { ...live, AND: [{ OR: [{ end: null }, { end: { gt: shiftWindow.from } }] }, { OR: [{ start: null }, { start: { lt: shiftWindow.to } }] }] },
        select: { shiftKey: true },
      })
    : [];
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
    oncalls: shifts.map((x) => x.shiftKey).sort(),
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
      // Shifts overlapping [now, first run's start + horizon] lie inside both runs' horizons.
      const firstStart = (await t.prisma.syncRun.findFirstOrThrow({ where: { connectionId: clean }, orderBy: { startedAt: "asc" } })).startedAt;
      const conn = await t.prisma.pagerDutyConnection.findUniqueOrThrow({ where: { id: clean } });
      const window = { from: new Date(), to: new Date(firstStart.getTime() + conn.oncallHorizonDays * 86_400_000) };
      const expected = await picture(t.prisma, clean, window);
      expect(expected.oncalls.length).toBeGreaterThan(10);
      expect(await picture(t.prisma, faulty, window)).toEqual(expected);
    } finally {
      await control(sim, "/faults", {});
    }
  });
});

/** Live rows per entity, and what the simulator holds now: a killed run may not have removed anything that still exists. */
async function liveVsSimulator(db: Db, connectionId: string) {
  const live = { connectionId, removedAt: null };
  const d = sim.state.data;
  return {
    stored: {
      users: new Set((await db.pdUser.findMany({ where: live, select: { pdId: true } })).map((x) => x.pdId)),
      teams: new Set((await db.pdTeam.findMany({ where: live, select: { pdId: true } })).map((x) => x.pdId)),
      memberships: new Set((await db.pdTeamMembership.findMany({ where: live })).map((m) => `${m.teamPdId}|${m.userPdId}`)),
      schedules: new Set((await db.pdSchedule.findMany({ where: live, select: { pdId: true } })).map((x) => x.pdId)),
      policies: new Set((await db.pdEscalationPolicy.findMany({ where: live, select: { pdId: true } })).map((x) => x.pdId)),
    },
    simulator: {
      users: [...d.users.keys()],
      teams: [...d.teams.keys()],
      memberships: [...d.memberships.values()].map((m) => `${m.teamId}|${m.userId}`),
      schedules: [...d.schedules.keys()],
      policies: [...d.escalationPolicies.keys()],
    },
  };
}

const PHASES = ["users", "licenses", "teams", "memberships", "schedules", "policies", "oncalls", "grants"];

describe("a sync killed mid-way", () => {
  it("at any phase or page: nothing that still exists is marked removed, the last good picture stays, and the next sync completes", async () => {
    const c = await connect(t.prisma, sim, { kind: "API_KEY", apiKey: sim.keys.user }, { name: "killed" });
    const first = await sync(t.prisma, c, { kind: "FULL" });
    expect(first.status).toBe("SUCCEEDED");
    const before = await picture(t.prisma, c);
    const totalPages = (await t.prisma.syncRun.findUniqueOrThrow({ where: { id: first.runId } })).pagesFetched;
    expect(totalPages).toBeGreaterThan(15);

    // A real change in PagerDuty that a completed sync records as a removal.
    const [team] = [...sim.state.data.teams.values()];
    const [member] = sim.state.membersOfTeam(team!.id);
    await control(sim, "/edits", { kind: "remove_member", teamId: team!.id, userId: member!.userId });

    // Killed before a page arrived: the picture is untouched.
    const early = await sync(t.prisma, c, { kind: "FULL", onPage: (pages) => { if (pages === 8) throw new Error("killed after 8 pages"); } });
    expect(early).toMatchObject({ status: "FAILED", error: "killed after 8 pages" });
    expect(await removedCount(t.prisma, c)).toBe(0);
    expect(await picture(t.prisma, c)).toEqual(before);
    const conn = await t.prisma.pagerDutyConnection.findUniqueOrThrow({ where: { id: c } });
    expect(conn.lastSyncAt!.getTime()).toBeGreaterThan(conn.lastSuccessfulSyncAt!.getTime());

    // Killed at every phase and at pages spread over the run (the writes of listings that completed may
    // land; nothing still in PagerDuty may be marked removed, and no removal may come from a partial listing).
    const kills: Partial<Parameters<typeof sync>[2]>[] = [
      ...PHASES.map((phase) => ({ onPhase: (p: string) => { if (p === phase) throw new Error(`killed at ${phase}`); } })),
      ...[1, 3, 5, 12, totalPages - 1].map((n) => ({ onPage: (pages: number) => { if (pages === n) throw new Error(`killed after ${n} pages`); } })),
    ];
    for (const kill of kills) {
      const killed = await sync(t.prisma, c, { kind: "FULL", ...kill });
      expect(killed.status).toBe("FAILED");
      expect(killed.error).toMatch(/^killed /);
      const { stored, simulator } = await liveVsSimulator(t.prisma, c);
      for (const [entity, ids] of Object.entries(simulator)) for (const id of ids) expect({ entity, id, live: stored[entity as keyof typeof stored].has(id) }).toEqual({ entity, id, live: true });
      // At most the one membership really removed (and its grant) is marked removed.
      expect(await removedCount(t.prisma, c)).toBeLessThanOrEqual(2);
      const run = await t.prisma.syncRun.findUniqueOrThrow({ where: { id: killed.runId } });
      expect(run.status).toBe("FAILED");
    }

    // Aborting through the job's signal is the same kind of stop.
    const abort = new AbortController();
    const aborted = await sync(t.prisma, c, { kind: "FULL", signal: abort.signal, onPage: (n) => n === 3 && abort.abort(new Error("stopped by the worker")) });
    expect(aborted).toMatchObject({ status: "FAILED", error: "stopped by the worker" });

    // A process that died mid-sync leaves its run RUNNING: the next run closes it as interrupted.
    const dead = await t.prisma.syncRun.create({ data: { id: randomUUID(), connectionId: c, kind: "FULL", trigger: "SCHEDULE", phase: "memberships", startedAt: new Date(Date.now() - 60_000), progressAt: new Date(Date.now() - 50_000) } });

    const next = await sync(t.prisma, c, { kind: "FULL" });
    expect(next.status).toBe("SUCCEEDED");
    expect(await t.prisma.syncRun.findUniqueOrThrow({ where: { id: dead.id } })).toMatchObject({ status: "FAILED", error: INTERRUPTED });
    expect(await t.prisma.syncRun.count({ where: { connectionId: c, status: "RUNNING" } })).toBe(0);
    const gone = await t.prisma.pdTeamMembership.findUniqueOrThrow({ where: { connectionId_teamPdId_userPdId: { connectionId: c, teamPdId: team!.id, userPdId: member!.userId } } });
    expect(gone.removedAt).not.toBeNull();
    // Exactly that membership and its grant were removed; nothing else.
    expect(await removedCount(t.prisma, c)).toBe(2);
    const { stored, simulator } = await liveVsSimulator(t.prisma, c);
    for (const [entity, ids] of Object.entries(simulator)) expect(stored[entity as keyof typeof stored].size).toBe(ids.length);
  });
});
