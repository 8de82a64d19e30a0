/**
 * Just-in-time grants under review (issue #12, item 6).
 *
 * - The *period* a campaign reviews, (from, to], ends at its launch and starts at the previous occurrence's
 *   launch (a recurring campaign), or 90 days before launch (a first campaign). It is frozen into the manifest.
 * - At launch every just-in-time grant live during the period (an AccessRequest of kind GRANT that started —
 *   APPROVED, ACTIVE, ENDING or ENDED — before the launch and had not ended before the period began) becomes a
 *   JIT_GRANT item. The item's `grantId` holds the request's id (no schema change).
 * - Separation of duties: whoever approved the grant (or an extension of it) never reviews it — an approver
 *   does not certify their own approval. Assignment, second step, reassignment, escalation and every decision
 *   refuse them, as they refuse the requester.
 * - Revoking a still-live grant ends it at once through lib/access/lifecycle.ts endGrant (reason REVOKED,
 *   cause EXPIRY through the pipeline); the item mirrors that end change. Revoking a grant that already ended
 *   records the finding and changes nothing (remediation NONE).
 * - The evidence pack carries the period's request history (requests, approvals, grant and end changes with
 *   their verified times and observed state).
 */
import type { AuditActor } from "@/lib/audit";
import { ChangeRefused } from "@/lib/changes";
import type { DbOrTx, Tx } from "@/lib/db";
import { requestRef } from "@/lib/access/history";
import { endGrant } from "@/lib/access/lifecycle";
import { formatMinutes } from "@/lib/access/policy";
import { targetOf } from "@/lib/access/requests";
import { approvalsOf } from "./jit-approvers";
import type { PopulationManifest } from "./types";

/** A first campaign (no previous occurrence) looks back this many days. */
export const FIRST_PERIOD_DAYS = 90;

export interface ReviewPeriod {
  from: string;
  to: string;
  basis: "previous_occurrence" | "first_campaign_90_days";
}

const GRANT_STATUSES = ["APPROVED", "ACTIVE", "ENDING", "ENDED"] as const;
const LIVE = new Set(["APPROVED", "ACTIVE"]);

/** The period a campaign launched at `launchAt` reviews. */
export async function reviewPeriodFor(db: DbOrTx, campaign: { previousCampaignId: string | null }, launchAt: Date): Promise<ReviewPeriod> {
  const previous = campaign.previousCampaignId ? await db.reviewCampaign.findUnique({ where: { id: campaign.previousCampaignId }, select: { launchedAt: true } }) : null;
  if (previous?.launchedAt && previous.launchedAt < launchAt) return { from: previous.launchedAt.toISOString(), to: launchAt.toISOString(), basis: "previous_occurrence" };
  return { from: new Date(launchAt.getTime() - FIRST_PERIOD_DAYS * 86_400_000).toISOString(), to: launchAt.toISOString(), basis: "first_campaign_90_days" };
}

/** The period of a launched campaign: the manifest's (campaigns launched before periods were recorded: recomputed the same way). */
export async function periodOfCampaign(db: DbOrTx, campaign: { previousCampaignId: string | null; launchedAt: Date | null; manifest: unknown }): Promise<ReviewPeriod | null> {
  const m = campaign.manifest as PopulationManifest | null;
  if (m?.period) return m.period;
  return campaign.launchedAt ? reviewPeriodFor(db, campaign, campaign.launchedAt) : null;
}

/**
 * Grants live during the period (from, to]: started by `to` (the launch), not ended by `from` (the previous
 * launch, whose campaign reviewed what was live then). Consecutive periods share no instant.
 */
const livePeriodWhere = (connectionIds: readonly string[], period: ReviewPeriod) => ({
  connectionId: { in: [...connectionIds] },
  kind: "GRANT" as const,
  status: { in: [...GRANT_STATUSES] },
  startsAt: { not: null, lte: new Date(period.to) },
  OR: [{ endedAt: null }, { endedAt: { gt: new Date(period.from) } }],
});

