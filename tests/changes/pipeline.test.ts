/**
 * The pipeline end to end against the simulator over HTTP and a real database: each kind of change is
 * created in a transaction, applied by a worker, verified by a read, reflected in the synced model, audited;
 * idempotent creation, ordering, read-only refusal, undo.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ChangeRefused, configurePipeline, undoChange } from "@/lib/changes";
import { createConnection } from "@/lib/connections/service";
import type { Db } from "@/lib/db";
import type { Worker } from "@/lib/jobs";
import type { TestDb } from "../support/db";
import { adminCause, createAdmin, FAST_PIPELINE, memberRecords, requestChanges, settled, startPipelineHarness, stopPipelineHarness, system } from "./support";
import type { RunningSimulator } from "@/simulator";

let sim: RunningSimulator;
let t: TestDb;
let db: Db;
let worker: Worker;
let connectionId: string;

beforeAll(async () => {
  ({ sim, t, db, connectionId, worker } = await startPipelineHarness());
});
afterAll(() => stopPipelineHarness({ worker, t, sim }));

/** A user with no incidents, not targeted by any policy, and not a member of `teamId`. */
function plainUser(exclude: Set<string>, teamId?: string) {
  const s = sim.state;
  const user = s.usersOrdered().find(
    (u) => !exclude.has(u.id) && u.role !== "owner" && !u.role.startsWith("read_only") && s.openIncidentsOf(u.id) === 0 && s.policiesTargetingUser(u.id).length === 0 && (!teamId || !s.membership(teamId, u.id)),
  );
  if (!user) throw new Error("no suitable user in the seeded organisation");
  exclude.add(user.id);
  return user;
}
const used = new Set<string>();
const firstTeam = () => sim.state.teamsOrdered()[0]!;

