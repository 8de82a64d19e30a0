import "server-only";
/**
 * Reads for the review pages (the data-access layer). Every call authorizes: `review.read` for the role,
 * then, for members, only campaigns and items they review (or review as a delegate).
 */
import { can } from "@/lib/auth/access";
import { AuthenticationError, AuthorizationError } from "@/lib/auth/errors";
import type { Actor } from "@/lib/auth/session";
import { requestRef } from "@/lib/access/history";
import { getDb, type Db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { modifyRolesFor } from "./decisions";
import { actingFor, decideRefusal } from "./guard";
import { approversOf, jitApproversFor } from "./jit-approvers";
import { linkChangeFlags, type LinkChangeFlagRow } from "./link-flags";
import { reviewNow } from "./options";
import { refreshRemediation } from "./remediation";
import type {
  CampaignDetail,
  CampaignProgress,
  CampaignScope,
  CampaignSummary,
  DelegationRow,
  InAppReminder,
  ItemContext,
  JitRequestContext,
  MyReview,
  ProgressSplit,
  ReviewerPolicy,
  Risk,
  WorkspaceItem,
  WorkspacePage,
  WorkspaceQuery,
} from "./types";

function requireRead(actor: Actor | null): Actor {
  if (!actor) throw new AuthenticationError();
  if (!can(actor, "review.read")) throw new AuthorizationError("You don't have access to access reviews.");
  return actor;
}
/** Admins and auditors see every campaign and item; members only what they review. */
const seesAll = (actor: Actor) => can(actor, "campaign.manage") || can(actor, "evidence.read");

type CampaignRow = Prisma.ReviewCampaignGetPayload<object>;

async function summaries(db: Db, rows: CampaignRow[], now: Date): Promise<CampaignSummary[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const counts = await db.reviewItem.groupBy({ by: ["campaignId", "state"], where: { campaignId: { in: ids } }, _count: { _all: true } });
  return rows.map((c) => {
    const of = (s: string) => counts.find((x) => x.campaignId === c.id && x.state === s)?._count._all ?? 0;
    return {
      id: c.id,
      name: c.name,
      status: c.status,
      dueAt: c.dueAt.toISOString(),
      overdue: c.status === "ACTIVE" && c.dueAt.getTime() < now.getTime(),
      itemCount: c.itemCount,
      decided: of("DECIDED"),
      exceptions: of("EXCEPTION"),
      createdAt: c.createdAt.toISOString(),
      launchedAt: c.launchedAt?.toISOString() ?? null,
      closedAt: c.closedAt?.toISOString() ?? null,
      forceClosed: c.forceClosed,
      recurrenceMonths: c.recurrenceMonths,
    };
  });
}

export async function listCampaigns(actorIn: Actor | null, db?: Db): Promise<CampaignSummary[]> {
  const actor = requireRead(actorIn);
  const d = db ?? (await getDb());
  if (!seesAll(actor)) throw new AuthorizationError("Only admins and auditors see every campaign: open My reviews.");
  return summaries(d, await d.reviewCampaign.findMany({ orderBy: { createdAt: "desc" } }), reviewNow());
}

export async function listMyReviews(actorIn: Actor | null, db?: Db): Promise<MyReview[]> {
  const actor = requireRead(actorIn);
  if (!can(actor, "review.decide")) return [];
  const d = db ?? (await getDb());
  const now = reviewNow();
  const acting = await actingFor(d, actor.personId, now);
  const rows = await d.reviewItem.groupBy({
    by: ["campaignId", "reviewerId", "state"],
    where: { reviewerId: { in: acting.ids }, campaign: { status: "ACTIVE" }, OR: [{ subjectPersonId: null }, { subjectPersonId: { not: actor.personId } }] },
    _count: { _all: true },
  });
  const drafts = await d.reviewItem.groupBy({ by: ["campaignId"], where: { reviewerId: { in: acting.ids }, state: "PENDING", draftDecision: { not: null }, campaign: { status: "ACTIVE" } }, _count: { _all: true } });
  const campaignIds = [...new Set(rows.map((r) => r.campaignId))];
  const campaigns = await d.reviewCampaign.findMany({ where: { id: { in: campaignIds } }, orderBy: { dueAt: "asc" } });
  const names = new Map((await d.person.findMany({ where: { id: { in: [...acting.delegators.keys()] } }, select: { id: true, name: true } })).map((p) => [p.id, p.name]));
  return campaigns.map((c) => {
    const mine = rows.filter((r) => r.campaignId === c.id);
    const count = (s?: string) => mine.filter((r) => !s || r.state === s).reduce((n, r) => n + r._count._all, 0);
    return {
      campaignId: c.id,
      name: c.name,
      dueAt: c.dueAt.toISOString(),
      overdue: c.dueAt.getTime() < now.getTime(),
      assigned: count(),
      decided: count("DECIDED"),
      drafts: drafts.find((x) => x.campaignId === c.id)?._count._all ?? 0,
      remaining: count("PENDING"),
      delegatedFrom: [...new Set(mine.map((r) => r.reviewerId).filter((r): r is string => !!r && r !== actor.personId))].map((id) => names.get(id) ?? id),
    };
  });
}

async function memberMayRead(d: Db, actor: Actor, campaignId: string): Promise<boolean> {
  const acting = await actingFor(d, actor.personId, reviewNow());
  return (await d.reviewItem.count({ where: { campaignId, reviewerId: { in: acting.ids } } })) > 0;
}

export async function getCampaign(actorIn: Actor | null, campaignId: string, db?: Db): Promise<CampaignDetail | null> {
  const actor = requireRead(actorIn);
  const d = db ?? (await getDb());
  const c = await d.reviewCampaign.findUnique({ where: { id: campaignId } });
  if (!c) return null;
  if (!seesAll(actor) && !(await memberMayRead(d, actor, campaignId))) return null;
  const [summary] = await summaries(d, [c], reviewNow());
  const fallback = await d.person.findUnique({ where: { id: c.fallbackReviewerId }, select: { id: true, name: true } });
  return {
    ...summary!,
    description: c.description,
    connectionIds: c.connectionIds,
    scope: c.scope as unknown as CampaignScope,
    policy: c.policy as unknown as ReviewerPolicy,
    fallbackReviewer: fallback,
    justifyHighRisk: c.justifyHighRisk,
    staleOverrideReason: c.staleOverrideReason,
    manifest: (c.manifest as unknown as CampaignDetail["manifest"]) ?? null,
    closeReason: c.closeReason,
    can: { manage: can(actor, "campaign.manage") && c.status !== "CLOSED", decide: can(actor, "review.decide") && c.status === "ACTIVE", exportEvidence: can(actor, "evidence.read") && c.status !== "DRAFT" },
  };
}

type ItemRow = Prisma.ReviewItemGetPayload<object>;

function toWorkspaceItem(i: ItemRow, actor: Actor, actingIds: readonly string[], names: Map<string, string>, decidedByNames: Map<string, string>, active: boolean, approvers: Map<string, Set<string>>): WorkspaceItem {
  return {
    id: i.id,
    seq: i.seq,
    kind: i.kind,
    subjectName: i.subjectName,
    subjectEmail: i.subjectEmail,
    subjectPersonId: i.subjectPersonId,
    pdUserId: i.pdUserId,
    entitlementLabel: i.entitlementLabel,
    role: i.role,
    teamPdId: i.teamPdId,
    teamName: i.teamName,
    risks: i.risks as Risk[],
    riskScore: i.riskScore,
    state: i.state,
    step: i.step,
    reviewerId: i.reviewerId,
    reviewerName: i.reviewerId ? (names.get(i.reviewerId) ?? null) : null,
    reviewerReason: i.reviewerReason,
    draft: i.draftDecision ? { decision: i.draftDecision, role: i.draftRole, justification: i.draftJustification } : null,
    decision: i.decision && i.decidedAt ? { decision: i.decision, role: i.decisionRole, justification: i.justification, decidedAt: i.decidedAt.toISOString(), decidedBy: i.decidedById ? (decidedByNames.get(i.decidedById) ?? null) : null } : null,
    remediation: i.remediation,
    remediationError: i.remediationError,
    verifiedAt: i.verifiedAt?.toISOString() ?? null,
    exceptionReason: i.exceptionReason,
    decidable: active && i.state === "PENDING" && decideRefusal(actor, { ...i, approverIds: approversOf(approvers, i) }, actingIds) === null,
    modifyRoles: modifyRolesFor(i.kind, i.role),
    requestId: i.kind === "JIT_GRANT" ? i.grantId : null,
  };
}

const SORTS: Record<NonNullable<WorkspaceQuery["sort"]>, (dir: "asc" | "desc") => Prisma.ReviewItemOrderByWithRelationInput[]> = {
  subject: (dir) => [{ subjectName: dir }, { seq: "asc" }],
  entitlement: (dir) => [{ entitlementLabel: dir }, { seq: "asc" }],
  risk: (dir) => [{ riskScore: dir }, { seq: "asc" }],
  state: (dir) => [{ state: dir }, { draftDecision: dir }, { seq: "asc" }],
  reviewer: (dir) => [{ reviewerId: dir }, { seq: "asc" }],
};

export async function workspacePage(actorIn: Actor | null, query: WorkspaceQuery, db?: Db): Promise<WorkspacePage> {
  const actor = requireRead(actorIn);
  const d = db ?? (await getDb());
  const campaign = await d.reviewCampaign.findUnique({ where: { id: query.campaignId }, select: { id: true, status: true } });
  if (!campaign) throw new AuthorizationError("No such campaign, or you don't review in it.");
  const acting = await actingFor(d, actor.personId, reviewNow());
  const all = query.view === "all";
  if (all && !seesAll(actor)) throw new AuthorizationError("Only admins and auditors see every item of a campaign.");
  if (campaign.status === "ACTIVE") await refreshRemediation(d, campaign.id);

  const base: Prisma.ReviewItemWhereInput = { campaignId: campaign.id, ...(all ? {} : { reviewerId: { in: acting.ids } }) };
  const filters: Prisma.ReviewItemWhereInput[] = [base];
  const search = query.search?.trim();
  if (search) filters.push({ OR: [{ subjectName: { contains: search, mode: "insensitive" } }, { subjectEmail: { contains: search, mode: "insensitive" } }, { entitlementLabel: { contains: search, mode: "insensitive" } }] });
  if (query.teamPdId) filters.push({ teamPdId: query.teamPdId });
  if (query.role) filters.push({ role: query.role });
  if (query.risk) filters.push({ risks: { has: query.risk } });
  if (query.kind) filters.push({ kind: query.kind });
  const withoutState: Prisma.ReviewItemWhereInput = { AND: filters };
  const stateWhere: Record<NonNullable<WorkspaceQuery["state"]>, Prisma.ReviewItemWhereInput> = {
    undecided: { state: "PENDING", draftDecision: null },
    draft: { state: "PENDING", draftDecision: { not: null } },
    decided: { state: "DECIDED" },
    exception: { OR: [{ state: "EXCEPTION" }, { exceptionReason: { not: null } }] },
  };
  const where: Prisma.ReviewItemWhereInput = query.state ? { AND: [...filters, stateWhere[query.state]] } : withoutState;
  const limit = Math.min(Math.max(query.limit ?? 100, 1), 500);
  const offset = Math.max(query.offset ?? 0, 0);

  const [rows, total, undecided, draft, decided, exception, teams, roles] = await Promise.all([
    d.reviewItem.findMany({ where, orderBy: SORTS[query.sort ?? "subject"](query.dir ?? "asc"), skip: offset, take: limit }),
    d.reviewItem.count({ where }),
    d.reviewItem.count({ where: { AND: [withoutState, stateWhere.undecided] } }),
    d.reviewItem.count({ where: { AND: [withoutState, stateWhere.draft] } }),
    d.reviewItem.count({ where: { AND: [withoutState, stateWhere.decided] } }),
    d.reviewItem.count({ where: { AND: [withoutState, stateWhere.exception] } }),
    d.reviewItem.groupBy({ by: ["teamPdId", "teamName"], where: { ...base, teamPdId: { not: null } }, orderBy: { teamName: "asc" } }),
    d.reviewItem.groupBy({ by: ["role"], where: { ...base, role: { not: null } }, orderBy: { role: "asc" } }),
  ]);
  const names = await personNames(d, rows.flatMap((r) => [r.reviewerId, r.decidedById]));
  const approvers = await jitApproversFor(d, rows);
  return {
    items: rows.map((r) => toWorkspaceItem(r, actor, acting.ids, names, names, campaign.status === "ACTIVE", approvers)),
    total,
    offset,
    limit,
    facets: { teams: teams.map((t) => ({ id: t.teamPdId!, name: t.teamName ?? t.teamPdId! })), roles: roles.map((r) => r.role!) },
    counts: { undecided, draft, decided, exception },
  };
}

async function personNames(d: Db, ids: (string | null)[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids.filter((i): i is string => !!i))];
  if (!unique.length) return new Map();
  return new Map((await d.person.findMany({ where: { id: { in: unique } }, select: { id: true, name: true } })).map((p) => [p.id, p.name]));
}