export interface JitGrantRow {
  requestId: string;
  number: number;
  connectionId: string;
  pdUserId: string;
  requesterId: string;
  requesterLabel: string;
  entitlementKey: string;
  itemName: string;
  catalogKind: "TEAM_ROLE" | "BASE_ROLE";
  teamPdId: string | null;
  teamName: string | null;
  role: string;
  durationMinutes: number;
  startsAt: Date;
  endsAt: Date | null;
  status: string;
  endReason: string | null;
  endedAt: Date | null;
  userName: string | null;
  userEmail: string | null;
  userBaseRole: string | null;
  /** People who approved the grant or an extension of it (person approvals only). */
  approverIds: string[];
  approverLabels: string[];
  live: boolean;
}

/** Every just-in-time grant live during the period on these connections, in request order. */
export async function loadJitGrants(tx: Tx, connectionIds: readonly string[], period: ReviewPeriod): Promise<JitGrantRow[]> {
  const grants = await tx.accessRequest.findMany({
    where: livePeriodWhere(connectionIds, period),
    include: { item: { select: { name: true, kind: true, teamPdId: true, role: true } } },
    orderBy: [{ connectionId: "asc" }, { number: "asc" }],
  });
  if (!grants.length) return [];
  const ids = grants.map((g) => g.id);
  const approvals = await approvalsOf(tx, ids);
  const users = await tx.pdUser.findMany({ where: { OR: connectionIds.map((c) => ({ connectionId: c, pdId: { in: grants.filter((g) => g.connectionId === c).map((g) => g.pdUserId) } })) }, select: { connectionId: true, pdId: true, name: true, email: true, role: true } });
  const userOf = new Map(users.map((u) => [`${u.connectionId}|${u.pdId}`, u]));
  const teamKeys = grants.filter((g) => g.item.teamPdId).map((g) => ({ connectionId: g.connectionId, pdId: g.item.teamPdId! }));
  const teams = teamKeys.length ? await tx.pdTeam.findMany({ where: { OR: teamKeys }, select: { connectionId: true, pdId: true, name: true } }) : [];
  const teamName = new Map(teams.map((t) => [`${t.connectionId}|${t.pdId}`, t.name]));
  return grants.map((g) => {
    const u = userOf.get(`${g.connectionId}|${g.pdUserId}`);
    const mine = approvals.get(g.id) ?? [];
    return {
      requestId: g.id,
      number: g.number,
      connectionId: g.connectionId,
      pdUserId: g.pdUserId,
      requesterId: g.requesterId,
      requesterLabel: g.requesterLabel,
      entitlementKey: g.entitlementKey,
      itemName: g.item.name,
      catalogKind: g.item.kind,
      teamPdId: g.item.teamPdId,
      teamName: g.item.teamPdId ? (teamName.get(`${g.connectionId}|${g.item.teamPdId}`) ?? null) : null,
      role: g.item.role,
      durationMinutes: g.durationMinutes,
      startsAt: g.startsAt!,
      endsAt: g.endsAt,
      status: g.status,
      endReason: g.endReason,
      endedAt: g.endedAt,
      userName: u?.name ?? null,
      userEmail: u?.email ?? null,
      userBaseRole: u?.role ?? null,
      approverIds: [...new Set(mine.map((a) => a.approverId).filter((a): a is string => a !== null))],
      approverLabels: [...new Set(mine.map((a) => a.approverLabel))],
      live: LIVE.has(g.status),
    };
  });
}

