/**
 * What the just-in-time pages read: the catalog beside the requester's current state, a person's
 * requests, one request with its whole history, the approver's queue with context, My access, and
 * notifications. Every read is authorized here (lib/auth/access.ts decides; members see their own
 * requests and those they may decide).
 */
import { can } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import type { Db, DbOrTx } from "@/lib/db";
import { Prisma, type AccessCatalogItem, type AccessRequestStatus } from "@/lib/generated/prisma/client";
import { baseRoleLabel, teamRoleLabel } from "@/lib/pagerduty-data/roles";
import { describeRight, eligibleApprovers, type ApproverRight } from "./approvers";
import { currentState, describeState, type PriorState } from "./entitlement";
import { requireActor } from "./errors";
import { requestRef } from "./history";
import { pdUserOfPerson, peopleOfPdUsers } from "./identity";
import { accessNow } from "./options";
import { approvalDecider, formatMinutes, parseRules, type PolicyRules } from "./policy";
import { requestRefusal, targetOf } from "./requests";

export const OPEN_STATUSES: AccessRequestStatus[] = ["PENDING", "APPROVED", "ACTIVE", "ENDING"];

/** The policy in a sentence or two, for requesters and approvers. */
export function describePolicy(rules: PolicyRules, names: { people: Map<string, string>; groups: Map<string, string> }): string[] {
  const d = approvalDecider(rules);
  const who = [
    d.approvers.teamManagers ? "the team's managers in PagerDuty" : null,
    ...d.approvers.personIds.map((id) => names.people.get(id) ?? "a named person"),
    ...d.approvers.groupIds.map((id) => `members of ${names.groups.get(id) ?? "a group"}`),
  ].filter(Boolean);
  return [
    `Default ${formatMinutes(rules.defaultDurationMinutes)}, at most ${formatMinutes(rules.maxDurationMinutes)}.`,
    rules.justification.required ? `A reason is required${rules.justification.ticketPattern ? `, and a ticket matching ${rules.justification.ticketPattern}` : ""}.` : rules.justification.ticketPattern ? `A ticket matching ${rules.justification.ticketPattern} is required.` : "No reason required.",
    `${d.approvalsNeeded === 2 ? `Two different approvers${d.distinctGroups ? " from different groups" : ""}` : "One approver"} among ${who.join(", ")}.`,
    rules.requesters.kind === "everyone" ? "Anyone with a PagerDuty user may request it." : "Only members of certain teams may request it.",
    `Undecided requests expire after ${formatMinutes(rules.pendingTimeoutMinutes)}; approvers are reminded after ${formatMinutes(rules.remindAfterMinutes)}, and the fallback approvers take over after ${formatMinutes(rules.escalateAfterMinutes)}.`,
    rules.extensionNeedsApproval ? "Extensions are approved again." : "Extensions within the maximum are granted without a new approval.",
  ];
}

async function nameMaps(db: DbOrTx, personIds: string[], groupIds: string[]) {
  const [people, groups] = await Promise.all([
    personIds.length ? db.person.findMany({ where: { id: { in: [...new Set(personIds)] } }, select: { id: true, name: true, email: true } }) : [],
    groupIds.length ? db.portalGroup.findMany({ where: { id: { in: [...new Set(groupIds)] } }, select: { id: true, name: true } }) : [],
  ]);
  return { people: new Map(people.map((p) => [p.id, `${p.name} <${p.email}>`])), groups: new Map(groups.map((g) => [g.id, g.name])) };
}

export interface CatalogEntry {
  item: Pick<AccessCatalogItem, "id" | "connectionId" | "kind" | "name" | "description" | "role" | "teamPdId" | "currentVersion">;
  connectionName: string;
  teamName: string | null;
  rules: PolicyRules;
  policy: string[];
  /** The requester's current state of the holding (null: no PagerDuty user on that connection). */
  current: string | null;
  /** Why the requester cannot request it (null: they can). */
  unavailable: string | null;
  openRequestId: string | null;
}

