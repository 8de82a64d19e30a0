/**
 * Refusals of just-in-time access on the server: separation of duties when deciding (own request, outside
 * the policy, twice by one person, twice from one group, one's own PagerDuty user through an alias, an
 * auditor), extending past the maximum, and requesting what the policy does not offer. Each is refused
 * with a message a person can act on and writes nothing: no request, approval, history event or change
 * row, nothing in the simulator. A refused decision leaves one audit event (access_request.decision_refused).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createGroup, setGroupMember, setItemRetired } from "@/lib/access/catalog";
import { bulkApprove, decideRequest } from "@/lib/access/decide";
import { AccessRefused } from "@/lib/access/errors";
import { createRequest, extendRequest } from "@/lib/access/requests";
import { createRequestInput, extendRequestInput } from "@/lib/access/schemas";
import { AuthorizationError } from "@/lib/auth/errors";
import type { Actor } from "@/lib/auth/session";
import type { PolicyRulesInput } from "@/lib/access/policy";
import { actorOf, pdUsers, person, personOfPdUser, newTeam, pipelineIdle, snapshot, startAccessWorld, stopAccessWorld, teamAndOutsiders, teamItem, untilStatus, type AccessWorld } from "./support";

let w: AccessWorld;
beforeAll(async () => {
  w = await startAccessWorld();
});
afterAll(() => stopAccessWorld(w));
// An approval at the end of a test starts a grant: let it land before the next test compares the simulator.
afterEach(() => pipelineIdle(w));

const approvers = (personIds: string[], extra: Partial<{ teamManagers: boolean; groupIds: string[]; approvalsNeeded: 1 | 2; distinctGroups: boolean }> = {}): Partial<PolicyRulesInput> => ({
  deciders: [{ kind: "approvers", approvers: { teamManagers: extra.teamManagers ?? false, personIds, groupIds: extra.groupIds ?? [] }, approvalsNeeded: extra.approvalsNeeded ?? 1, distinctGroups: extra.distinctGroups ?? false }],
});

const request = (actor: Actor, itemId: string, extra: { durationMinutes?: number; reason?: string; ticket?: string } = {}) =>
  createRequest(w.db, actor, createRequestInput.parse({ itemId, durationMinutes: extra.durationMinutes ?? 60, reason: extra.reason ?? "investigating an incident", ticket: extra.ticket ?? "" }));

const decisionRefusals = (requestId: string) => w.db.auditEvent.count({ where: { action: "access_request.decision_refused", targetId: requestId } });

/** The attempt is refused with this message, and nothing was written anywhere. */
async function refused(attempt: () => Promise<unknown>, message: RegExp, type: new (...args: never[]) => Error = AccessRefused) {
  const before = await snapshot(w);
  const outcome = attempt();
  await expect(outcome).rejects.toBeInstanceOf(type);
  await expect(outcome).rejects.toThrow(message);
  expect(await snapshot(w)).toEqual(before);
}

/** A refused decision: nothing written but its audit event. */
async function decisionRefused(requestId: string, attempt: () => Promise<unknown>, message: RegExp) {
  const audits = await decisionRefusals(requestId);
  await refused(attempt, message);
  expect(await decisionRefusals(requestId)).toBe(audits + 1);
  const event = await w.db.auditEvent.findFirstOrThrow({ where: { action: "access_request.decision_refused", targetId: requestId }, orderBy: { seq: "desc" } });
  expect(event.reason).toBeTruthy();
}

