/**
 * PagerDuty's refusals, as the simulator gives them over HTTP: a team removal blocked by the team's
 * escalation policies names those policies and the fix; a deletion blocked by assigned incidents says what
 * to do; a FAILED change blocks later changes of the same user until it is retried or cancelled.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cancelChange, retryChange } from "@/lib/changes";
import type { Actor } from "@/lib/auth/session";
import type { Db } from "@/lib/db";
import type { Worker } from "@/lib/jobs";
import type { RunningSimulator } from "@/simulator";
import type { TestDb } from "../support/db";
import { adminCause, createAdmin, requestChanges, settled, sleep, startPipelineHarness, stopPipelineHarness, system } from "./support";

let sim: RunningSimulator;
let t: TestDb;
let db: Db;
let worker: Worker;
let connectionId: string;
let admin: Actor;

beforeAll(async () => {
  ({ sim, t, db, connectionId, worker } = await startPipelineHarness());
  // After the "sync": two policies of one team now target the same member directly. The portal's synced
  // model does not know them, so the names in the refusal can only come from reading PagerDuty.
  const team = sim.state.teamsOrdered()[1]!;
  const member = sim.state.membersOfTeam(team.id).find((m) => sim.state.openIncidentsOf(m.userId) === 0)!;
  for (const name of ["Payments Primary", "Payments Escalation"]) {
    sim.state.putPolicy({ id: `PX${name.length}${name[9]}`, name, description: null, num_loops: 0, on_call_handoff_notifications: "if_has_services", rules: [{ id: `R${name.length}`, escalation_delay_in_minutes: 30, targets: [{ type: "user_reference", id: member.userId }] }], teamId: team.id });
  }
  blocked = { teamId: team.id, userId: member.userId };
  const person = await createAdmin(db);
  admin = { personId: person.id, email: person.email, name: person.name, roles: ["ADMIN"] };
});
afterAll(() => stopPipelineHarness({ worker, t, sim }));
let blocked: { teamId: string; userId: string };

describe("PagerDuty's rules", () => {
  it("a team removal refused because of the team's escalation policies names them and suggests the fix", async () => {
    const created = await requestChanges(db, { connectionId, cause: adminCause(), requestedBy: system, changes: [{ spec: { kind: "team_member_remove", ...blocked } }] });
    const [row] = await settled(db, [created.changes[0]!.id]);
    expect(row).toMatchObject({ status: "FAILED", lastErrorStatus: 400, lastErrorCode: 2001 });
    expect(row!.lastErrorMessage).toMatch(/belong to an escalation policy on this team/);
    expect(row!.lastErrorMessage).toContain('"Payments Primary"');
    expect(row!.lastErrorMessage).toContain('"Payments Escalation"');
    expect(await db.pdEscalationPolicy.count({ where: { connectionId, name: { in: ["Payments Primary", "Payments Escalation"] } } })).toBe(0);
    expect(sim.stats().requests.byRoute["GET /escalation_policies"]).toBeGreaterThan(0);
    expect(row!.suggestedFix).toMatch(/Remove the user from "Payments .*", "Payments .*" \(or move those policies off the team\)/);
    expect(sim.state.membership(blocked.teamId, blocked.userId)).toBeDefined();
    expect(await db.auditEvent.count({ where: { action: "change.failed", targetId: row!.id } })).toBe(1);
  });

  it("a failed change holds back later changes of the same user until it is cancelled", async () => {
    const failed = await db.changeRequest.findFirstOrThrow({ where: { userPdId: blocked.userId, status: "FAILED" } });
    const later = await requestChanges(db, { connectionId, cause: adminCause(), requestedBy: system, changes: [{ spec: { kind: "user_sign_out", userId: blocked.userId, types: ["web"] } }] });
    await sleep(500);
    expect((await db.changeRequest.findUniqueOrThrow({ where: { id: later.changes[0]!.id } })).status).toBe("PENDING");
    expect(sim.state.signOuts.filter((s) => s.userId === blocked.userId)).toHaveLength(0);

    await cancelChange(db, admin, { changeId: failed.id, reason: "Keep them on the team" });
    const [after] = await settled(db, [later.changes[0]!.id]);
    expect(after!.status).toBe("UNVERIFIED"); // sent: sign-outs cannot be read back
    expect(sim.state.signOuts.filter((s) => s.userId === blocked.userId)).toHaveLength(1);
  });

  it("a deletion refused while incidents are assigned says so; once resolved, a retry deletes the user once", async () => {
    const user = sim.state.usersOrdered().find((u) => u.role !== "owner" && sim.state.openIncidentsOf(u.id) > 0)!;
    const created = await requestChanges(db, { connectionId, cause: adminCause(), requestedBy: system, changes: [{ spec: { kind: "user_delete", userId: user.id } }] });
    const [row] = await settled(db, [created.changes[0]!.id]);
    expect(row).toMatchObject({ status: "FAILED", lastErrorStatus: 400 });
    expect(row!.lastErrorMessage).toMatch(/unresolved incidents? assigned/);
    expect(row!.suggestedFix).toMatch(/Resolve or reassign the incidents assigned to this user/);
    expect(sim.state.data.users.has(user.id)).toBe(true);

    for (const incident of sim.state.data.incidents.values()) if (incident.assigneeIds.includes(user.id)) incident.status = "resolved";
    await retryChange(db, admin, { changeId: row!.id });
    const [retried] = await settled(db, [row!.id]);
    expect(retried!.status).toBe("VERIFIED");
    expect(sim.state.data.users.has(user.id)).toBe(false);
    expect(sim.state.data.auditRecords.filter((r) => r.action === "delete" && r.root_resource.id === user.id)).toHaveLength(1);
    expect((await db.changeEvent.findMany({ where: { changeId: row!.id }, orderBy: { at: "asc" } })).map((e) => e.to)).toEqual(["PENDING", "APPLYING", "FAILED", "PENDING", "APPLYING", "APPLIED", "VERIFIED"]);
  });
});