export async function itemContext(actorIn: Actor | null, itemId: string, db?: Db): Promise<ItemContext | null> {
  const actor = requireRead(actorIn);
  const d = db ?? (await getDb());
  const i = await d.reviewItem.findUnique({ where: { id: itemId }, include: { campaign: { select: { status: true } } } });
  if (!i) return null;
  const now = reviewNow();
  const acting = await actingFor(d, actor.personId, now);
  if (!seesAll(actor) && !(i.reviewerId && acting.ids.includes(i.reviewerId))) return null;
  if (i.campaign.status === "ACTIVE" && i.changeId) await refreshRemediation(d, i.campaignId);
  const item = (await d.reviewItem.findUnique({ where: { id: itemId } }))!;
  const [user, memberships, last, next, grant, history, change, matched] = await Promise.all([
    i.pdUserId ? d.pdUser.findUnique({ where: { connectionId_pdId: { connectionId: i.connectionId, pdId: i.pdUserId } } }) : null,
    i.pdUserId ? d.pdTeamMembership.findMany({ where: { connectionId: i.connectionId, userPdId: i.pdUserId, removedAt: null } }) : [],
    i.pdUserId ? d.pdOncallShift.findFirst({ where: { connectionId: i.connectionId, userPdId: i.pdUserId, start: { lte: now } }, orderBy: { start: "desc" } }) : null,
    i.pdUserId ? d.pdOncallShift.findFirst({ where: { connectionId: i.connectionId, userPdId: i.pdUserId, start: { gt: now } }, orderBy: { start: "asc" } }) : null,
    i.grantId && i.kind !== "JIT_GRANT" ? d.grant.findUnique({ where: { id: i.grantId } }) : null,
    d.reviewDecision.findMany({ where: { itemId }, orderBy: { decidedAt: "asc" } }),
    i.changeId ? d.changeRequest.findUnique({ where: { id: i.changeId }, select: { status: true, lastErrorMessage: true, suggestedFix: true } }) : null,
    i.subjectPersonId ? d.person.findUnique({ where: { id: i.subjectPersonId }, select: { id: true, name: true } }) : null,
  ]);
  const teams = memberships.length ? await d.pdTeam.findMany({ where: { connectionId: i.connectionId, pdId: { in: memberships.map((m) => m.teamPdId) } }, select: { pdId: true, name: true } }) : [];
  const schedules = [last?.schedulePdId, next?.schedulePdId].filter((s): s is string => !!s);
  const scheduleNames = new Map((schedules.length ? await d.pdSchedule.findMany({ where: { connectionId: i.connectionId, pdId: { in: schedules } }, select: { pdId: true, name: true } }) : []).map((s) => [s.pdId, s.name]));
  const shift = (s: typeof last) => (s ? { start: s.start?.toISOString() ?? null, end: s.end?.toISOString() ?? null, schedule: s.schedulePdId ? (scheduleNames.get(s.schedulePdId) ?? s.schedulePdId) : null } : null);
  const names = await personNames(d, [item.reviewerId, item.decidedById, ...history.map((h) => h.reviewerId)]);
  const approvers = await jitApproversFor(d, [item]);
  return {
    item: toWorkspaceItem(item, actor, acting.ids, names, names, i.campaign.status === "ACTIVE", approvers),
    person: {
      name: user?.name ?? i.subjectName,
      email: user?.email ?? i.subjectEmail,
      pdUserId: i.pdUserId,
      baseRole: user?.role ?? null,
      teams: memberships.map((m) => ({ id: m.teamPdId, name: teams.find((t) => t.pdId === m.teamPdId)?.name ?? m.teamPdId, role: m.role })),
      invitationPending: user?.invitationPending ?? false,
      matchedPerson: matched,
    },
    oncall: { last: shift(last), next: shift(next) },
    drift: grant ? { origin: grant.origin, changedAt: grant.changedAt?.toISOString() ?? null, actor: grant.changeActorLabel, method: grant.changeMethod } : null,
    history: history.map((h) => ({ step: h.step, decision: h.decision, role: h.role, justification: h.justification, reviewer: names.get(h.reviewerId) ?? h.reviewerId, reviewerReason: h.reviewerReason, decidedAt: h.decidedAt.toISOString() })),
    remediation: { state: item.remediation, changeId: item.changeId, changeStatus: change?.status ?? null, error: item.remediationError, fix: change?.suggestedFix ?? null, appliedAt: item.appliedAt?.toISOString() ?? null, verifiedAt: item.verifiedAt?.toISOString() ?? null },
    request: item.kind === "JIT_GRANT" && item.grantId ? await jitRequestContext(d, item.grantId) : null,
  };
}