describe("deciding: separation of duties", () => {
  it("a requester who is also a named approver cannot approve their own request", async () => {
    const { team, outsiders } = teamAndOutsiders(w, 1);
    const requester = await personOfPdUser(w, outsiders[0]!);
    const other = await person(w.db, { label: "other-approver" });
    const { itemId } = await teamItem(w, team.id, "observer", approvers([requester.personId, other.id]));
    const { requestId } = await request(requester, itemId);
    await decisionRefused(requestId, () => decideRequest(w.db, requester, { requestId, decision: "approve", comment: "" }), /Nobody approves their own request/);
    // Nor deny it (a requester withdraws instead).
    await decisionRefused(requestId, () => decideRequest(w.db, requester, { requestId, decision: "deny", comment: "" }), /Nobody approves their own request/);
    // The other named approver may.
    expect((await decideRequest(w.db, actorOf(other), { requestId, decision: "approve", comment: "" })).status).toBe("approved");
  });

  it("someone not named, not in the group and not the team's manager cannot approve", async () => {
    const { team, outsiders } = teamAndOutsiders(w, 2, 1);
    const requester = await personOfPdUser(w, outsiders[0]!);
    const stranger = await personOfPdUser(w, outsiders[1]!); // a PagerDuty user, but no manager of the team
    const named = await person(w.db, { label: "named" });
    const inGroup = await person(w.db, { label: "in-group" });
    const inOtherGroup = await person(w.db, { label: "in-other-group" });
    const { groupId } = await createGroup(w.db, w.admin, { name: `approvers-${team.id}`, description: "" });
    const { groupId: otherGroup } = await createGroup(w.db, w.admin, { name: `others-${team.id}`, description: "" });
    await setGroupMember(w.db, w.admin, { groupId, personId: inGroup.id, add: true });
    await setGroupMember(w.db, w.admin, { groupId: otherGroup, personId: inOtherGroup.id, add: true });
    const { itemId, fallback } = await teamItem(w, team.id, "responder", approvers([named.id], { teamManagers: true, groupIds: [groupId] }));
    const { requestId } = await request(requester, itemId);
    for (const outsider of [stranger, actorOf(inOtherGroup), fallback /* not escalated yet */, w.admin /* admins approve only what they are assigned */]) {
      await decisionRefused(requestId, () => decideRequest(w.db, outsider, { requestId, decision: "approve", comment: "" }), /not an approver of this request under its policy/);
    }
    expect((await decideRequest(w.db, actorOf(inGroup), { requestId, decision: "approve", comment: "" })).status).toBe("approved");
  });

  it("a second approval by the same person does not count on a two-approval policy", async () => {
    const { team, outsiders } = teamAndOutsiders(w, 1, 2);
    const requester = await personOfPdUser(w, outsiders[0]!);
    const [a, b] = [await person(w.db, { label: "first" }), await person(w.db, { label: "second" })];
    const { itemId } = await teamItem(w, team.id, "observer", approvers([a.id, b.id], { approvalsNeeded: 2 }));
    const { requestId } = await request(requester, itemId);
    expect(await decideRequest(w.db, actorOf(a), { requestId, decision: "approve", comment: "" })).toMatchObject({ status: "partially_approved", approvals: 1, approvalsNeeded: 2 });
    await decisionRefused(requestId, () => decideRequest(w.db, actorOf(a), { requestId, decision: "approve", comment: "again" }), /You already approved REQ-\d+: a second approval must come from someone else/);
    // Nor through bulk approval.
    await decisionRefused(requestId, () => bulkApprove(w.db, actorOf(a), { requestIds: [requestId], comment: "", acknowledged: false }), /You already approved/);
    expect((await w.db.accessRequest.findUniqueOrThrow({ where: { id: requestId } })).status).toBe("PENDING");
    expect(await decideRequest(w.db, actorOf(b), { requestId, decision: "approve", comment: "" })).toMatchObject({ status: "approved", approvals: 2 });
  });

  it("two approvals from the same group do not satisfy “from different groups”", async () => {
    const { team, outsiders } = teamAndOutsiders(w, 1, 3);
    const requester = await personOfPdUser(w, outsiders[0]!);
    const [sre1, sre2, sec] = [await person(w.db, { label: "sre-1" }), await person(w.db, { label: "sre-2" }), await person(w.db, { label: "sec" })];
    const { groupId: sre } = await createGroup(w.db, w.admin, { name: "SRE leads", description: "" });
    const { groupId: security } = await createGroup(w.db, w.admin, { name: "Security", description: "" });
    for (const [g, p] of [[sre, sre1], [sre, sre2], [security, sec]] as const) await setGroupMember(w.db, w.admin, { groupId: g, personId: p.id, add: true });
    const { itemId } = await teamItem(w, team.id, "responder", approvers([], { groupIds: [sre, security], approvalsNeeded: 2, distinctGroups: true }));
    const { requestId } = await request(requester, itemId);
    expect((await decideRequest(w.db, actorOf(sre1), { requestId, decision: "approve", comment: "" })).status).toBe("partially_approved");
    await decisionRefused(requestId, () => decideRequest(w.db, actorOf(sre2), { requestId, decision: "approve", comment: "" }), /needs its approvals from different groups, and the first approval already counts for your group/);
    const done = await decideRequest(w.db, actorOf(sec), { requestId, decision: "approve", comment: "" });
    expect(done.status).toBe("approved");
    const groups = (await w.db.accessRequestApproval.findMany({ where: { requestId }, orderBy: { at: "asc" } })).map((a) => a.groupId);
    expect(new Set(groups)).toEqual(new Set([sre, security]));
  });

  it("nobody approves a request that grants their own PagerDuty user (an alias names them for it)", async () => {
    const { team, outsiders } = teamAndOutsiders(w, 1, 4);
    const requester = await personOfPdUser(w, outsiders[0]!);
    const twin = await person(w.db, { label: "alias-holder" });
    const other = await person(w.db, { label: "other" });
    const { itemId } = await teamItem(w, team.id, "observer", approvers([twin.id, other.id]));
    const { requestId } = await request(requester, itemId);
    // An admin links the approver to the requester's PagerDuty user (an alias wins over the e-mail match).
    await w.db.personPagerDutyLink.create({ data: { connectionId: w.connectionId, personId: twin.id, pdUserId: outsiders[0]!, setById: w.admin.personId } });
    await decisionRefused(requestId, () => decideRequest(w.db, actorOf(twin), { requestId, decision: "approve", comment: "" }), /would grant access to your own PagerDuty user/);
    expect((await decideRequest(w.db, actorOf(other), { requestId, decision: "approve", comment: "" })).status).toBe("approved");
  });

  it("an auditor approves nothing: refused by role, and a named approver who has since become an auditor is no approver", async () => {
    const { team, outsiders } = teamAndOutsiders(w, 1, 5);
    const requester = await personOfPdUser(w, outsiders[0]!);
    const named = await person(w.db, { label: "later-auditor" });
    const other = await person(w.db, { label: "other" });
    const { itemId } = await teamItem(w, team.id, "observer", approvers([named.id, other.id]));
    const { requestId } = await request(requester, itemId);
    const auditor = actorOf(await person(w.db, { label: "auditor", roles: ["AUDITOR", "MEMBER"] }));
    await refused(() => decideRequest(w.db, auditor, { requestId, decision: "approve", comment: "" }), /./, AuthorizationError);
    await w.db.person.update({ where: { id: named.id }, data: { roles: ["AUDITOR", "MEMBER"] } });
    // Their session still says MEMBER: the domain reads the person again.
    await decisionRefused(requestId, () => decideRequest(w.db, actorOf(named), { requestId, decision: "approve", comment: "" }), /not an approver of this request/);
  });
});