/** The label of a JIT item, frozen at launch: request, catalog item, duration, approvers, live or how it ended. */
export function jitLabel(g: JitGrantRow): string {
  const granted = g.endsAt ? Math.round((g.endsAt.getTime() - g.startsAt.getTime()) / 60_000) : g.durationMinutes;
  const duration = granted > g.durationMinutes ? `${formatMinutes(g.durationMinutes)}, extended to ${formatMinutes(granted)}` : formatMinutes(g.durationMinutes);
  const approvers = g.approverLabels.length ? `approved by ${g.approverLabels.map((l) => l.replace(/ <[^>]*>$/, "")).join(" and ")}` : "approved by a rule";
  const state = g.live ? `live until ${g.endsAt?.toISOString() ?? "?"}` : g.status === "ENDING" ? `ending (${(g.endReason ?? "").toLowerCase()})` : `ended ${g.endedAt?.toISOString() ?? ""} (${(g.endReason ?? "").toLowerCase()})`;
  return `${requestRef(g.number)} · ${g.itemName} · ${duration} · ${approvers} · ${state}`;
}

// ---- Revocation ----------------------------------------------------------------------------------

export interface JitRevocation {
  remediation: "PENDING" | "NONE" | "FAILED";
  changeId: string | null;
  /** Failure message (FAILED only). */
  error: string | null;
  outcome: "ending" | "ended" | "already_ended" | "failed";
}

/**
 * A final REVOKE of a JIT item, in the submission's transaction. A live grant ends at once through endGrant
 * (reason REVOKED): its end change (cause EXPIRY) is what the item mirrors. A grant that already ended (or is
 * ending) records the finding and changes nothing.
 */
export async function revokeJitGrant(tx: Tx, requestId: string, who: { actor: AuditActor; label: string; personId: string | null }, note: string, now: Date): Promise<JitRevocation> {
  const r = await tx.accessRequest.findUnique({ where: { id: requestId }, include: { item: true } });
  if (!r || r.kind !== "GRANT" || !LIVE.has(r.status)) return { remediation: "NONE", changeId: null, error: null, outcome: "already_ended" };
  try {
    const outcome = await endGrant(tx, r.id, "REVOKED", targetOf(r.item), who, now, note);
    if (outcome === "ending") {
      const after = await tx.accessRequest.findUniqueOrThrow({ where: { id: r.id }, select: { endChangeId: true } });
      return { remediation: "PENDING", changeId: after.endChangeId, error: null, outcome };
    }
    return { remediation: "NONE", changeId: null, error: null, outcome: outcome === "ended" ? "ended" : "already_ended" };
  } catch (error) {
    if (!(error instanceof ChangeRefused)) throw error;
    return { remediation: "FAILED", changeId: null, error: error.message, outcome: "failed" };
  }
}

// ---- Evidence: the period's request history ------------------------------------------------------

export interface RequestHistoryRecord {
  ref: string;
  requestId: string;
  connectionId: string;
  kind: string;
  /** EXTENSION: the grant it extends. */
  extends: string | null;
  requester: string;
  requesterPdUserId: string;
  item: { id: string; name: string; entitlementKey: string };
  durationMinutes: number;
  reason: string;
  ticket: string | null;
  policyVersion: number;
  policyRulesSha256: string | null;
  status: string;
  requestedAt: string;
  decidedAt: string | null;
  decisionBasis: string | null;
  startsAt: string | null;
  endsAt: string | null;
  approvals: { decision: string; approver: string; right: string; groupId: string | null; at: string; comment: string | null; bulk: boolean; policyVersion: number }[];
  grant: { changeId: string; status: string | null; verifiedAt: string | null; observed: unknown } | null;
  end: { reason: string | null; endedAt: string | null; endedBy: string | null; changeId: string | null; status: string | null; verifiedAt: string | null; observed: unknown } | null;
  /** The JIT_GRANT item of this campaign that reviewed it (launch order), if any. */
  reviewItemSeq: number | null;
  /** The request's history, oldest first. */
  history: { at: string; kind: string; actor: string; message: string }[];
}