/** The request behind a JIT item as it stands now (the reviewer sees it here, whoever may open /requests/<id>). */
async function jitRequestContext(d: Db, requestId: string): Promise<JitRequestContext | null> {
  const r = await d.accessRequest.findUnique({ where: { id: requestId }, include: { item: { select: { name: true } }, approvals: { where: { decision: "approve" }, orderBy: { at: "asc" } } } });
  if (!r) return null;
  const extensions = await d.accessRequest.findMany({ where: { extendsRequestId: r.id }, select: { number: true, approvals: { where: { decision: "approve" }, orderBy: { at: "asc" } } }, orderBy: { number: "asc" } });
  const bulk = (e: unknown) => typeof e === "object" && e !== null && typeof (e as { bulk?: unknown }).bulk === "number";
  return {
    id: r.id,
    ref: requestRef(r.number),
    href: `/requests/${r.id}`,
    item: r.item.name,
    requester: r.requesterLabel,
    reason: r.reason,
    ticket: r.ticket,
    durationMinutes: r.durationMinutes,
    requestedAt: r.requestedAt.toISOString(),
    startsAt: r.startsAt?.toISOString() ?? null,
    endsAt: r.endsAt?.toISOString() ?? null,
    status: r.status,
    live: r.status === "APPROVED" || r.status === "ACTIVE",
    endReason: r.endReason,
    endedAt: r.endedAt?.toISOString() ?? null,
    policyVersion: r.policyVersion,
    approvals: [
      ...r.approvals.map((a) => ({ approver: a.approverLabel, right: a.approverRight, at: a.at.toISOString(), comment: a.comment, bulk: bulk(a.evidence), extension: null })),
      ...extensions.flatMap((x) => x.approvals.map((a) => ({ approver: a.approverLabel, right: a.approverRight, at: a.at.toISOString(), comment: a.comment, bulk: bulk(a.evidence), extension: requestRef(x.number) }))),
    ],
  };
}

