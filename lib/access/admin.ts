/**
 * What Admin → Policies reads: per PagerDuty account, the catalog items (retired ones too) with their current
 * policy in words and every policy version (who, when, why, what changed), the portal groups with their
 * members, and the people who may be named as approvers. Authorized here (policy.read).
 */
import type { Actor } from "@/lib/auth/session";
import type { Db } from "@/lib/db";
import { baseRoleLabel, teamRoleLabel } from "@/lib/pagerduty-data/roles";
import { requireActor } from "./errors";
import { approvalDecider, DEFAULT_RULES, formatMinutes, parseRules, type PolicyRules } from "./policy";
import { describePolicy } from "./queries";

export interface PolicyVersionView {
  version: number;
  createdAt: Date;
  createdBy: string;
  reason: string | null;
  rulesSha256: string;
  /** What this version changed against the one before it (empty for version 1). */
  changes: string[];
}

export interface CatalogItemView {
  id: string;
  kind: "TEAM_ROLE" | "BASE_ROLE";
  name: string;
  description: string;
  /** "Manager of team Platform", "Base role Global Admin (from Manager, Responder)". */
  grants: string;
  role: string;
  teamPdId: string | null;
  fromRoles: string[];
  currentVersion: number;
  retiredAt: Date | null;
  rules: PolicyRules;
  policy: string[];
  versions: PolicyVersionView[];
  openRequests: number;
}

export interface AccountCatalog {
  id: string;
  name: string;
  status: string;
  /** Synced at least once (teams and users exist to choose from). */
  synced: boolean;
  teams: { pdId: string; name: string }[];
  items: CatalogItemView[];
}

export interface PolicyAdminView {
  accounts: AccountCatalog[];
  groups: { id: string; name: string; description: string; members: { id: string; name: string; email: string }[] }[];
  /** Active people who may be named approvers (auditors approve nothing). */
  approvers: { id: string; name: string; email: string }[];
  /** Active people who may join a group. */
  people: { id: string; name: string; email: string }[];
  /** The rules a new catalog item starts with. */
  defaultRules: PolicyRules;
}

const OPEN = ["PENDING", "APPROVED", "ACTIVE", "ENDING"] as const;