/** The catalog as one requester sees it: every offered item, their current state and whether they may ask. */
export async function catalogFor(db: Db, actorIn: Actor | null): Promise<CatalogEntry[]> {
  const actor = requireActor(actorIn, "portal.view");
  const items = await db.accessCatalogItem.findMany({ where: { retiredAt: null }, orderBy: [{ connectionId: "asc" }, { name: "asc" }] });
  if (items.length === 0) return [];
  const connections = new Map((await db.pagerDutyConnection.findMany({ where: { id: { in: [...new Set(items.map((i) => i.connectionId))] }, status: "ACTIVE" }, select: { id: true, name: true } })).map((c) => [c.id, c.name]));
  const versions = await db.accessPolicyVersion.findMany({ where: { OR: items.map((i) => ({ catalogItemId: i.id, version: i.currentVersion })) } });
  const rulesOf = new Map(versions.map((v) => [v.catalogItemId, parseRules(v.rules)]));
  const allRules = [...rulesOf.values()];
  const names = await nameMaps(db, allRules.flatMap((r) => approvalDecider(r).approvers.personIds), allRules.flatMap((r) => approvalDecider(r).approvers.groupIds));
  const teams = new Map((await db.pdTeam.findMany({ where: { OR: items.filter((i) => i.teamPdId).map((i) => ({ connectionId: i.connectionId, pdId: i.teamPdId! })) }, select: { connectionId: true, pdId: true, name: true } })).map((t) => [`${t.connectionId}|${t.pdId}`, t.name]));
  const open = new Map((await db.accessRequest.findMany({ where: { requesterId: actor.personId, kind: "GRANT", status: "PENDING" }, select: { id: true, catalogItemId: true } })).map((r) => [r.catalogItemId, r.id]));
  const me = new Map<string, string | null>();
  const out: CatalogEntry[] = [];
  for (const item of items) {
    const connectionName = connections.get(item.connectionId);
    const rules = rulesOf.get(item.id);
    if (!connectionName || !rules) continue;
    if (!me.has(item.connectionId)) me.set(item.connectionId, (await pdUserOfPerson(db, item.connectionId, actor.personId))?.pdId ?? null);
    const pdUserId = me.get(item.connectionId) ?? null;
    const state = pdUserId ? await currentState(db, item.connectionId, pdUserId, targetOf(item)) : null;
    const refusal = pdUserId ? await requestRefusal(db, item, rules, pdUserId, { durationMinutes: rules.defaultDurationMinutes, reason: "xxx", ticket: "" }) : null;
    out.push({
      item: { id: item.id, connectionId: item.connectionId, kind: item.kind, name: item.name, description: item.description, role: item.role, teamPdId: item.teamPdId, currentVersion: item.currentVersion },
      connectionName,
      teamName: item.teamPdId ? (teams.get(`${item.connectionId}|${item.teamPdId}`) ?? item.teamPdId) : null,
      rules,
      policy: describePolicy(rules, names),
      current: pdUserId ? describeState(targetOf(item), state) : null,
      unavailable: !pdUserId ? `You have no PagerDuty user in ${connectionName}.` : refusal && refusal.field !== "ticket" && refusal.field !== "reason" ? refusal.message : null,
      openRequestId: open.get(item.id) ?? null,
    });
  }
  return out;
}

export interface RequestRow {
  id: string;
  ref: string;
  kind: "GRANT" | "EXTENSION";
  status: AccessRequestStatus;
  itemName: string;
  connectionId: string;
  requesterLabel: string;
  durationMinutes: number;
  reason: string;
  ticket: string | null;
  requestedAt: Date;
  decideBy: Date;
  endsAt: Date | null;
  endReason: string | null;
  extendsRequestId: string | null;
}

const rowSelect = { id: true, number: true, kind: true, status: true, connectionId: true, requesterLabel: true, durationMinutes: true, reason: true, ticket: true, requestedAt: true, decideBy: true, endsAt: true, endReason: true, extendsRequestId: true, item: { select: { name: true } } } satisfies Prisma.AccessRequestSelect;
type RowSource = Prisma.AccessRequestGetPayload<{ select: typeof rowSelect }>;
const toRow = (r: RowSource): RequestRow => ({ id: r.id, ref: requestRef(r.number), kind: r.kind, status: r.status, itemName: r.item.name, connectionId: r.connectionId, requesterLabel: r.requesterLabel, durationMinutes: r.durationMinutes, reason: r.reason, ticket: r.ticket, requestedAt: r.requestedAt, decideBy: r.decideBy, endsAt: r.endsAt, endReason: r.endReason, extendsRequestId: r.extendsRequestId });

/** Every request the person made, newest first (history is kept forever). */
export async function myRequests(db: Db, actorIn: Actor | null, opts: { take?: number } = {}): Promise<RequestRow[]> {
  const actor = requireActor(actorIn, "portal.view");
  const rows = await db.accessRequest.findMany({ where: { requesterId: actor.personId }, orderBy: { requestedAt: "desc" }, take: opts.take ?? 500, select: rowSelect });
  return rows.map(toRow);
}

export interface RequestDetail extends RequestRow {
  connectionName: string;
  pdUserId: string;
  policyVersion: number;
  policy: string[];
  rulesSha256: string;
  priorState: string | null;
  startsAt: Date | null;
  decidedAt: Date | null;
  endedAt: Date | null;
  approvals: { approverLabel: string; decision: string; right: string; comment: string | null; at: Date; bulk: boolean }[];
  approvalsNeeded: number;
  events: { id: string; at: Date; kind: string; actorLabel: string; message: string }[];
  grantChange: { id: string; status: string; verifiedAt: Date | null; observed: unknown } | null;
  endChange: { id: string; status: string; verifiedAt: Date | null; observed: unknown; runAt: Date | null } | null;
  /** PagerDuty no longer shows a live grant (removed there). */
  drift: string | null;
  /** Who may decide it now (when pending). */
  approvers: { label: string; rights: string[] }[];
  extensions: RequestRow[];
  canCancel: boolean;
  canExtend: boolean;
  canReturn: boolean;
  canDecide: boolean;
  maxExtensionMinutes: number;
}