export interface RequestHistorySummary {
  period: ReviewPeriod;
  requests: number;
  grants: number;
  extensions: number;
  byStatus: Record<string, number>;
  approvals: number;
  bulkApprovals: number;
  grantsVerified: number;
  ended: number;
  endsVerified: number;
  endReasons: Record<string, number>;
  stillLive: number;
  reviewedAsItems: number;
}

const PAGE = 500;

/**
 * The request history of the period on these connections: every request made during the period, and every
 * grant live during it (made earlier), with their approvals, grant and end changes and history up to now.
 */
export async function* requestHistory(db: DbOrTx, campaignId: string, connectionIds: readonly string[], period: ReviewPeriod, summary: RequestHistorySummary): AsyncGenerator<RequestHistoryRecord> {
  const from = new Date(period.from);
  const to = new Date(period.to);
  const seqOf = new Map((await db.reviewItem.findMany({ where: { campaignId, kind: "JIT_GRANT" }, select: { grantId: true, seq: true } })).map((i) => [i.grantId, i.seq]));
  const names = new Map<string, string>();
  let after = 0;
  for (;;) {
    const rows = await db.accessRequest.findMany({
      where: { number: { gt: after }, OR: [{ connectionId: { in: [...connectionIds] }, requestedAt: { gt: from, lte: to } }, livePeriodWhere(connectionIds, period)] },
      include: { item: { select: { id: true, name: true, entitlementKey: true } }, approvals: { orderBy: { at: "asc" } }, events: { orderBy: { seq: "asc" } } },
      orderBy: { number: "asc" },
      take: PAGE,
    });
    if (!rows.length) return;
    const changeIds = rows.flatMap((r) => [r.grantChangeId, r.endChangeId]).filter((c): c is string => !!c);
    const changes = new Map((changeIds.length ? await db.changeRequest.findMany({ where: { id: { in: changeIds } }, select: { id: true, status: true, verifiedAt: true, observed: true } }) : []).map((c) => [c.id, c]));
    const versions = await db.accessPolicyVersion.findMany({ where: { OR: rows.map((r) => ({ catalogItemId: r.catalogItemId, version: r.policyVersion })) }, select: { catalogItemId: true, version: true, rulesSha256: true } });
    const shaOf = new Map(versions.map((v) => [`${v.catalogItemId}@${v.version}`, v.rulesSha256]));
    const parents = [...new Set(rows.map((r) => r.extendsRequestId).filter((p): p is string => !!p))];
    const parentRef = new Map((parents.length ? await db.accessRequest.findMany({ where: { id: { in: parents } }, select: { id: true, number: true } }) : []).map((p) => [p.id, requestRef(p.number)]));
    const missing = [...new Set(rows.map((r) => r.endedById).filter((p): p is string => !!p && !names.has(p)))];
    if (missing.length) for (const p of await db.person.findMany({ where: { id: { in: missing } }, select: { id: true, name: true, email: true } })) names.set(p.id, `${p.name} <${p.email}>`);
    for (const r of rows) {
      const grant = r.grantChangeId ? changes.get(r.grantChangeId) : undefined;
      const end = r.endChangeId ? changes.get(r.endChangeId) : undefined;
      const record: RequestHistoryRecord = {
        ref: requestRef(r.number),
        requestId: r.id,
        connectionId: r.connectionId,
        kind: r.kind,
        extends: r.extendsRequestId ? (parentRef.get(r.extendsRequestId) ?? r.extendsRequestId) : null,
        requester: r.requesterLabel,
        requesterPdUserId: r.pdUserId,
        item: { id: r.item.id, name: r.item.name, entitlementKey: r.item.entitlementKey },
        durationMinutes: r.durationMinutes,
        reason: r.reason,
        ticket: r.ticket,
        policyVersion: r.policyVersion,
        policyRulesSha256: shaOf.get(`${r.catalogItemId}@${r.policyVersion}`) ?? null,
        status: r.status,
        requestedAt: r.requestedAt.toISOString(),
        decidedAt: r.decidedAt?.toISOString() ?? null,
        decisionBasis: r.decisionBasis,
        startsAt: r.startsAt?.toISOString() ?? null,
        endsAt: r.endsAt?.toISOString() ?? null,
        approvals: r.approvals.map((a) => ({ decision: a.decision, approver: a.approverLabel, right: a.approverRight, groupId: a.groupId, at: a.at.toISOString(), comment: a.comment, bulk: isBulk(a.evidence), policyVersion: a.policyVersion })),
        grant: r.grantChangeId ? { changeId: r.grantChangeId, status: grant?.status ?? null, verifiedAt: grant?.verifiedAt?.toISOString() ?? null, observed: grant?.observed ?? null } : null,
        end:
          r.endReason || r.endedAt || r.endChangeId
            ? { reason: r.endReason, endedAt: r.endedAt?.toISOString() ?? null, endedBy: r.endedById ? (names.get(r.endedById) ?? r.endedById) : r.endedAt ? "portal" : null, changeId: r.endChangeId, status: end?.status ?? null, verifiedAt: end?.verifiedAt?.toISOString() ?? null, observed: end?.observed ?? null }
            : null,
        reviewItemSeq: seqOf.get(r.id) ?? null,
        history: r.events.map((e) => ({ at: e.at.toISOString(), kind: e.kind, actor: e.actorLabel, message: e.message })),
      };
      summary.requests++;
      if (r.kind === "GRANT") summary.grants++;
      else summary.extensions++;
      summary.byStatus[r.status] = (summary.byStatus[r.status] ?? 0) + 1;
      summary.approvals += record.approvals.filter((a) => a.decision === "approve").length;
      summary.bulkApprovals += record.approvals.filter((a) => a.bulk).length;
      if (grant?.status === "VERIFIED") summary.grantsVerified++;
      if (r.kind === "GRANT" && r.status === "ENDED") summary.ended++;
      if (end?.status === "VERIFIED") summary.endsVerified++;
      if (r.endReason) summary.endReasons[r.endReason] = (summary.endReasons[r.endReason] ?? 0) + 1;
      if (r.kind === "GRANT" && LIVE.has(r.status)) summary.stillLive++;
      if (record.reviewItemSeq !== null) summary.reviewedAsItems++;
      yield record;
    }
    after = rows.at(-1)!.number;
    if (rows.length < PAGE) return;
  }
}