export async function policyAdminView(db: Db, actorIn: Actor | null): Promise<PolicyAdminView> {
  requireActor(actorIn, "policy.read");
  const [connections, items, groups, people] = await Promise.all([
    db.pagerDutyConnection.findMany({ where: { status: { not: "REMOVED" } }, orderBy: { name: "asc" }, select: { id: true, name: true, status: true, lastSuccessfulSyncAt: true } }),
    db.accessCatalogItem.findMany({ orderBy: [{ retiredAt: { sort: "asc", nulls: "first" } }, { name: "asc" }], include: { versions: { orderBy: { version: "asc" } } } }),
    db.portalGroup.findMany({ orderBy: { name: "asc" }, include: { members: { orderBy: { addedAt: "asc" } } } }),
    db.person.findMany({ where: { status: "ACTIVE" }, orderBy: { name: "asc" }, select: { id: true, name: true, email: true, roles: true } }),
  ]);
  const connectionIds = connections.map((c) => c.id);
  const [teams, openCounts] = await Promise.all([
    connectionIds.length ? db.pdTeam.findMany({ where: { connectionId: { in: connectionIds }, removedAt: null }, orderBy: { name: "asc" }, select: { connectionId: true, pdId: true, name: true } }) : [],
    items.length ? db.accessRequest.groupBy({ by: ["catalogItemId"], where: { catalogItemId: { in: items.map((i) => i.id) }, status: { in: [...OPEN] } }, _count: { _all: true } }) : [],
  ]);
  const open = new Map(openCounts.map((c) => [c.catalogItemId, c._count._all]));

  // Names for describePolicy and the history: every person and group a version names, and every author.
  const allPeople = new Map<string, string>();
  const versionAuthors = new Set(items.flatMap((i) => i.versions.map((v) => v.createdById)));
  const known = new Map(people.map((p) => [p.id, `${p.name} <${p.email}>`]));
  const parsed = new Map<string, PolicyRules>();
  const named = new Set<string>(versionAuthors);
  for (const item of items) {
    for (const v of item.versions) {
      const rules = parseRules(v.rules);
      parsed.set(`${item.id}@${v.version}`, rules);
      const d = approvalDecider(rules);
      for (const id of [...d.approvers.personIds, ...rules.fallbackApproverIds]) named.add(id);
    }
  }
  const unknown = [...named].filter((id) => !known.has(id));
  for (const p of unknown.length ? await db.person.findMany({ where: { id: { in: unknown } }, select: { id: true, name: true, email: true } }) : []) known.set(p.id, `${p.name} <${p.email}>`);
  for (const [id, label] of known) allPeople.set(id, label);
  const groupNames = new Map(groups.map((g) => [g.id, g.name]));
  const names = { people: allPeople, groups: groupNames };
  const memberIds = [...new Set(groups.flatMap((g) => g.members.map((m) => m.personId)))];
  const missingMembers = memberIds.filter((id) => !people.some((p) => p.id === id));
  const memberPeople = new Map([...people, ...(missingMembers.length ? await db.person.findMany({ where: { id: { in: missingMembers } }, select: { id: true, name: true, email: true, roles: true } }) : [])].map((p) => [p.id, p]));

  const teamsOf = (connectionId: string) => teams.filter((t) => t.connectionId === connectionId).map((t) => ({ pdId: t.pdId, name: t.name }));
  const accounts: AccountCatalog[] = connections.map((c) => {
    const accountTeams = teamsOf(c.id);
    const teamName = new Map(accountTeams.map((t) => [t.pdId, t.name]));
    return {
      id: c.id,
      name: c.name,
      status: c.status,
      synced: c.lastSuccessfulSyncAt !== null,
      teams: accountTeams,
      items: items
        .filter((i) => i.connectionId === c.id)
        .map((i) => {
          const rules = parsed.get(`${i.id}@${i.currentVersion}`) ?? parseRules(i.versions[i.versions.length - 1]!.rules);
          const team = i.teamPdId ? (teamName.get(i.teamPdId) ?? i.teamPdId) : null;
          return {
            id: i.id,
            kind: i.kind,
            name: i.name,
            description: i.description,
            grants: i.kind === "TEAM_ROLE" ? `${teamRoleLabel(i.role)} of team ${team}` : `Base role ${baseRoleLabel(i.role)}${i.fromRoles.length ? ` (from ${i.fromRoles.map(baseRoleLabel).join(", ")})` : " (from any lower role)"}`,
            role: i.role,
            teamPdId: i.teamPdId,
            fromRoles: i.fromRoles,
            currentVersion: i.currentVersion,
            retiredAt: i.retiredAt,
            rules,
            policy: [...describePolicy(rules, names), fallbackSentence(rules, names.people), expirySentence(rules)],
            versions: i.versions
              .map((v, n) => ({
                version: v.version,
                createdAt: v.createdAt,
                createdBy: allPeople.get(v.createdById) ?? "a person no longer in the portal",
                reason: v.reason,
                rulesSha256: v.rulesSha256,
                changes: n === 0 ? [] : diffRules(parsed.get(`${i.id}@${i.versions[n - 1]!.version}`)!, parsed.get(`${i.id}@${v.version}`)!, names),
              }))
              .reverse(),
            openRequests: open.get(i.id) ?? 0,
          };
        }),
    };
  });
  return {
    accounts,
    groups: groups.map((g) => ({
      id: g.id,
      name: g.name,
      description: g.description,
      members: g.members.map((m) => memberPeople.get(m.personId)).filter((p) => p !== undefined).map((p) => ({ id: p.id, name: p.name, email: p.email })),
    })),
    approvers: people.filter((p) => !p.roles.includes("AUDITOR")).map((p) => ({ id: p.id, name: p.name, email: p.email })),
    people: people.map((p) => ({ id: p.id, name: p.name, email: p.email })),
    defaultRules: parseRules(DEFAULT_RULES),
  };
}

function fallbackSentence(rules: PolicyRules, people: Map<string, string>): string {
  const who = rules.fallbackApproverIds.map((id) => people.get(id) ?? "a named person");
  return who.length ? `Fallback approvers: ${who.join(", ")}.` : "No fallback approver.";
}