/** One request with everything a requester, an approver or an auditor needs to follow it. */
export async function requestDetail(db: Db, actorIn: Actor | null, requestId: string): Promise<RequestDetail | null> {
  const actor = requireActor(actorIn, "portal.view");
  const r = await db.accessRequest.findUnique({ where: { id: requestId }, select: { ...rowSelect, pdUserId: true, policyVersion: true, priorState: true, startsAt: true, decidedAt: true, endedAt: true, requesterId: true, escalatedAt: true, catalogItemId: true, grantChangeId: true, endChangeId: true, entitlementKey: true } });
  if (!r) return null;
  const item = await db.accessCatalogItem.findUniqueOrThrow({ where: { id: r.catalogItemId } });
  const version = await db.accessPolicyVersion.findUniqueOrThrow({ where: { catalogItemId_version: { catalogItemId: item.id, version: r.policyVersion } } });
  const rules = parseRules(version.rules);
  const subject = { connectionId: r.connectionId, requesterId: r.requesterId, pdUserId: r.pdUserId, teamPdId: item.teamPdId, escalated: r.escalatedAt !== null };
  const approvers = await eligibleApprovers(db, rules, subject);
  const mine = r.requesterId === actor.personId;
  if (!mine && !approvers.has(actor.personId) && !can(actor, "access.read")) return null;
  const [approvals, events, changes, connection, ext] = await Promise.all([
    db.accessRequestApproval.findMany({ where: { requestId }, orderBy: { at: "asc" } }),
    db.accessRequestEvent.findMany({ where: { requestId }, orderBy: { seq: "asc" } }),
    db.changeRequest.findMany({ where: { id: { in: [r.grantChangeId, r.endChangeId].filter((x): x is string => x !== null) } }, select: { id: true, status: true, verifiedAt: true, observed: true, runAt: true } }),
    db.pagerDutyConnection.findUnique({ where: { id: r.connectionId }, select: { name: true } }),
    db.accessRequest.findMany({ where: { extendsRequestId: requestId }, orderBy: { requestedAt: "asc" }, select: rowSelect }),
  ]);
  const names = await nameMaps(db, [...approvers.keys(), ...approvalDecider(rules).approvers.personIds], approvalDecider(rules).approvers.groupIds);
  const change = (id: string | null) => changes.find((c) => c.id === id) ?? null;
  const live = r.status === "ACTIVE";
  let drift: string | null = null;
  if (live) {
    const held = await db.grant.count({ where: { connectionId: r.connectionId, pdUserId: r.pdUserId, entitlementKey: r.entitlementKey, removedAt: null } });
    if (held === 0) drift = "PagerDuty no longer shows this access: it was removed there although the grant has not ended (drift).";
  }
  const now = accessNow();
  const usedMinutes = r.startsAt && r.endsAt ? Math.round((r.endsAt.getTime() - r.startsAt.getTime()) / 60_000) : 0;
  const currentRules = item.currentVersion === r.policyVersion ? rules : parseRules((await db.accessPolicyVersion.findUniqueOrThrow({ where: { catalogItemId_version: { catalogItemId: item.id, version: item.currentVersion } } })).rules);
  return {
    ...toRow(r),
    connectionName: connection?.name ?? r.connectionId,
    pdUserId: r.pdUserId,
    policyVersion: r.policyVersion,
    policy: describePolicy(rules, names),
    rulesSha256: version.rulesSha256,
    priorState: r.priorState ? describeState(targetOf(item), r.priorState as PriorState) : null,
    startsAt: r.startsAt,
    decidedAt: r.decidedAt,
    endedAt: r.endedAt,
    approvals: approvals.map((a) => ({ approverLabel: a.approverLabel, decision: a.decision, right: a.approverRight, comment: a.comment, at: a.at, bulk: a.evidence !== null })),
    approvalsNeeded: approvalDecider(rules).approvalsNeeded,
    events: events.map((e) => ({ id: e.id, at: e.at, kind: e.kind, actorLabel: e.actorLabel, message: e.message })),
    grantChange: change(r.grantChangeId),
    endChange: change(r.endChangeId),
    drift,
    approvers: r.status === "PENDING" ? [...approvers.entries()].map(([id, rights]) => ({ label: names.people.get(id) ?? id, rights: rights.map((x) => describeRight(x, names.groups)) })) : [],
    extensions: ext.map(toRow),
    canCancel: mine && r.status === "PENDING",
    canExtend: mine && r.kind === "GRANT" && (r.status === "ACTIVE" || r.status === "APPROVED") && !item.retiredAt && usedMinutes < currentRules.maxDurationMinutes && !ext.some((e) => e.status === "PENDING"),
    canReturn: mine && r.kind === "GRANT" && (r.status === "ACTIVE" || r.status === "APPROVED"),
    canDecide: r.status === "PENDING" && approvers.has(actor.personId) && !approvals.some((a) => a.approverId === actor.personId) && r.decideBy > now,
    maxExtensionMinutes: Math.max(0, currentRules.maxDurationMinutes - usedMinutes),
  };
}