interface SplitRow {
  key: string | null;
  label: string | null;
  state: string;
  decision: string | null;
  remediation: string;
  exception: boolean;
  n: bigint | number;
}

function splitOf(rows: SplitRow[]): ProgressSplit {
  const s: ProgressSplit = { total: 0, decided: 0, remaining: 0, certified: 0, revoked: 0, modified: 0, exceptions: 0, remediation: { pending: 0, verified: 0, failed: 0, manual: 0 } };
  for (const r of rows) {
    const n = Number(r.n);
    s.total += n;
    if (r.state === "DECIDED") s.decided += n;
    if (r.state === "PENDING") s.remaining += n;
    if (r.state === "EXCEPTION" || r.exception) s.exceptions += n;
    if (r.decision === "CERTIFY") s.certified += n;
    if (r.decision === "REVOKE") s.revoked += n;
    if (r.decision === "MODIFY") s.modified += n;
    if (r.remediation === "PENDING") s.remediation.pending += n;
    if (r.remediation === "VERIFIED") s.remediation.verified += n;
    if (r.remediation === "FAILED") s.remediation.failed += n;
    if (r.remediation === "MANUAL") s.remediation.manual += n;
  }
  return s;
}

export async function campaignProgress(actorIn: Actor | null, campaignId: string, db?: Db): Promise<CampaignProgress | null> {
  const actor = requireRead(actorIn);
  const d = db ?? (await getDb());
  const c = await d.reviewCampaign.findUnique({ where: { id: campaignId } });
  if (!c) return null;
  if (!seesAll(actor) && !(await memberMayRead(d, actor, campaignId))) return null;
  if (c.status === "ACTIVE") await refreshRemediation(d, c.id);
  const now = reviewNow();
  const rows = (by: "reviewer" | "team") =>
    d.$queryRawUnsafe<SplitRow[]>(
      `SELECT ${by === "reviewer" ? `"reviewerId"` : `"teamPdId"`} AS key, ${by === "reviewer" ? "NULL" : `max("teamName")`} AS label, "state"::text AS state, "decision"::text AS decision,
              "remediation"::text AS remediation, ("exceptionReason" IS NOT NULL) AS exception, count(*) AS n
       FROM "ReviewItem" WHERE "campaignId" = $1 GROUP BY 1, 3, 4, 5, 6`,
      c.id,
    );
  const [byReviewerRows, byTeamRows, stamps] = await Promise.all([rows("reviewer"), rows("team"), d.reviewSubmission.count({ where: { campaignId: c.id, rubberStamp: true } })]);
  const group = (list: SplitRow[]) => {
    const m = new Map<string | null, SplitRow[]>();
    for (const r of list) m.set(r.key, [...(m.get(r.key) ?? []), r]);
    return m;
  };
  const reviewers = group(byReviewerRows);
  const names = await personNames(d, [...reviewers.keys()]);
  const overdue = c.status === "ACTIVE" && c.dueAt.getTime() < now.getTime();
  return {
    campaignId: c.id,
    dueAt: c.dueAt.toISOString(),
    overdue,
    ...splitOf(byReviewerRows),
    byReviewer: [...reviewers].map(([id, list]) => {
      const s = splitOf(list);
      return { ...s, reviewerId: id, reviewerName: id ? (names.get(id) ?? id) : "(no reviewer)", overdue: overdue && s.remaining > 0 };
    }).sort((a, b) => a.reviewerName.localeCompare(b.reviewerName)),
    byTeam: [...group(byTeamRows)].map(([id, list]) => ({ ...splitOf(list), teamPdId: id, teamName: id ? (list[0]?.label ?? id) : "(no team)" })).sort((a, b) => a.teamName.localeCompare(b.teamName)),
    rubberStampSubmissions: stamps,
  };
}