function expirySentence(rules: PolicyRules): string {
  return rules.expiryNoticeMinutes > 0 ? `The requester is told ${formatMinutes(rules.expiryNoticeMinutes)} before the access ends.` : "No notice before the access ends.";
}

type Names = { people: Map<string, string>; groups: Map<string, string> };

/** What changed between two versions of a policy, one line per rule, in words. */
export function diffRules(before: PolicyRules, after: PolicyRules, names: Names): string[] {
  const out: string[] = [];
  const minutes = (label: string, a: number, b: number) => {
    if (a !== b) out.push(`${label}: ${formatMinutes(a)} → ${formatMinutes(b)}`);
  };
  const yesNo = (v: boolean) => (v ? "yes" : "no");
  const list = (ids: string[], map: Map<string, string>) => (ids.length ? ids.map((id) => map.get(id) ?? id).join(", ") : "none");
  const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
  minutes("Default duration", before.defaultDurationMinutes, after.defaultDurationMinutes);
  minutes("Maximum duration", before.maxDurationMinutes, after.maxDurationMinutes);
  if (before.justification.required !== after.justification.required) out.push(`Reason required: ${yesNo(before.justification.required)} → ${yesNo(after.justification.required)}`);
  if (before.justification.ticketPattern !== after.justification.ticketPattern) out.push(`Ticket pattern: ${before.justification.ticketPattern || "none"} → ${after.justification.ticketPattern || "none"}`);
  const a = approvalDecider(before);
  const b = approvalDecider(after);
  if (a.approvers.teamManagers !== b.approvers.teamManagers) out.push(`The team's managers approve: ${yesNo(a.approvers.teamManagers)} → ${yesNo(b.approvers.teamManagers)}`);
  if (!sameSet(a.approvers.personIds, b.approvers.personIds)) out.push(`Named approvers: ${list(a.approvers.personIds, names.people)} → ${list(b.approvers.personIds, names.people)}`);
  if (!sameSet(a.approvers.groupIds, b.approvers.groupIds)) out.push(`Approver groups: ${list(a.approvers.groupIds, names.groups)} → ${list(b.approvers.groupIds, names.groups)}`);
  if (a.approvalsNeeded !== b.approvalsNeeded) out.push(`Approvals needed: ${a.approvalsNeeded} → ${b.approvalsNeeded}`);
  if (a.distinctGroups !== b.distinctGroups) out.push(`Approvals from different groups: ${yesNo(a.distinctGroups)} → ${yesNo(b.distinctGroups)}`);
  const req = (r: PolicyRules["requesters"]) => (r.kind === "everyone" ? "everyone" : `members of ${r.teamPdIds.length} team${r.teamPdIds.length === 1 ? "" : "s"} (${r.teamPdIds.join(", ")})`);
  if (req(before.requesters) !== req(after.requesters)) out.push(`Who may request: ${req(before.requesters)} → ${req(after.requesters)}`);
  minutes("Undecided requests expire after", before.pendingTimeoutMinutes, after.pendingTimeoutMinutes);
  minutes("Remind approvers after", before.remindAfterMinutes, after.remindAfterMinutes);
  minutes("Escalate after", before.escalateAfterMinutes, after.escalateAfterMinutes);
  if (!sameSet(before.fallbackApproverIds, after.fallbackApproverIds)) out.push(`Fallback approvers: ${list(before.fallbackApproverIds, names.people)} → ${list(after.fallbackApproverIds, names.people)}`);
  if (before.extensionNeedsApproval !== after.extensionNeedsApproval) out.push(`Extensions need approval: ${yesNo(before.extensionNeedsApproval)} → ${yesNo(after.extensionNeedsApproval)}`);
  if (before.expiryNoticeMinutes !== after.expiryNoticeMinutes) out.push(`Notice before expiry: ${before.expiryNoticeMinutes ? formatMinutes(before.expiryNoticeMinutes) : "none"} → ${after.expiryNoticeMinutes ? formatMinutes(after.expiryNoticeMinutes) : "none"}`);
  return out.length ? out : ["No rule changed (same rules, new version)."];
}