export interface QueueRow extends RequestRow {
  pdUserId: string;
  escalated: boolean;
  approvals: number;
  approvalsNeeded: number;
  myRights: string[];
  /** The requester's current access on the connection, in words. */
  currentAccess: string[];
  onCall: { now: string | null; next: string | null };
  past: { total: number; byOutcome: Record<string, number>; recent: { ref: string; itemName: string; status: string; endReason: string | null }[] };
  otherApprovers: string[];
}

export interface Queue {
  rows: QueueRow[];
  total: number;
  nextCursor: string | null;
}

/**
 * The requests this person may decide now, oldest first, with context. Eligibility is decided per
 * (catalog item, policy version) for the actor once, then the requests are read with one indexed query
 * (keyset pagination), so the queue stays fast with many thousands of open requests.
 */
export async function approvalQueue(db: Db, actorIn: Actor | null, filter: { connectionId?: string; q?: string; cursor?: string; limit?: number } = {}): Promise<Queue> {
  const actor = requireActor(actorIn, "access.approve");
  const limit = filter.limit ?? 50;
  const pairs = await db.$queryRaw<{ catalogItemId: string; policyVersion: number; connectionId: string; teamPdId: string | null }[]>`
    SELECT v."catalogItemId", v."version" AS "policyVersion", i."connectionId", i."teamPdId"
    FROM "AccessPolicyVersion" v JOIN "AccessCatalogItem" i ON i."id" = v."catalogItemId"
    WHERE EXISTS (SELECT 1 FROM "AccessRequest" r WHERE r."catalogItemId" = v."catalogItemId" AND r."status" = 'PENDING' AND r."policyVersion" = v."version")`;
  if (pairs.length === 0) return { rows: [], total: 0, nextCursor: null };
  const versions = await db.accessPolicyVersion.findMany({ where: { OR: pairs.map((p) => ({ catalogItemId: p.catalogItemId, version: p.policyVersion })) } });
  const rulesOf = new Map(versions.map((v) => [`${v.catalogItemId}@${v.version}`, parseRules(v.rules)]));
  const myGroups = new Set((await db.portalGroupMember.findMany({ where: { personId: actor.personId }, select: { groupId: true } })).map((g) => g.groupId));
  const myPdUser = new Map<string, string | null>();
  const managerOf = new Map<string, Set<string>>();
  const direct: { catalogItemId: string; policyVersion: number }[] = [];
  const fallbackOnly: { catalogItemId: string; policyVersion: number }[] = [];
  const rightsOf = new Map<string, ApproverRight[]>();
  for (const p of pairs) {
    const rules = rulesOf.get(`${p.catalogItemId}@${p.policyVersion}`);
    if (!rules) continue;
    const d = approvalDecider(rules);
    const rights: ApproverRight[] = [];
    if (d.approvers.personIds.includes(actor.personId)) rights.push({ right: "person" });
    for (const g of d.approvers.groupIds) if (myGroups.has(g)) rights.push({ right: "group", groupId: g });
    if (d.approvers.teamManagers && p.teamPdId) {
      if (!myPdUser.has(p.connectionId)) {
        const me = (await pdUserOfPerson(db, p.connectionId, actor.personId))?.pdId ?? null;
        myPdUser.set(p.connectionId, me);
        managerOf.set(p.connectionId, new Set(me ? (await db.pdTeamMembership.findMany({ where: { connectionId: p.connectionId, userPdId: me, role: "manager", removedAt: null }, select: { teamPdId: true } })).map((m) => m.teamPdId) : []));
      }
      if (managerOf.get(p.connectionId)?.has(p.teamPdId)) rights.push({ right: "team_manager" });
    }
    const key = { catalogItemId: p.catalogItemId, policyVersion: p.policyVersion };
    if (rights.length) direct.push(key);
    else if (rules.fallbackApproverIds.includes(actor.personId)) fallbackOnly.push(key);
    rightsOf.set(`${p.catalogItemId}@${p.policyVersion}`, rights.length ? rights : [{ right: "fallback" }]);
  }
  if (direct.length === 0 && fallbackOnly.length === 0) return { rows: [], total: 0, nextCursor: null };
  // Never one's own request, nor one granting one's own PagerDuty user, nor one already approved by oneself.
  const ownPdUsers = [...myPdUser.entries()].filter(([, v]) => v !== null).map(([connectionId, pdUserId]) => ({ connectionId, pdUserId: pdUserId! }));
  const now = accessNow();
  // One SQL condition for the count and the page: the eligible (item, version) pairs as a VALUES list
  // (a hash join, not one OR per pair), and the keyset on the (status, requestedAt) index.
  const eligible = Prisma.join([...direct.map((k) => ({ ...k, escalatedOnly: false })), ...fallbackOnly.map((k) => ({ ...k, escalatedOnly: true }))].map((k) => Prisma.sql`(${k.catalogItemId}::text, ${k.policyVersion}::int, ${k.escalatedOnly}::boolean)`));
  const conditions = [
    Prisma.sql`r."status" = 'PENDING'`,
    Prisma.sql`r."decideBy" > ${now}::timestamptz`,
    Prisma.sql`r."requesterId" <> ${actor.personId}`,
    Prisma.sql`EXISTS (SELECT 1 FROM (VALUES ${eligible}) AS e("catalogItemId", "policyVersion", "escalatedOnly") WHERE e."catalogItemId" = r."catalogItemId" AND e."policyVersion" = r."policyVersion" AND (NOT e."escalatedOnly" OR r."escalatedAt" IS NOT NULL))`,
    Prisma.sql`NOT EXISTS (SELECT 1 FROM "AccessRequestApproval" a WHERE a."requestId" = r."id" AND a."approverId" = ${actor.personId})`,
  ];
  if (ownPdUsers.length) conditions.push(Prisma.sql`NOT EXISTS (SELECT 1 FROM (VALUES ${Prisma.join(ownPdUsers.map((o) => Prisma.sql`(${o.connectionId}::text, ${o.pdUserId}::text)`))}) AS o("connectionId", "pdUserId") WHERE o."connectionId" = r."connectionId" AND o."pdUserId" = r."pdUserId")`);
  if (filter.connectionId) conditions.push(Prisma.sql`r."connectionId" = ${filter.connectionId}`);
  if (filter.q) {
    const like = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(Prisma.sql`(r."requesterLabel" ILIKE ${like} OR r."reason" ILIKE ${like} OR EXISTS (SELECT 1 FROM "AccessCatalogItem" i WHERE i."id" = r."catalogItemId" AND i."name" ILIKE ${like}))`);
  }
  const where = Prisma.join(conditions, " AND ");
  const cursor = decodeCursor(filter.cursor);
  const keyset = cursor ? Prisma.sql` AND r."requestedAt" >= ${cursor.at}::timestamptz AND (r."requestedAt" > ${cursor.at}::timestamptz OR r."id" > ${cursor.id})` : Prisma.empty;
  const [counted, ids] = await Promise.all([
    db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM "AccessRequest" r WHERE ${where}`,
    db.$queryRaw<{ id: string }[]>`SELECT r."id" FROM "AccessRequest" r WHERE ${where}${keyset} ORDER BY r."requestedAt", r."id" LIMIT ${limit + 1}`,
  ]);
  const total = counted[0]?.n ?? 0;
  const order = new Map(ids.map((r, i) => [r.id, i]));
  const rows = (
    await db.accessRequest.findMany({ where: { id: { in: ids.map((r) => r.id) } }, select: { ...rowSelect, pdUserId: true, escalatedAt: true, catalogItemId: true, policyVersion: true, requesterId: true, _count: { select: { approvals: { where: { decision: "approve" } } } } } })
  ).sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  const page = rows.slice(0, limit);
  const context = await queueContext(db, page, now);
  const out: QueueRow[] = page.map((r) => {
    const rules = rulesOf.get(`${r.catalogItemId}@${r.policyVersion}`)!;
    const groupNames = context.groupNames;
    return {
      ...toRow(r),
      pdUserId: r.pdUserId,
      escalated: r.escalatedAt !== null,
      approvals: r._count.approvals,
      approvalsNeeded: approvalDecider(rules).approvalsNeeded,
      myRights: (rightsOf.get(`${r.catalogItemId}@${r.policyVersion}`) ?? []).map((x) => describeRight(x, groupNames)),
      currentAccess: context.access.get(`${r.connectionId}|${r.pdUserId}`) ?? [],
      onCall: context.onCall.get(`${r.connectionId}|${r.pdUserId}`) ?? { now: null, next: null },
      past: context.past.get(r.requesterId) ?? { total: 0, byOutcome: {}, recent: [] },
      otherApprovers: [],
    };
  });
  await fillOtherApprovers(db, actor.personId, page, rulesOf, out);
  const last = page[page.length - 1];
  return { rows: out, total, nextCursor: rows.length > limit && last ? encodeCursor(last.requestedAt, last.id) : null };
}

const encodeCursor = (at: Date, id: string) => Buffer.from(`${at.toISOString()}|${id}`).toString("base64url");
function decodeCursor(raw: string | undefined): { at: Date; id: string } | null {
  if (!raw) return null;
  const [at, id] = Buffer.from(raw, "base64url").toString("utf8").split("|");
  const date = at ? new Date(at) : null;
  return date && !Number.isNaN(date.getTime()) && id && /^[A-Za-z0-9_-]{1,64}$/.test(id) ? { at: date, id } : null;
}

async function queueContext(db: Db, page: { connectionId: string; pdUserId: string; requesterId: string }[], now: Date) {
  const users = [...new Map(page.map((r) => [`${r.connectionId}|${r.pdUserId}`, r])).values()];
  const access = new Map<string, string[]>();
  const onCall = new Map<string, { now: string | null; next: string | null }>();
  if (users.length) {
    const grants = await db.grant.findMany({ where: { removedAt: null, OR: users.map((u) => ({ connectionId: u.connectionId, pdUserId: u.pdUserId })) }, select: { connectionId: true, pdUserId: true, entitlement: true, role: true, teamPdId: true, schedulePdId: true } });
    const teams = new Map((await db.pdTeam.findMany({ where: { OR: users.map((u) => ({ connectionId: u.connectionId })), pdId: { in: grants.map((g) => g.teamPdId).filter((x): x is string => x !== null) } }, select: { connectionId: true, pdId: true, name: true } })).map((t) => [`${t.connectionId}|${t.pdId}`, t.name]));
    for (const g of grants) {
      const key = `${g.connectionId}|${g.pdUserId}`;
      const text = g.entitlement === "BASE_ROLE" ? `Base role: ${baseRoleLabel(g.role ?? "")}` : g.entitlement === "TEAM_MEMBER" ? `${teamRoleLabel(g.role ?? "")} of ${teams.get(`${g.connectionId}|${g.teamPdId}`) ?? g.teamPdId}` : null;
      if (text) access.set(key, [...(access.get(key) ?? []), text]);
    }
    for (const [k, v] of access) access.set(k, v.sort((a, b) => (a.startsWith("Base") ? -1 : b.startsWith("Base") ? 1 : a.localeCompare(b))));
    const shifts = await db.pdOncallShift.findMany({ where: { removedAt: null, OR: users.map((u) => ({ connectionId: u.connectionId, userPdId: u.pdUserId })), AND: [{ OR: [{ end: null }, { end: { gt: now } }] }] }, orderBy: { start: "asc" }, select: { connectionId: true, userPdId: true, start: true, end: true, escalationLevel: true, schedulePdId: true } });
    for (const s of shifts) {
      const key = `${s.connectionId}|${s.userPdId}`;
      const cur = onCall.get(key) ?? { now: null, next: null };
      const when = `level ${s.escalationLevel}${s.end ? ` until ${s.end.toISOString()}` : " (always)"}`;
      if ((!s.start || s.start <= now) && !cur.now) cur.now = `On call now, ${when}`;
      else if (s.start && s.start > now && !cur.next) cur.next = `Next on call ${s.start.toISOString()}, level ${s.escalationLevel}`;
      onCall.set(key, cur);
    }
  }
  const requesters = [...new Set(page.map((r) => r.requesterId))];
  const past = new Map<string, QueueRow["past"]>();
  if (requesters.length) {
    const counts = await db.accessRequest.groupBy({ by: ["requesterId", "status"], where: { requesterId: { in: requesters }, status: { notIn: ["PENDING"] } }, _count: { _all: true } });
    for (const c of counts) {
      const p = past.get(c.requesterId) ?? { total: 0, byOutcome: {}, recent: [] };
      p.total += c._count._all;
      p.byOutcome[c.status.toLowerCase()] = c._count._all;
      past.set(c.requesterId, p);
    }
    const recent = await db.accessRequest.findMany({ where: { requesterId: { in: requesters }, status: { not: "PENDING" } }, orderBy: { requestedAt: "desc" }, take: Math.min(200, requesters.length * 5), select: { requesterId: true, number: true, status: true, endReason: true, item: { select: { name: true } } } });
    for (const r of recent) {
      const p = past.get(r.requesterId);
      if (p && p.recent.length < 5) p.recent.push({ ref: requestRef(r.number), itemName: r.item.name, status: r.status, endReason: r.endReason });
    }
  }
  const groupNames = new Map((await db.portalGroup.findMany({ select: { id: true, name: true } })).map((g) => [g.id, g.name]));
  return { access, onCall, past, groupNames };
}

/**
 * Who else may decide each row: the approvers of each (item, version, escalation) as eligibleApprovers
 * finds them (team managers, named people, group members, the fallback once escalated; active, not
 * auditors), then per row without oneself, the requester and the person the grant is for. Read in a
 * fixed number of queries for the whole page (not per row), so a page costs the same with many items.
 */
async function fillOtherApprovers(db: Db, me: string, page: { catalogItemId: string; policyVersion: number; connectionId: string; escalatedAt: Date | null; requesterId: string; pdUserId: string }[], rulesOf: Map<string, PolicyRules>, out: QueueRow[]) {
  if (page.length === 0) return;
  const items = new Map((await db.accessCatalogItem.findMany({ where: { id: { in: [...new Set(page.map((r) => r.catalogItemId))] } }, select: { id: true, teamPdId: true } })).map((i) => [i.id, i]));
  const teamsOf = new Map<string, Set<string>>();
  const groupIds = new Set<string>();
  for (const r of page) {
    const d = approvalDecider(rulesOf.get(`${r.catalogItemId}@${r.policyVersion}`)!);
    const team = items.get(r.catalogItemId)?.teamPdId;
    if (d.approvers.teamManagers && team) teamsOf.set(r.connectionId, (teamsOf.get(r.connectionId) ?? new Set()).add(team));
    for (const g of d.approvers.groupIds) groupIds.add(g);
  }
  const managersOf = new Map<string, string[]>();
  for (const [connectionId, teams] of teamsOf) {
    const managers = await db.pdTeamMembership.findMany({ where: { connectionId, teamPdId: { in: [...teams] }, role: "manager", removedAt: null }, select: { teamPdId: true, userPdId: true } });
    const people = await peopleOfPdUsers(db, connectionId, [...new Set(managers.map((m) => m.userPdId))]);
    for (const m of managers) {
      const personId = people.get(m.userPdId);
      if (personId) managersOf.set(`${connectionId}|${m.teamPdId}`, [...(managersOf.get(`${connectionId}|${m.teamPdId}`) ?? []), personId]);
    }
  }
  const membersOf = new Map<string, string[]>();
  if (groupIds.size) for (const m of await db.portalGroupMember.findMany({ where: { groupId: { in: [...groupIds] } }, select: { groupId: true, personId: true } })) membersOf.set(m.groupId, [...(membersOf.get(m.groupId) ?? []), m.personId]);
  const candidates = new Map<string, string[]>();
  for (const r of page) {
    const key = `${r.catalogItemId}@${r.policyVersion}@${r.escalatedAt !== null}`;
    if (candidates.has(key)) continue;
    const rules = rulesOf.get(`${r.catalogItemId}@${r.policyVersion}`)!;
    const d = approvalDecider(rules);
    const team = items.get(r.catalogItemId)?.teamPdId;
    const ids = new Set<string>();
    if (d.approvers.teamManagers && team) for (const id of managersOf.get(`${r.connectionId}|${team}`) ?? []) ids.add(id);
    for (const id of d.approvers.personIds) ids.add(id);
    for (const g of d.approvers.groupIds) for (const id of membersOf.get(g) ?? []) ids.add(id);
    if (r.escalatedAt !== null) for (const id of rules.fallbackApproverIds) ids.add(id);
    candidates.set(key, [...ids]);
  }
  const people = new Map((await db.person.findMany({ where: { id: { in: [...new Set([...candidates.values()].flat())] } }, select: { id: true, name: true, status: true, roles: true } })).map((p) => [p.id, p]));
  const beneficiaries = new Map<string, string>();
  for (const c of new Set(page.map((r) => r.connectionId))) {
    for (const [pd, person] of await peopleOfPdUsers(db, c, page.filter((r) => r.connectionId === c).map((r) => r.pdUserId))) beneficiaries.set(`${c}|${pd}`, person);
  }
  for (const [i, r] of page.entries()) {
    const ids = candidates.get(`${r.catalogItemId}@${r.policyVersion}@${r.escalatedAt !== null}`)!.filter((id) => {
      const p = people.get(id);
      return p && p.status === "ACTIVE" && !p.roles.includes("AUDITOR") && id !== me && id !== r.requesterId && id !== beneficiaries.get(`${r.connectionId}|${r.pdUserId}`);
    });
    out[i]!.otherApprovers = ids.map((id) => people.get(id)!.name);
  }
}

export interface MyAccessRow {
  grantId: string;
  kind: "BASE_ROLE" | "TEAM_MEMBER" | "SCHEDULE_MEMBER";
  what: string;
  origin: string;
  /** "Why do I have this?" in plain words. */
  why: string;
  since: Date;
  endsAt: Date | null;
  requestId: string | null;
}

export interface MyAccessAccount {
  connectionId: string;
  connectionName: string;
  pdUser: { pdId: string; name: string; email: string; role: string } | null;
  rows: MyAccessRow[];
  upcomingShifts: { start: Date | null; end: Date | null; level: number; scheduleName: string | null; policyName: string | null; now: boolean }[];
}

/** What the person holds in each PagerDuty account, with the origin of each holding, and their shifts. */
export async function myAccess(db: Db, actorIn: Actor | null, forPersonId?: string): Promise<MyAccessAccount[]> {
  const actor = requireActor(actorIn, "portal.view");
  const personId = forPersonId ?? actor.personId;
  if (personId !== actor.personId && !can(actor, "access.read")) return [];
  const connections = await db.pagerDutyConnection.findMany({ where: { status: { not: "REMOVED" } }, orderBy: { name: "asc" }, select: { id: true, name: true } });
  const now = accessNow();
  const out: MyAccessAccount[] = [];
  for (const c of connections) {
    const pdUser = await pdUserOfPerson(db, c.id, personId);
    if (!pdUser) {
      out.push({ connectionId: c.id, connectionName: c.name, pdUser: null, rows: [], upcomingShifts: [] });
      continue;
    }
    const grants = await db.grant.findMany({ where: { connectionId: c.id, pdUserId: pdUser.pdId, removedAt: null }, orderBy: [{ entitlement: "asc" }, { entitlementKey: "asc" }] });
    const [teams, schedules] = await Promise.all([
      db.pdTeam.findMany({ where: { connectionId: c.id, pdId: { in: grants.map((g) => g.teamPdId).filter((x): x is string => x !== null) } }, select: { pdId: true, name: true } }),
      db.pdSchedule.findMany({ where: { connectionId: c.id }, select: { pdId: true, name: true } }),
    ]);
    const teamName = new Map(teams.map((t) => [t.pdId, t.name]));
    const scheduleName = new Map(schedules.map((s) => [s.pdId, s.name]));
    const requestIds = grants.map((g) => (g.originRef?.startsWith("approval:") ? g.originRef.slice("approval:".length) : null)).filter((x): x is string => x !== null);
    const live = await db.accessRequest.findMany({ where: { OR: [{ id: { in: requestIds } }, { connectionId: c.id, pdUserId: pdUser.pdId, kind: "GRANT", status: { in: ["APPROVED", "ACTIVE", "ENDING"] } }] }, select: { id: true, number: true, entitlementKey: true, endsAt: true, status: true, decidedAt: true, approvals: { select: { approverLabel: true, decision: true } } } });
    const reviewIds = grants.map((g) => (g.originRef?.startsWith("review_decision:") ? g.originRef.slice("review_decision:".length) : null)).filter((x): x is string => x !== null);
    const reviews = new Map((reviewIds.length ? await db.reviewDecision.findMany({ where: { id: { in: reviewIds } }, select: { id: true, decidedAt: true, campaignId: true } }) : []).map((d) => [d.id, d]));
    const rows: MyAccessRow[] = grants.map((g) => {
      const what = g.entitlement === "BASE_ROLE" ? `Base role: ${baseRoleLabel(g.role ?? "")}` : g.entitlement === "TEAM_MEMBER" ? `${teamRoleLabel(g.role ?? "")} of team ${teamName.get(g.teamPdId ?? "") ?? g.teamPdId}` : `On schedule ${scheduleName.get(g.schedulePdId ?? "") ?? g.schedulePdId}`;
      const req = live.find((r) => g.originRef === `approval:${r.id}`) ?? live.find((r) => r.entitlementKey === g.entitlementKey && (r.status === "APPROVED" || r.status === "ACTIVE"));
      let origin: string;
      let why: string;
      if (req && (g.origin === "REQUEST" || req.entitlementKey === g.entitlementKey)) {
        const approvers = req.approvals.filter((a) => a.decision === "approve").map((a) => a.approverLabel.replace(/ <.*>$/, ""));
        origin = "Approved request";
        why = `You requested it (${requestRef(req.number)}), ${approvers.length ? `approved by ${approvers.join(" and ")}` : "approved"}${req.decidedAt ? ` on ${req.decidedAt.toISOString().slice(0, 10)}` : ""}. It ends ${req.endsAt ? req.endsAt.toISOString() : "when the request ends"}, when the previous state is restored.`;
      } else if (g.origin === "BASELINE") {
        origin = "Baseline";
        why = `You already held this when the portal first synced this account (${g.firstSeenAt.toISOString().slice(0, 10)}); it stays until a review or an admin changes it.`;
      } else if (g.origin === "REVIEW") {
        const d = g.originRef ? reviews.get(g.originRef.slice("review_decision:".length)) : undefined;
        origin = "Review decision";
        why = `Set by an access review decision${d ? ` on ${d.decidedAt.toISOString().slice(0, 10)}` : ""}.`;
      } else if (g.origin === "DRIFT") {
        origin = "Changed in PagerDuty";
        why = `It appeared in PagerDuty after the first sync, outside the portal${g.changeActorLabel ? ` (by ${g.changeActorLabel}${g.changeMethod ? `, ${g.changeMethod.toLowerCase().replace("_", " ")}` : ""})` : ""}; the next access review will ask about it.`;
      } else if (g.origin === "POLICY") {
        origin = "Policy";
        why = "Granted by a role mapping or policy of the portal.";
      } else {
        origin = "Portal change";
        why = `Set through the portal's change pipeline (${g.originRef ?? "no reference"}).`;
      }
      return { grantId: g.id, kind: g.entitlement, what, origin, why, since: g.firstSeenAt, endsAt: req?.endsAt ?? null, requestId: req?.id ?? null };
    });
    const shifts = await db.pdOncallShift.findMany({ where: { connectionId: c.id, userPdId: pdUser.pdId, removedAt: null, OR: [{ end: null }, { end: { gt: now } }] }, orderBy: { start: "asc" }, take: 20 });
    const policies = new Map((await db.pdEscalationPolicy.findMany({ where: { connectionId: c.id, pdId: { in: shifts.map((s) => s.escalationPolicyPdId) } }, select: { pdId: true, name: true } })).map((p) => [p.pdId, p.name]));
    out.push({
      connectionId: c.id,
      connectionName: c.name,
      pdUser,
      rows,
      upcomingShifts: shifts.map((s) => ({ start: s.start, end: s.end, level: s.escalationLevel, scheduleName: s.schedulePdId ? (scheduleName.get(s.schedulePdId) ?? s.schedulePdId) : null, policyName: policies.get(s.escalationPolicyPdId) ?? null, now: (!s.start || s.start <= now) && (!s.end || s.end > now) })),
    });
  }
  return out;
}

/** The person's notifications, newest first. */
export async function myNotifications(db: Db, actorIn: Actor | null, take = 50) {
  const actor = requireActor(actorIn, "portal.view");
  return db.notification.findMany({ where: { personId: actor.personId }, orderBy: { createdAt: "desc" }, take, select: { id: true, kind: true, title: true, body: true, href: true, createdAt: true, readAt: true } });
}
