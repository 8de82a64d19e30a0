/**
 * The brake: a batch removing 30% of the account's users is held with a preview; approving runs it;
 * rejecting cancels it and PagerDuty sees nothing. Deleting more than the limit is held too.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approveBatch, batchPreview, rejectBatch } from "@/lib/changes";
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
  const p = await createAdmin(db);
  admin = { personId: p.id, email: p.email, name: p.name, roles: ["ADMIN"] };
});
afterAll(() => stopPipelineHarness({ worker, t, sim }));

/** Base-role downgrades for `share` of the account's users (only users PagerDuty lets the API change). */
function downgrades(share: number, skip = new Set<string>()) {
  const all = sim.state.usersOrdered();
  const n = Math.ceil(all.length * share);
  const users = all.filter((u) => u.role === "user" || u.role === "admin").filter((u) => !skip.has(u.id)).slice(0, n);
  if (users.length < n) throw new Error("not enough users to downgrade");
  for (const u of users) skip.add(u.id);
  return users.map((u) => ({ spec: { kind: "user_role_change" as const, userId: u.id, role: "limited_user" as const } }));
}
const taken = new Set<string>();

describe("the brake", () => {
  it("holds a batch touching 30% of the users, previews it change by change, and approving runs it", async () => {
    const changes = downgrades(0.3, taken);
    const writesBefore = sim.stats().writes["PUT /users/{id}"] ?? 0;
    const created = await requestChanges(db, { connectionId, cause: { kind: "lifecycle_event", id: "mapping-v2" }, requestedBy: system, changes });
    expect(created.held).toBe(true);
    expect(created.heldReason).toMatch(new RegExp(`touches ${changes.length} of ${sim.state.data.users.size} users \\(30%, above the 10% limit\\)`));
    expect(created.changes.every((c) => c.status === "HELD")).toBe(true);

    const preview = await batchPreview(db, created.batchId);
    expect(preview).toMatchObject({ status: "HELD", usersTouched: changes.length, accountUsers: sim.state.data.users.size });
    expect(preview!.changes).toHaveLength(changes.length);
    expect(preview!.changes[0]).toMatchObject({ desired: { kind: "USER_ROLE_CHANGE", role: "limited_user" }, prior: { role: expect.stringMatching(/^(user|admin)$/) }, targetLabel: expect.stringMatching(/^Change .* base role to limited_user$/) });

    await sleep(300);
    expect(sim.stats().writes["PUT /users/{id}"] ?? 0).toBe(writesBefore); // nothing sent while held

    const approved = await approveBatch(db, admin, { batchId: created.batchId, reason: "Mapping reviewed" });
    expect(approved.released).toBe(changes.length);
    const rows = await settled(db, created.changes.map((c) => c.id));
    expect(rows.every((r) => r.status === "VERIFIED")).toBe(true);
    expect(sim.stats().writes["PUT /users/{id}"]).toBe(writesBefore + changes.length);
    for (const c of changes) expect(sim.state.data.users.get(c.spec.userId)?.role).toBe("limited_user");
  });

  it("rejecting a held batch cancels every change and changes nothing in PagerDuty", async () => {
    const users = sim.state.usersOrdered().filter((u) => !taken.has(u.id)).slice(0, Math.ceil(sim.state.data.users.size * 0.3));
    const changes = users.map((u) => ({ spec: { kind: "team_member_remove" as const, teamId: sim.state.teamsOfUser(u.id)[0]?.teamId ?? "PNOTEAM", userId: u.id } }));
    const memberships = sim.state.data.memberships.size;
    const recordsBefore = sim.state.data.auditRecords.length;
    const requestsBefore = sim.stats().requests.total;
    const created = await requestChanges(db, { connectionId, cause: adminCause(), requestedBy: system, changes });
    expect(created.held).toBe(true);
    const rejected = await rejectBatch(db, admin, { batchId: created.batchId, reason: "Wrong group mapped" });
    expect(rejected.cancelled).toBe(changes.length);
    await sleep(300);
    const rows = await db.changeRequest.findMany({ where: { batchId: created.batchId } });
    expect(rows.every((r) => r.status === "CANCELLED")).toBe(true);
    expect(sim.state.data.memberships.size).toBe(memberships);
    expect(sim.state.data.auditRecords.length).toBe(recordsBefore);
    expect(sim.stats().requests.total).toBe(requestsBefore);
    expect(await db.auditEvent.count({ where: { action: "change.batch_rejected", targetId: created.batchId } })).toBe(1);
    await expect(approveBatch(db, admin, { batchId: created.batchId })).rejects.toThrow(/not waiting for approval \(it is rejected\)/);
  });

  it("holds a batch deleting more than 5 users even when it is a small share", async () => {
    await db.changePolicy.create({ data: { connectionId, brakeUserShare: 0.5 } });
    const users = sim.state.usersOrdered().filter((u) => u.role === "limited_user" && !taken.has(u.id)).slice(0, 6);
    const created = await requestChanges(db, { connectionId, cause: adminCause(), requestedBy: system, changes: users.map((u) => ({ spec: { kind: "user_delete" as const, userId: u.id } })) });
    expect(created.heldReason).toBe("Held for approval: it deletes 6 users (more than 5).");
  });
});