describe("extending", () => {
  it("past the policy's maximum (counted from the start of the grant) is refused", async () => {
    const { team, outsiders } = teamAndOutsiders(w, 1, 6);
    const requester = await personOfPdUser(w, outsiders[0]!);
    const approver = await person(w.db, { label: "approver" });
    const { itemId } = await teamItem(w, team.id, "observer", { ...approvers([approver.id]), maxDurationMinutes: 240 });
    const { requestId } = await request(requester, itemId, { durationMinutes: 120 });
    await decideRequest(w.db, actorOf(approver), { requestId, decision: "approve", comment: "" });
    await untilStatus(w, requestId, "ACTIVE"); // the grant's change is done: the simulator holds still
    await refused(() => extendRequest(w.db, requester, extendRequestInput.parse({ requestId, minutes: 180, reason: "still needed" })), /at most 4 h in all from the start of the grant; you can extend by at most 2 h/);
    w.clock.advance(60 * 60_000); // time passing does not restart the clock
    await refused(() => extendRequest(w.db, requester, extendRequestInput.parse({ requestId, minutes: 125, reason: "still needed" })), /you can extend by at most 2 h/);
    // Someone else's grant is not theirs to extend.
    await refused(() => extendRequest(w.db, actorOf(approver), extendRequestInput.parse({ requestId, minutes: 30, reason: "x" })), /No such request of yours/);
    expect((await extendRequest(w.db, requester, extendRequestInput.parse({ requestId, minutes: 120, reason: "still needed" }))).status).toBe("PENDING");
  });
});