export function emptySummary(period: ReviewPeriod): RequestHistorySummary {
  return { period, requests: 0, grants: 0, extensions: 0, byStatus: {}, approvals: 0, bulkApprovals: 0, grantsVerified: 0, ended: 0, endsVerified: 0, endReasons: {}, stillLive: 0, reviewedAsItems: 0 };
}

const isBulk = (evidence: unknown): boolean => typeof evidence === "object" && evidence !== null && typeof (evidence as { bulk?: unknown }).bulk === "number";

/** The summary in one sentence (CSV, PDF). */
export function summaryText(s: RequestHistorySummary): string {
  const reasons = Object.entries(s.endReasons).map(([k, v]) => `${v} ${k.toLowerCase()}`).join(", ");
  return (
    `${s.requests} request(s) in the period ${s.period.from} → ${s.period.to} (${s.period.basis === "previous_occurrence" ? "since the previous occurrence's launch" : `the ${FIRST_PERIOD_DAYS} days before a first campaign's launch`}): ` +
    `${s.grants} grant request(s), ${s.extensions} extension(s); ${s.approvals} approval(s) (${s.bulkApprovals} in bulk); ` +
    `${s.grantsVerified} grant(s) verified in PagerDuty; ${s.ended} ended${reasons ? ` (${reasons})` : ""}, ${s.endsVerified} end(s) verified; ${s.stillLive} still live; ${s.reviewedAsItems} reviewed as items of this campaign.`
  );
}