export async function myReminders(actorIn: Actor | null, db?: Db): Promise<InAppReminder[]> {
  const actor = requireRead(actorIn);
  const d = db ?? (await getDb());
  const rows = await d.reviewReminder.findMany({ where: { personId: actor.personId, channel: "IN_APP" }, orderBy: [{ createdAt: "desc" }], take: 100, include: { campaign: { select: { name: true } } } });
  return rows
    .map((r) => ({ id: r.id, campaignId: r.campaignId, campaignName: r.campaign.name, kind: r.kind, message: r.message, createdAt: r.createdAt.toISOString(), read: r.readAt !== null }))
    .sort((a, b) => Number(a.read) - Number(b.read));
}

export async function listDelegations(actorIn: Actor | null, db?: Db): Promise<DelegationRow[]> {
  const actor = requireRead(actorIn);
  const d = db ?? (await getDb());
  const now = reviewNow();
  const rows = await d.reviewDelegation.findMany({
    where: { revokedAt: null, endsAt: { gt: now }, ...(can(actor, "campaign.manage") ? {} : { OR: [{ fromPersonId: actor.personId }, { toPersonId: actor.personId }] }) },
    orderBy: { startsAt: "asc" },
  });
  const names = await personNames(d, rows.flatMap((r) => [r.fromPersonId, r.toPersonId]));
  return rows.map((r) => ({
    id: r.id,
    from: { id: r.fromPersonId, name: names.get(r.fromPersonId) ?? r.fromPersonId },
    to: { id: r.toPersonId, name: names.get(r.toPersonId) ?? r.toPersonId },
    startsAt: r.startsAt.toISOString(),
    endsAt: r.endsAt.toISOString(),
    reason: r.reason,
    active: r.startsAt.getTime() <= now.getTime(),
  }));
}

