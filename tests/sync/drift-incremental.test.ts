/**
 * Drift and incremental sync: an out-of-band change made in PagerDuty (the simulator's web-UI edits) shows
 * up after the next sync as a DRIFT grant with who, how and when; changes made through the API are applied
 * from the audit trail by an incremental sync that re-reads only what the records cannot tell.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "@/simulator";
import { createTestDb, type TestDb } from "../support/db";
import { connect, control, pd, startSim, sync } from "./support";

let t: TestDb;
let sim: RunningSimulator;
let c: string;
let fullRequests = 0;

beforeAll(async () => {
  t = await createTestDb();
  sim = await startSim({ seed: 3, size: { users: 300, teams: 12, schedules: 6, escalationPolicies: 6 } });
  c = await connect(t.prisma, sim);
  const first = await sync(t.prisma, c, { kind: "FULL" });
  expect(first.status, first.error).toBe("SUCCEEDED");
  fullRequests = first.requests;
});
afterAll(async () => {
  await sim?.close();
  await t?.close();
});

const ownerId = () => [...sim.state.data.users.values()].find((u) => u.role === "owner")!.id;
const outsider = (teamId: string) => [...sim.state.data.users.values()].find((u) => u.role !== "owner" && u.role !== "read_only_user" && u.role !== "read_only_limited_user" && !sim.state.membership(teamId, u.id))!;

describe("drift", () => {
  it("an out-of-band membership and role change show up as drift with actor, method and time", async () => {
    const team = [...sim.state.data.teams.values()][2]!;
    const user = outsider(team.id);
    const records = ((await control(sim, "/edits", { kind: "add_member", teamId: team.id, userId: user.id, role: "manager" })).body as { audit_records: { id: string; execution_time: string }[] }).audit_records;
    // Adding a member writes two records (member added, role set); the newest explains the grant as it is.
    const added = records[records.length - 1];
    const promoted = [...sim.state.data.users.values()].find((u) => u.role === "limited_user")!;
    await control(sim, "/edits", { kind: "set_role", userId: promoted.id, role: "admin" });

    const result = await sync(t.prisma, c, { kind: "FULL" });
    expect(result.status, result.error).toBe("SUCCEEDED");
    const owner = sim.state.data.users.get(ownerId())!;

    const membership = await t.prisma.grant.findFirstOrThrow({ where: { connectionId: c, pdUserId: user.id, entitlementKey: `team:${team.id}:manager`, removedAt: null } });
    expect(membership).toMatchObject({ origin: "DRIFT", changeActorType: "user", changeActorId: owner.id, changeActorLabel: owner.name, changeMethod: "BROWSER", changeAuditRecordId: added!.id });
    expect(membership.changedAt?.toISOString()).toBe(new Date(added!.execution_time).toISOString());

    const role = await t.prisma.grant.findFirstOrThrow({ where: { connectionId: c, pdUserId: promoted.id, entitlement: "BASE_ROLE", removedAt: null } });
    expect(role).toMatchObject({ origin: "DRIFT", role: "admin", changeActorId: owner.id, changeMethod: "BROWSER" });
    // The role change replaced the baseline grant: reviewers see where it came from.
    const old = await t.prisma.grant.findUniqueOrThrow({ where: { id: role.previousGrantId! } });
    expect(old).toMatchObject({ role: "limited_user", origin: "BASELINE", removedSyncRunId: result.runId });
    expect(old.removedAt).not.toBeNull();

    const events = await t.prisma.auditEvent.findMany({ where: { accountId: c, action: "sync.drift_detected" } });
    expect(events).toHaveLength(1);
    expect((events[0]!.after as { count: number }).count).toBe(2);
  });
});

describe("incremental sync", () => {
  it("applies member, role, creation and deletion deltas from the audit trail with few requests", async () => {
    const teams = [...sim.state.data.teams.values()];
    const teamA = teams[0]!;
    const teamB = teams[1]!;
    const newcomer = outsider(teamA.id);
    const [leaver] = sim.state.membersOfTeam(teamB.id).filter((m) => sim.state.data.users.get(m.userId)?.role !== "owner");
    const [changer] = sim.state.membersOfTeam(teamA.id).filter((m) => m.role !== "observer");
    expect((await pd(sim, `/teams/${teamA.id}/users/${newcomer.id}`, { method: "PUT", body: { role: "responder" } })).status).toBe(204);
    expect((await pd(sim, `/teams/${teamB.id}/users/${leaver!.userId}`, { method: "DELETE" })).status).toBe(204);
    expect((await pd(sim, `/teams/${teamA.id}/users/${changer!.userId}`, { method: "PUT", body: { role: "observer" } })).status).toBe(204);
    const renamed = [...sim.state.data.users.values()].find((u) => u.role === "user")!;
    const put = await pd(sim, `/users/${renamed.id}`, { method: "PUT", body: { user: { type: "user", name: "Renamed Person", email: renamed.email } } });
    expect(put.status).toBe(200);
    const created = await pd(sim, "/users", { method: "POST", headers: { From: sim.state.data.users.get(ownerId())!.email }, body: { user: { type: "user", name: "Nora New", email: "nora.new@example.com", role: "limited_user" } } });
    expect(created.status).toBe(201);

    const result = await sync(t.prisma, c);
    expect(result, result.error).toMatchObject({ status: "SUCCEEDED", kind: "INCREMENTAL" });
    expect(result.requests).toBeLessThanOrEqual(Math.ceil(fullRequests * 0.2));

    const membership = (team: string, user: string) => t.prisma.pdTeamMembership.findUnique({ where: { connectionId_teamPdId_userPdId: { connectionId: c, teamPdId: team, userPdId: user } } });
    expect(await membership(teamA.id, newcomer.id)).toMatchObject({ role: "responder", removedAt: null });
    expect((await membership(teamB.id, leaver!.userId))?.removedAt).not.toBeNull();
    expect(await membership(teamA.id, changer!.userId)).toMatchObject({ role: "observer", removedAt: null });
    expect(await t.prisma.pdUser.findUnique({ where: { connectionId_pdId: { connectionId: c, pdId: renamed.id } } })).toMatchObject({ name: "Renamed Person" });
    const nora = await t.prisma.pdUser.findUniqueOrThrow({ where: { connectionId_pdId: { connectionId: c, pdId: (created.body as { user: { id: string } }).user.id } } });
    expect(nora).toMatchObject({ name: "Nora New", emailLower: "nora.new@example.com", role: "limited_user" });

    // The picture equals the simulator's again.
    expect(await t.prisma.pdUser.count({ where: { connectionId: c, removedAt: null } })).toBe(sim.state.data.users.size);
    expect(await t.prisma.pdTeamMembership.count({ where: { connectionId: c, removedAt: null } })).toBe(sim.state.data.memberships.size);

    // API-key changes are drift too, attributed to the key.
    const drift = await t.prisma.grant.findFirstOrThrow({ where: { connectionId: c, pdUserId: newcomer.id, entitlementKey: `team:${teamA.id}:responder` } });
    expect(drift).toMatchObject({ origin: "DRIFT", changeActorType: "api_key", changeMethod: "API_TOKEN" });
  });

  it("an incremental sync with nothing new reads only the audit trail", async () => {
    const result = await sync(t.prisma, c);
    expect(result).toMatchObject({ status: "SUCCEEDED", kind: "INCREMENTAL" });
    const run = await t.prisma.syncRun.findUniqueOrThrow({ where: { id: result.runId } });
    expect(result.requests).toBeLessThanOrEqual(3);
    expect(Object.values(run.changes as Record<string, { created: number; updated: number; removed: number }>).every((x) => x.created + x.updated + x.removed === 0)).toBe(true);
  });
});
