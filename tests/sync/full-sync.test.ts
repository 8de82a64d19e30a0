/**
 * A full sync against the simulator over HTTP: the database equals the simulator's account, in close to
 * the minimum number of requests; a second sync changes nothing; grants are the baseline.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "@/simulator";
import { createTestDb, type TestDb } from "../support/db";
import { connect, pd, startSim, sync } from "./support";

let t: TestDb;
let sim: RunningSimulator;
let connectionId: string;

beforeAll(async () => {
  t = await createTestDb();
  sim = await startSim({ seed: 7, size: { users: 250, teams: 12, schedules: 8, escalationPolicies: 8 } });
  connectionId = await connect(t.prisma, sim);
});
afterAll(async () => {
  await sim?.close();
  await t?.close();
});

describe("full sync", () => {
  it("stores exactly the simulator's users, teams, memberships, schedules, policies and licenses", async () => {
    const result = await sync(t.prisma, connectionId, { kind: "FULL" });
    expect(result).toMatchObject({ status: "SUCCEEDED", kind: "FULL" });
    const data = sim.state.data;
    const live = { connectionId, removedAt: null };
    expect(await t.prisma.pdUser.count({ where: live })).toBe(data.users.size);
    expect(await t.prisma.pdTeam.count({ where: live })).toBe(data.teams.size);
    expect(await t.prisma.pdTeamMembership.count({ where: live })).toBe(data.memberships.size);
    expect(await t.prisma.pdSchedule.count({ where: live })).toBe(data.schedules.size);
    expect(await t.prisma.pdEscalationPolicy.count({ where: live })).toBe(data.escalationPolicies.size);
    expect(await t.prisma.pdLicense.count({ where: live })).toBe(data.licenses.size);

    // Spot checks, one per entity.
    const simUser = [...data.users.values()][17]!;
    const user = await t.prisma.pdUser.findUniqueOrThrow({ where: { connectionId_pdId: { connectionId, pdId: simUser.id } } });
    expect(user).toMatchObject({ name: simUser.name, email: simUser.email, emailLower: simUser.email.toLowerCase(), role: simUser.role, timeZone: simUser.time_zone, licensePdId: simUser.licenseId, invitationPending: simUser.invitation_sent });
    const m = [...data.memberships.values()][5]!;
    expect(await t.prisma.pdTeamMembership.findUniqueOrThrow({ where: { connectionId_teamPdId_userPdId: { connectionId, teamPdId: m.teamId, userPdId: m.userId } } })).toMatchObject({ role: m.role });
    const s = [...data.schedules.values()][0]!;
    const layerRows = await t.prisma.pdScheduleLayerMember.findMany({ where: { connectionId, schedulePdId: s.id, removedAt: null }, orderBy: [{ layerId: "asc" }, { position: "asc" }] });
    expect(layerRows.length).toBe(s.layers.reduce((n, l) => n + l.users.length, 0));
    const firstLayer = s.layers[0]!;
    expect(layerRows.filter((r) => r.layerId === firstLayer.id).map((r) => r.userPdId)).toEqual(firstLayer.users);
    const p = [...data.escalationPolicies.values()][0]!;
    expect(await t.prisma.pdEscalationPolicy.findUniqueOrThrow({ where: { connectionId_pdId: { connectionId, pdId: p.id } } })).toMatchObject({ name: p.name, teamPdId: p.teamId, numLoops: p.num_loops });
    const targets = await t.prisma.pdEscalationTarget.count({ where: { connectionId, policyPdId: p.id, removedAt: null } });
    expect(targets).toBe(new Set(p.rules.flatMap((r, i) => r.targets.map((x) => `${i}|${x.type}|${x.id}`))).size);
    expect(await t.prisma.pdOncallShift.count({ where: live })).toBeGreaterThan(0);

    // Grants: one base role per user, one per membership, one per (schedule, user); all baseline.
    const scheduleHolders = new Set([...data.schedules.values()].flatMap((x) => x.layers.flatMap((l) => l.users.map((u) => `${x.id}|${u}`)))).size;
    expect(await t.prisma.grant.count({ where: { connectionId, removedAt: null } })).toBe(data.users.size + data.memberships.size + scheduleHolders);
    expect(await t.prisma.grant.count({ where: { connectionId, origin: { not: "BASELINE" } } })).toBe(0);

    const run = await t.prisma.syncRun.findUniqueOrThrow({ where: { id: result.runId } });
    expect(run).toMatchObject({ status: "SUCCEEDED", phase: "done", requests: result.requests });
    expect((run.changes as Record<string, { created: number }>).users?.created).toBe(data.users.size);
    const conn = await t.prisma.pagerDutyConnection.findUniqueOrThrow({ where: { id: connectionId } });
    expect(conn.lastSuccessfulSyncAt).not.toBeNull();
    expect(conn.baselineAt).not.toBeNull();
    expect(conn.lastUsedAt).not.toBeNull();
    const events = await t.prisma.auditEvent.findMany({ where: { accountId: connectionId }, select: { action: true } });
    expect(events.map((e) => e.action)).toEqual(["sync.started", "sync.finished"]);
  });

  it("uses at most 1.1 × the minimum requests computed from the organisation", async () => {
    const data = sim.state.data;
    const pages = (n: number) => Math.max(1, Math.ceil(n / 100));
    const oncalls = await t.prisma.pdOncallShift.count({ where: { connectionId, removedAt: null } });
    const members = [...data.teams.keys()].reduce((n, id) => n + pages(sim.state.membersOfTeam(id).length), 0);
    const minimum = 1 + pages(data.users.size) * 2 + 1 + pages(data.teams.size) + members + pages(data.schedules.size) + pages(data.escalationPolicies.size) + pages(oncalls);
    const result = await sync(t.prisma, connectionId, { kind: "FULL" });
    expect(result.status).toBe("SUCCEEDED");
    expect(result.requests).toBeLessThanOrEqual(Math.floor(minimum * 1.1) + 1);
  });

  it("stored on-call shifts say who is on call at any minute, as the simulator's /oncalls does", async () => {
    const at = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 30_000);
    for (const s of sim.state.data.schedules.values()) {
      const res = await pd(sim, `/oncalls?schedule_ids[]=${s.id}&since=${at.toISOString()}&until=${at.toISOString()}&limit=100`);
      const expected = new Set((res.body.oncalls as { user: { id: string } }[]).map((o) => o.user.id));
      const stored = await t.prisma.pdOncallShift.findMany({ where: { connectionId, schedulePdId: s.id, removedAt: null, start: { lte: at }, end: { gt: at } }, select: { userPdId: true } });
      expect(new Set(stored.map((x) => x.userPdId))).toEqual(expected);
    }
  });

  it("a second sync of an unchanged account changes nothing", async () => {
    const result = await sync(t.prisma, connectionId, { kind: "FULL" });
    const run = await t.prisma.syncRun.findUniqueOrThrow({ where: { id: result.runId } });
    const changes = run.changes as Record<string, { created: number; updated: number; removed: number }>;
    // On-call shifts move with the clock (the horizon starts at now); everything else must be untouched.
    for (const [entity, c] of Object.entries(changes)) if (entity !== "oncalls") expect({ entity, ...c }).toEqual({ entity, created: 0, updated: 0, removed: 0 });
    expect(Object.keys(changes)).toEqual(expect.arrayContaining(["users", "memberships", "grants"]));
  });
});
