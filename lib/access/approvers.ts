/**
 * Who may decide a request, under the policy version it was made under: the team's managers in PagerDuty
 * (per the synced model), named people, members of named portal groups, and, once the request has been
 * escalated, the fallback approvers. Never the requester, never anyone whose PagerDuty user the request
 * would grant something to, never a deactivated person or an auditor (auditors stay independent).
 */
import type { DbOrTx } from "@/lib/db";
import { peopleOfPdUsers } from "./identity";
import { approvalDecider, type PolicyRules } from "./policy";

export type ApproverRight = { right: "team_manager" } | { right: "person" } | { right: "group"; groupId: string } | { right: "fallback" };

export interface RequestForApproval {
  connectionId: string;
  requesterId: string;
  pdUserId: string;
  teamPdId: string | null;
  escalated: boolean;
}

/** Every eligible approver (person id → the rights they hold on the request). */
export async function eligibleApprovers(db: DbOrTx, rules: PolicyRules, req: RequestForApproval): Promise<Map<string, ApproverRight[]>> {
  const decider = approvalDecider(rules);
  const out = new Map<string, ApproverRight[]>();
  const add = (personId: string, r: ApproverRight) => out.set(personId, [...(out.get(personId) ?? []), r]);
  if (decider.approvers.teamManagers && req.teamPdId) {
    const managers = await db.pdTeamMembership.findMany({ where: { connectionId: req.connectionId, teamPdId: req.teamPdId, role: "manager", removedAt: null }, select: { userPdId: true } });
    for (const personId of (await peopleOfPdUsers(db, req.connectionId, managers.map((m) => m.userPdId))).values()) add(personId, { right: "team_manager" });
  }
  for (const id of decider.approvers.personIds) add(id, { right: "person" });
  if (decider.approvers.groupIds.length) {
    const members = await db.portalGroupMember.findMany({ where: { groupId: { in: decider.approvers.groupIds } }, select: { groupId: true, personId: true } });
    for (const m of members) add(m.personId, { right: "group", groupId: m.groupId });
  }
  if (req.escalated) for (const id of rules.fallbackApproverIds) add(id, { right: "fallback" });
  await excludeIneligible(db, req, out);
  return out;
}

/** Drops the requester, people whose PagerDuty user is the one being granted, deactivated people and auditors. */
async function excludeIneligible(db: DbOrTx, req: RequestForApproval, out: Map<string, ApproverRight[]>): Promise<void> {
  out.delete(req.requesterId);
  if (out.size === 0) return;
  const people = await db.person.findMany({ where: { id: { in: [...out.keys()] } }, select: { id: true, status: true, roles: true, email: true } });
  const known = new Map(people.map((p) => [p.id, p]));
  const grantedTo = await peopleOfPdUsers(db, req.connectionId, [req.pdUserId]);
  const beneficiary = grantedTo.get(req.pdUserId);
  for (const id of [...out.keys()]) {
    const p = known.get(id);
    if (!p || p.status !== "ACTIVE" || p.roles.includes("AUDITOR") || id === beneficiary) out.delete(id);
  }
}

/** Why a person may not approve (null: they may), in words for the refusal. */
export function approvalRefusal(personId: string, req: RequestForApproval, rights: ApproverRight[] | undefined, beneficiaryPersonId: string | null): string | null {
  if (personId === req.requesterId) return "Nobody approves their own request.";
  if (beneficiaryPersonId === personId) return "You cannot approve a request that would grant access to your own PagerDuty user.";
  if (!rights || rights.length === 0) return "You are not an approver of this request under its policy.";
  return null;
}

export const describeRight = (r: ApproverRight, groupNames: Map<string, string> = new Map()): string =>
  r.right === "team_manager" ? "manager of the team in PagerDuty" : r.right === "person" ? "named approver" : r.right === "fallback" ? "fallback approver (escalated)" : `member of ${groupNames.get(r.groupId) ?? "a group"}`;