describe("requesting what the policy does not offer", () => {
  it("a retired item", async () => {
    const { team, outsiders } = teamAndOutsiders(w, 1, 7);
    const requester = await personOfPdUser(w, outsiders[0]!);
    const { itemId } = await teamItem(w, team.id, "observer", approvers([(await person(w.db)).id]));
    await setItemRetired(w.db, w.admin, { itemId, retired: true, reason: "no longer offered" });
    await refused(() => request(requester, itemId), /does not offer this: the item does not exist or was retired/);
  });

  it("an item for members of other teams, a duration above the maximum, no reason, a ticket not matching, something already held", async () => {
    const [outsiderId, managerId, memberId] = pdUsers(w, 3);
    const team = await newTeam(w, [{ userId: managerId!, role: "manager" }]);
    const otherTeam = await newTeam(w, [{ userId: memberId!, role: "responder" }]);
    const requester = await personOfPdUser(w, outsiderId!);
    const approver = (await person(w.db)).id;
    const members = await teamItem(w, team, "observer", { ...approvers([approver]), requesters: { kind: "team_members", teamPdIds: [otherTeam] } });
    await refused(() => request(requester, members.itemId), /only to members of certain teams/);

    const strict = await teamItem(w, team, "responder", { ...approvers([approver]), maxDurationMinutes: 240, justification: { required: true, ticketPattern: "^(INC|CHG)-[0-9]+$" } });
    await refused(() => request(requester, strict.itemId, { durationMinutes: 241, ticket: "INC-1" }), /allows at most 4 h; you asked for 4 h 1 min/);
    await refused(() => request(requester, strict.itemId, { reason: "", ticket: "INC-1" }), /needs a reason/);
    await refused(() => request(requester, strict.itemId, { ticket: "JIRA-12" }), /ticket reference matching \^\(INC\|CHG\)-\[0-9\]\+\$/);
    await refused(() => request(requester, strict.itemId, { ticket: "" }), /ticket reference matching/);

    const held = await teamItem(w, team, "manager", approvers([approver]));
    const holder = await personOfPdUser(w, managerId!);
    await refused(() => request(holder, held.itemId), /You already hold this in PagerDuty \(manager of the team\): there is nothing to request/);
    // A pending request for the same item is not made twice.
    await request(requester, strict.itemId, { ticket: "INC-7" });
    await refused(() => request(requester, strict.itemId, { ticket: "INC-8" }), /already have a pending request for this/);
    // An auditor requests nothing.
    const auditor = actorOf(await person(w.db, { label: "auditor", roles: ["AUDITOR", "MEMBER"] }));
    await refused(() => request(auditor, strict.itemId, { ticket: "INC-9" }), /./, AuthorizationError);
  });
});