/**
 * Every possible reviewer, for the admin forms that define campaigns (fallback reviewer, named reviewers,
 * owners): admins only. Everyone else's pickers use the bounded type-ahead (lib/reviews/candidates.ts).
 */
export async function reviewCandidates(actorIn: Actor | null, db?: Db): Promise<{ id: string; name: string; email: string }[]> {
  const actor = requireRead(actorIn);
  if (!can(actor, "campaign.manage")) throw new AuthorizationError("Only administrators see every possible reviewer.");
  const d = db ?? (await getDb());
  // Reviewers, delegates and fallbacks: active people who may decide (never auditors).
  const people = await d.person.findMany({ where: { status: "ACTIVE" }, orderBy: { name: "asc" }, select: { id: true, name: true, email: true, roles: true } });
  return people.filter((p) => !p.roles.includes("AUDITOR")).map(({ id, name, email }) => ({ id, name, email }));
}

/** Separation of duties: links changed during the campaign for users with items in it (admins and auditors). */
export async function campaignLinkChangeFlags(actorIn: Actor | null, campaignId: string, db?: Db): Promise<LinkChangeFlagRow[]> {
  const actor = requireRead(actorIn);
  if (!seesAll(actor)) throw new AuthorizationError("Only admins and auditors see a campaign's link-change flags.");
  return linkChangeFlags(db ?? (await getDb()), campaignId);
}