describe("change pipeline", () => {
  beforeEach(() => {
    configurePipeline(FAST_PIPELINE);
  });

  it("adds a team member: pending → applying → applied → verified, one write, synced model, grant and audit", async () => {
    const team = firstTeam();
    const user = plainUser(used, team.id);
    const created = await requestChanges(db, { connectionId, cause: adminCause(), requestedBy: system, changes: [{ spec: { kind: "team_member_put", teamId: team.id, userId: user.id, role: "responder" } }] });
    expect(created.held).toBe(false);
    const [row] = await settled(db, created.changes.map((c) => c.id));
    expect(row!.status).toBe("VERIFIED");
    expect(row!.observed).toMatchObject({ member: true, role: "responder" });
    expect(sim.state.membership(team.id, user.id)?.role).toBe("responder");
    expect(memberRecords(sim.state, team.id, user.id)).toHaveLength(2); // members added + members.role, as PagerDuty audits one PUT

    const history = await db.changeEvent.findMany({ where: { changeId: row!.id }, orderBy: { at: "asc" } });
    expect(history.map((e) => e.to)).toEqual(["PENDING", "APPLYING", "APPLIED", "VERIFIED"]);
    const membership = await db.pdTeamMembership.findUnique({ where: { connectionId_teamPdId_userPdId: { connectionId, teamPdId: team.id, userPdId: user.id } } });
    expect(membership).toMatchObject({ role: "responder", removedAt: null });
    const grant = await db.grant.findFirst({ where: { connectionId, pdUserId: user.id, removedAt: null, entitlementKey: `team:${team.id}:responder` } });
    expect(grant).toMatchObject({ origin: "REQUEST", originRef: expect.stringMatching(/^admin_action:/) });
    const audit = await db.auditEvent.findMany({ where: { OR: [{ targetId: row!.id }, { targetId: created.batchId }] }, orderBy: { seq: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(["change.requested", "change.verified"]);
  });

  it("creating the same cause twice returns the existing change instead of a second one", async () => {
    const team = firstTeam();
    const user = plainUser(used, team.id);
    const cause = adminCause();
    const input = { connectionId, cause, requestedBy: system, changes: [{ spec: { kind: "team_member_put" as const, teamId: team.id, userId: user.id, role: "observer" as const } }] };
    const first = await requestChanges(db, input);
    const second = await requestChanges(db, input);
    expect(second.changes.map((c) => [c.id, c.created])).toEqual([[first.changes[0]!.id, false]]);
    await settled(db, [first.changes[0]!.id]);
    expect(await db.changeRequest.count({ where: { causeId: cause.id } })).toBe(1);
  });

  it("the same change listed twice in one request is created once", async () => {
    const team = firstTeam();
    const user = plainUser(used, team.id);
    const spec = { kind: "team_member_put" as const, teamId: team.id, userId: user.id, role: "responder" as const };
    const created = await requestChanges(db, { connectionId, cause: adminCause(), requestedBy: system, changes: [{ spec }, { spec }] });
    expect(created.changes.map((c) => c.created).sort()).toEqual([false, true]);
    expect(new Set(created.changes.map((c) => c.id)).size).toBe(1);
    const [row] = await settled(db, [created.changes[0]!.id]);
    expect(row!.status).toBe("VERIFIED");
    expect(memberRecords(sim.state, team.id, user.id)).toHaveLength(2); // one PUT: member added + role set
  });

  it("runs the changes of one user in creation order: add, then remove, ends removed", async () => {
    const team = firstTeam();
    const user = plainUser(used, team.id);
    const created = await requestChanges(db, {
      connectionId,
      cause: adminCause(),
      requestedBy: system,
      changes: [{ spec: { kind: "team_member_put", teamId: team.id, userId: user.id, role: "manager" } }, { spec: { kind: "team_member_remove", teamId: team.id, userId: user.id } }],
    });
    const rows = await settled(db, created.changes.map((c) => c.id));
    expect(rows.map((r) => r.status)).toEqual(["VERIFIED", "VERIFIED"]);
    expect(sim.state.membership(team.id, user.id)).toBeUndefined();
    const [put, remove] = [...rows].sort((a, b) => Number(a.seq - b.seq));
    expect(put!.verifiedAt!.getTime()).toBeLessThanOrEqual(remove!.appliedAt!.getTime());
    const actions = memberRecords(sim.state, team.id, user.id).map((r) => (r.details?.references?.[0]?.removed?.length ? "removed" : "set"));
    expect(actions.at(-1)).toBe("removed");
  });

  it("removing a base role changes it to the connection's downgrade role; undo restores the previous role", async () => {
    const user = sim.state.usersOrdered().find((u) => u.role === "user" && !used.has(u.id))!;
    used.add(user.id);
    const created = await requestChanges(db, { connectionId, cause: adminCause(), requestedBy: system, changes: [{ spec: { kind: "user_role_remove", userId: user.id } }] });
    const [row] = await settled(db, [created.changes[0]!.id]);
    expect(row).toMatchObject({ status: "VERIFIED", desired: { kind: "USER_ROLE_CHANGE", role: "limited_user" }, prior: { role: "user" } });
    expect(sim.state.data.users.get(user.id)?.role).toBe("limited_user");
    expect((await db.pdUser.findUnique({ where: { connectionId_pdId: { connectionId, pdId: user.id } } }))?.role).toBe("limited_user");

    const admin = await createAdmin(db);
    const undo = await undoChange(db, { personId: admin.id, email: admin.email, name: admin.name, roles: ["ADMIN"] }, { changeId: row!.id, reason: "Removed by mistake" });
    const [undone] = await settled(db, [undo.changes[0]!.id]);
    expect(undone).toMatchObject({ status: "VERIFIED", causeKind: "UNDO", undoOfId: row!.id, desired: { kind: "USER_ROLE_CHANGE", role: "user" } });
    expect(sim.state.data.users.get(user.id)?.role).toBe("user");
    expect(await db.auditEvent.count({ where: { action: "change.undo_requested", targetId: row!.id } })).toBe(1);
  });

  it("creates a user once (From header: the account owner), records PagerDuty's id, and undo deletes it", async () => {
    const email = `new.hire.${Date.now()}@example.test`;
    const created = await requestChanges(db, { connectionId, cause: { kind: "lifecycle_event", id: `joiner-${email}` }, requestedBy: system, changes: [{ spec: { kind: "user_create", name: "New Hire", email, role: "limited_user" } }] });
    const [row] = await settled(db, [created.changes[0]!.id]);
    expect(row!.status).toBe("VERIFIED");
    const made = [...sim.state.data.users.values()].filter((u) => u.email === email);
    expect(made).toHaveLength(1);
    expect(row!.userPdId).toBe(made[0]!.id);
    expect(await db.pdUser.findUnique({ where: { connectionId_pdId: { connectionId, pdId: made[0]!.id } } })).toMatchObject({ email, role: "limited_user" });

    const admin = await createAdmin(db);
    const undo = await undoChange(db, { personId: admin.id, email: admin.email, name: admin.name, roles: ["ADMIN"] }, { changeId: row!.id, reason: "Joiner cancelled" });
    const [undone] = await settled(db, [undo.changes[0]!.id]);
    expect(undone).toMatchObject({ status: "VERIFIED", desired: { kind: "USER_DELETE", userId: made[0]!.id } });
    expect(sim.state.data.users.has(made[0]!.id)).toBe(false);
  });

  it("a sign-out is sent but ends UNVERIFIED: PagerDuty has no read that could show it", async () => {
    const user = plainUser(used);
    const created = await requestChanges(db, { connectionId, cause: adminCause(), requestedBy: system, changes: [{ spec: { kind: "user_sign_out", userId: user.id, types: ["web", "mobile"] } }] });
    const [row] = await settled(db, [created.changes[0]!.id]);
    expect(row!.status).toBe("UNVERIFIED");
    expect(row!.lastErrorMessage).toMatch(/no read that could show the result/);
    expect(sim.state.signOuts.filter((s) => s.userId === user.id)).toHaveLength(1);
  });

  it("a read-only credential refuses write changes when they are created, saying why, and writes nothing", async () => {
    // Connected the way an admin does it: the credential check probes PagerDuty and finds the key read-only.
    const owner = await createAdmin(db, "ro-owner");
    const { connection: readOnly, check } = await createConnection(
      db,
      { personId: owner.id, email: owner.email, name: owner.name, roles: ["ADMIN"] },
      { name: `Read-only ${Date.now()}`, subdomain: "acme", region: "US", apiBaseUrl: sim.url, ownerPersonId: owner.id, purpose: "Access reviews only", credentialKind: "API_KEY", apiKey: sim.keys.readOnly },
      { requestId: null, clientIp: null },
    );
    expect(check.accessLevel).toBe("read_only");
    const before = await db.changeRequest.count();
    const attempt = requestChanges(db, { connectionId: readOnly.id, cause: adminCause(), requestedBy: system, changes: [{ spec: { kind: "user_delete", userId: plainUser(used).id } }] });
    await expect(attempt).rejects.toThrow(ChangeRefused);
    await expect(attempt).rejects.toThrow(/read-only key, so PagerDuty would refuse the change/);
    expect(await db.changeRequest.count()).toBe(before);
  });

  it("refuses a role the account's abilities or the user's license do not allow, before anything is queued", async () => {
    const stakeholder = sim.state.usersOrdered().find((u) => u.role === "read_only_user")!;
    await expect(
      requestChanges(db, { connectionId, cause: adminCause(), requestedBy: system, changes: [{ spec: { kind: "user_role_change", userId: stakeholder.id, role: "admin" } }] }),
    ).rejects.toThrow(/license .* does not allow the base role admin/);
    await db.changePolicy.create({ data: { connectionId, downgradeRole: "read_only_limited_user" } });
    await db.pagerDutyConnection.update({ where: { id: connectionId }, data: { abilities: ["teams"] } });
    try {
      await expect(requestChanges(db, { connectionId, cause: adminCause(), requestedBy: system, changes: [{ spec: { kind: "user_role_remove", userId: plainUser(used).id } }] })).rejects.toThrow(
        /cannot give the base role read_only_limited_user: it lacks the read_only_users ability/,
      );
    } finally {
      await db.changePolicy.delete({ where: { connectionId } });
      await db.pagerDutyConnection.update({ where: { id: connectionId }, data: { abilities: [...sim.state.data.abilities].sort() } });
    }
  });
});
