/**
 * Policy versioning: a request keeps the version it was made under, so a later policy change does not
 * change who may approve it (or its other rules); the change is a new version, audited with the rules
 * before and after; an edit based on an old version is refused and writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { updatePolicy } from "@/lib/access/catalog";
import { decideRequest } from "@/lib/access/decide";
import { AccessRefused } from "@/lib/access/errors";
import { createRequest } from "@/lib/access/requests";
import { createRequestInput, updatePolicyInput } from "@/lib/access/schemas";
import { actorOf, newTeam, pdUsers, person, personOfPdUser, rules, snapshot, startAccessWorld, stopAccessWorld, teamItem, type AccessWorld } from "./support";

let w: AccessWorld;
beforeAll(async () => {
  w = await startAccessWorld();
});
afterAll(() => stopAccessWorld(w));

const approvedBy = (ids: string[], fallback: string, extra = {}) =>
  rules({ deciders: [{ kind: "approvers", approvers: { teamManagers: false, personIds: ids, groupIds: [] }, approvalsNeeded: 1, distinctGroups: false }], fallbackApproverIds: [fallback], ...extra });

describe("policy versions", () => {
  it("a request keeps its version: a later change of approvers and maximum does not apply to it", async () => {
    const [u1, u2] = pdUsers(w, 2);
    const teamId = await newTeam(w);
    const [oldApprover, newApprover] = [await person(w.db, { label: "old-approver" }), await person(w.db, { label: "new-approver" })];
    const { itemId, fallback } = await teamItem(w, teamId, "responder", { deciders: [{ kind: "approvers", approvers: { teamManagers: false, personIds: [oldApprover.id], groupIds: [] }, approvalsNeeded: 1, distinctGroups: false }], maxDurationMinutes: 480 });
    const first = await personOfPdUser(w, u1!);
    const early = await createRequest(w.db, first, createRequestInput.parse({ itemId, durationMinutes: 360, reason: "long maintenance" }));

    const { version } = await updatePolicy(w.db, w.admin, updatePolicyInput.parse({ itemId, baseVersion: 1, rules: approvedBy([newApprover.id], fallback.personId, { maxDurationMinutes: 240, defaultDurationMinutes: 60 }), reason: "new owners of the team" }));
    expect(version).toBe(2);
    const audit = await w.db.auditEvent.findFirstOrThrow({ where: { action: "access.policy_changed", targetId: itemId } });
    expect(audit.reason).toBe("new owners of the team");
    const before = audit.before as { version: number; rules: { maxDurationMinutes: number; deciders: { approvers: { personIds: string[] } }[] } };
    const after = audit.after as typeof before;
    expect(before.version).toBe(1);
    expect(before.rules.deciders[0]!.approvers.personIds).toEqual([oldApprover.id]);
    expect(before.rules.maxDurationMinutes).toBe(480);
    expect(after.version).toBe(2);
    expect(after.rules.deciders[0]!.approvers.personIds).toEqual([newApprover.id]);
    expect(after.rules.maxDurationMinutes).toBe(240);

    // The early request is decided under version 1: the new approver may not, the old one may, 6 h still fits.
    expect((await w.db.accessRequest.findUniqueOrThrow({ where: { id: early.requestId } })).policyVersion).toBe(1);
    const snap = await snapshot(w);
    await expect(decideRequest(w.db, actorOf(newApprover), { requestId: early.requestId, decision: "approve", comment: "" })).rejects.toThrow(/not an approver of this request under its policy/);
    expect(await snapshot(w)).toEqual(snap);
    expect((await decideRequest(w.db, actorOf(oldApprover), { requestId: early.requestId, decision: "approve", comment: "" })).status).toBe("approved");
    expect(await w.db.accessRequestApproval.findFirstOrThrow({ where: { requestId: early.requestId } })).toMatchObject({ policyVersion: 1, approverId: oldApprover.id });

    // A request made now is under version 2.
    const second = await personOfPdUser(w, u2!);
    await expect(createRequest(w.db, second, createRequestInput.parse({ itemId, durationMinutes: 360, reason: "long maintenance" }))).rejects.toThrow(/at most 4 h/);
    const late = await createRequest(w.db, second, createRequestInput.parse({ itemId, durationMinutes: 120, reason: "maintenance" }));
    expect((await w.db.accessRequest.findUniqueOrThrow({ where: { id: late.requestId } })).policyVersion).toBe(2);
    await expect(decideRequest(w.db, actorOf(oldApprover), { requestId: late.requestId, decision: "approve", comment: "" })).rejects.toThrow(/not an approver/);
    expect((await decideRequest(w.db, actorOf(newApprover), { requestId: late.requestId, decision: "approve", comment: "" })).status).toBe("approved");
  });

  it("an edit of an older version is refused (concurrent edit) and writes nothing; an unchanged edit too", async () => {
    const teamId = await newTeam(w);
    const a = await person(w.db, { label: "a" });
    const { itemId, fallback } = await teamItem(w, teamId, "observer", { deciders: [{ kind: "approvers", approvers: { teamManagers: false, personIds: [a.id], groupIds: [] }, approvalsNeeded: 1, distinctGroups: false }] });
    const count = async () => ({ versions: await w.db.accessPolicyVersion.count({ where: { catalogItemId: itemId } }), audits: await w.db.auditEvent.count({ where: { targetId: itemId } }), item: await w.db.accessCatalogItem.findUniqueOrThrow({ where: { id: itemId }, select: { currentVersion: true } }) });
    // Two admins open version 1; the first saves.
    await updatePolicy(w.db, w.admin, updatePolicyInput.parse({ itemId, baseVersion: 1, rules: approvedBy([a.id], fallback.personId, { maxDurationMinutes: 600 }), reason: "longer" }));
    const before = await count();
    const second = updatePolicy(w.db, w.admin, updatePolicyInput.parse({ itemId, baseVersion: 1, rules: approvedBy([a.id], fallback.personId, { maxDurationMinutes: 300 }), reason: "shorter" }));
    await expect(second).rejects.toBeInstanceOf(AccessRefused);
    await expect(second).rejects.toThrow(/changed meanwhile \(now version 2\)/);
    await expect(updatePolicy(w.db, w.admin, updatePolicyInput.parse({ itemId, baseVersion: 2, rules: approvedBy([a.id], fallback.personId, { maxDurationMinutes: 600 }), reason: "again" }))).rejects.toThrow(/Nothing changed/);
    expect(await count()).toEqual(before);
    expect(before.item.currentVersion).toBe(2);

    // Two saves of version 2 at the same moment: the row lock lets one through, the other is refused.
    const both = await Promise.allSettled([300, 360].map((max) => updatePolicy(w.db, w.admin, updatePolicyInput.parse({ itemId, baseVersion: 2, rules: approvedBy([a.id], fallback.personId, { maxDurationMinutes: max }), reason: `max ${max}` }))));
    expect(both.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const lost = both.find((r): r is PromiseRejectedResult => r.status === "rejected")!;
    expect(String(lost.reason)).toMatch(/changed meanwhile \(now version 3\)/);
    expect(await w.db.accessPolicyVersion.count({ where: { catalogItemId: itemId } })).toBe(3);
    expect(await w.db.auditEvent.count({ where: { action: "access.policy_changed", targetId: itemId } })).toBe(2);
  });
});