export interface ReviewOwnerRow {
  id: string;
  connectionId: string;
  subjectType: "team" | "role";
  subjectRef: string;
  /** The team's name for team owners (null when the team is not in the synced data). */
  subjectName: string | null;
  person: { id: string; name: string };
}

/** Named owners of teams and base roles (a reviewer policy), for admins and auditors. */
export async function listReviewOwners(actorIn: Actor | null, db?: Db): Promise<ReviewOwnerRow[]> {
  const actor = requireRead(actorIn);
  if (!seesAll(actor)) throw new AuthorizationError("Only admins and auditors see review owners.");
  const d = db ?? (await getDb());
  const rows = await d.reviewOwner.findMany({ orderBy: [{ connectionId: "asc" }, { subjectType: "asc" }, { subjectRef: "asc" }] });
  const names = await personNames(d, rows.map((r) => r.personId));
  const teams = await d.pdTeam.findMany({ where: { OR: rows.filter((r) => r.subjectType === "team").map((r) => ({ connectionId: r.connectionId, pdId: r.subjectRef })) }, select: { connectionId: true, pdId: true, name: true } });
  return rows.map((r) => ({
    id: r.id,
    connectionId: r.connectionId,
    subjectType: r.subjectType as "team" | "role",
    subjectRef: r.subjectRef,
    subjectName: r.subjectType === "team" ? (teams.find((t) => t.connectionId === r.connectionId && t.pdId === r.subjectRef)?.name ?? null) : r.subjectRef,
    person: { id: r.personId, name: names.get(r.personId) ?? r.personId },
  }));
}
