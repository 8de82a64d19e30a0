/**
 * Campaign lifecycle: define (DRAFT), launch (freeze the population: ReviewItem rows, a manifest, a
 * SHA-256), close (every item decided and every remediation verified) or force-close (the rest become
 * exceptions). Each step is one transaction with its audit event.
 */
import { createHash, randomUUID } from "node:crypto";
import { appendAudit, type AuditActor } from "@/lib/audit";
import type { Actor } from "@/lib/auth/session";
import type { Db, Tx } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { PD_TEAM_ROLES } from "@/lib/pagerduty";
import { loadDirectory } from "./directory";
import { requireActor, ReviewRefused } from "./guard";
import { reviewNow, reviewOptions } from "./options";
import { assignReviewer, type PolicySubject } from "./policy";
import { jitLabel, loadJitGrants, reviewPeriodFor, type ReviewPeriod } from "./jit";
import { refreshRemediation } from "./remediation";
import type { CreateCampaignInput, SetReviewOwnerInput } from "./schemas";
import type { CampaignScope, ItemKind, LaunchResult, ManifestCount, PopulationManifest, ReviewerPolicy, Risk } from "./types";

export const personActor = (a: Actor): AuditActor => ({ type: "person", id: a.personId, label: `${a.name} <${a.email}>` });
const LONG_TX = { timeout: 120_000, maxWait: 30_000 } as const;

export async function createCampaign(db: Db, actorIn: Actor | null, input: CreateCampaignInput): Promise<{ campaignId: string }> {
  const actor = requireActor(actorIn, "campaign.manage");
  return db.$transaction(async (tx) => {
    const connections = await tx.pagerDutyConnection.findMany({ where: { id: { in: input.connectionIds }, status: { not: "REMOVED" } }, select: { id: true } });
    if (connections.length !== new Set(input.connectionIds).size) throw new ReviewRefused("One of the chosen PagerDuty accounts does not exist or was removed.", { connectionIds: ["Choose existing PagerDuty accounts."] });
    const named = [input.fallbackReviewerId, ...input.policy.steps.flatMap((s) => s.personIds ?? [])];
    const found = await tx.person.findMany({ where: { id: { in: [...new Set(named)] }, status: "ACTIVE" }, select: { roles: true } });
    if (found.length !== new Set(named).size) throw new ReviewRefused("A named reviewer is not an active person of the portal.", { fallbackReviewerId: ["Choose an active person."] });
    if (found.some((p) => p.roles.includes("AUDITOR"))) throw new ReviewRefused("Auditors review nothing (they stay independent): name reviewers who are not auditors.", { fallbackReviewerId: ["Choose someone who is not an auditor."] });
    const id = randomUUID();
    await tx.reviewCampaign.create({
      data: {
        id,
        name: input.name,
        description: input.description,
        connectionIds: [...new Set(input.connectionIds)],
        scope: input.scope as unknown as Prisma.InputJsonValue,
        policy: input.policy as unknown as Prisma.InputJsonValue,
        fallbackReviewerId: input.fallbackReviewerId,
        justifyHighRisk: input.justifyHighRisk,
        dueAt: input.dueAt,
        recurrenceMonths: input.recurrenceMonths,
        createdById: actor.personId,
        createdAt: reviewNow(),
      },
    });
    await appendAudit(tx, { actor: personActor(actor), action: "review.campaign_created", target: { type: "review_campaign", id }, after: { ...input, dueAt: input.dueAt.toISOString() } });
    return { campaignId: id };
  });
}

/** Creates the next occurrence of a recurring campaign (a DRAFT, due `recurrenceMonths` later). */
export async function createNextOccurrence(tx: Tx, campaignId: string, now: Date): Promise<string | null> {
  const c = await tx.reviewCampaign.findUnique({ where: { id: campaignId } });
  if (!c || !c.recurrenceMonths || c.recurredAt || !c.launchedAt) return null;
  const dueAt = addMonths(c.dueAt, c.recurrenceMonths);
  const id = randomUUID();
  await tx.reviewCampaign.create({
    data: {
      id,
      name: nextName(c.name, dueAt),
      description: c.description,
      connectionIds: c.connectionIds,
      scope: c.scope as Prisma.InputJsonValue,
      policy: c.policy as Prisma.InputJsonValue,
      fallbackReviewerId: c.fallbackReviewerId,
      justifyHighRisk: c.justifyHighRisk,
      dueAt,
      recurrenceMonths: c.recurrenceMonths,
      previousCampaignId: c.id,
      createdById: c.createdById,
      createdAt: now,
    },
  });
  await tx.reviewCampaign.update({ where: { id: c.id }, data: { recurredAt: now } });
  await appendAudit(tx, { actor: { type: "system", job: "reviews.recurrence" }, action: "review.campaign_recurred", target: { type: "review_campaign", id }, after: { previousCampaignId: c.id, dueAt: dueAt.toISOString() } });
  return id;
}

export function addMonths(d: Date, months: number): Date {
  const out = new Date(d.getTime());
  out.setUTCMonth(out.getUTCMonth() + months);
  return out;
}
const nextName = (name: string, dueAt: Date) => `${name.replace(/ \(due \d{4}-\d{2}-\d{2}\)$/, "")} (due ${dueAt.toISOString().slice(0, 10)})`;

// ---- Launch --------------------------------------------------------------------------------------

interface PopulationRow {
  grantId: string;
  connectionId: string;
  pdUserId: string;
  entitlement: "BASE_ROLE" | "TEAM_MEMBER" | "SCHEDULE_MEMBER";
  entitlementKey: string;
  role: string | null;
  teamPdId: string | null;
  schedulePdId: string | null;
  origin: string;
  userName: string | null;
  userEmail: string | null;
  baseRole: string | null;
  invitationPending: boolean | null;
  licensePdId: string | null;
  teamName: string | null;
  scheduleName: string | null;
  scheduleTeams: string[] | null;
}

interface FrozenItem {
  id: string;
  seq: number;
  connectionId: string;
  kind: ItemKind;
  grantId: string | null;
  pdUserId: string | null;
  subjectPersonId: string | null;
  subjectName: string;
  subjectEmail: string;
  entitlementKey: string;
  entitlementLabel: string;
  role: string | null;
  teamPdId: string | null;
  teamName: string | null;
  schedulePdId: string | null;
  grantOrigin: string | null;
  risks: Risk[];
  riskScore: number;
  reviewerId: string | null;
  reviewerReason: string;
}

const RISK_WEIGHT: Record<Risk, number> = { admin_or_owner: 40, team_manager: 15, no_oncall_90d: 10, unmatched_identity: 25, pending_invitation: 10, drift: 30, api_only: 15 };
export const HIGH_RISK_SCORE = 25;

export interface StaleFacts {
  id: string;
  name: string;
  syncRunId: string | null;
  syncedAt: Date | null;
  stale: boolean;
  staleReason: string | null;
}

export async function connectionFreshness(db: Db | Tx, connectionIds: readonly string[], now: Date): Promise<StaleFacts[]> {
  const limit = reviewOptions().staleAfterHours;
  const out: StaleFacts[] = [];
  for (const id of connectionIds) {
    const c = await db.pagerDutyConnection.findUnique({ where: { id }, select: { id: true, name: true, lastSuccessfulSyncAt: true } });
    if (!c) continue;
    const last = await db.syncRun.findFirst({ where: { connectionId: id, status: { not: "RUNNING" } }, orderBy: { startedAt: "desc" }, select: { id: true, status: true, finishedAt: true } });
    const good = await db.syncRun.findFirst({ where: { connectionId: id, status: "SUCCEEDED" }, orderBy: { startedAt: "desc" }, select: { id: true, finishedAt: true } });
    const syncedAt = c.lastSuccessfulSyncAt ?? good?.finishedAt ?? null;
    let staleReason: string | null = null;
    if (!syncedAt) staleReason = "never synced successfully";
    else if (last?.status === "FAILED") staleReason = "the last sync failed";
    else if (now.getTime() - syncedAt.getTime() > limit * 3_600_000) staleReason = `last successful sync ${Math.floor((now.getTime() - syncedAt.getTime()) / 3_600_000)} h ago (more than ${limit} h)`;
    out.push({ id: c.id, name: c.name, syncRunId: good?.id ?? null, syncedAt, stale: staleReason !== null, staleReason });
  }
  return out;
}

export async function launchCampaign(db: Db, actorIn: Actor | null, input: { campaignId: string; overrideReason?: string }): Promise<LaunchResult> {
  const actor = requireActor(actorIn, "campaign.manage");
  const now = reviewNow();
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT "id" FROM "ReviewCampaign" WHERE "id" = ${input.campaignId} FOR UPDATE`;
    const campaign = await tx.reviewCampaign.findUnique({ where: { id: input.campaignId } });
    if (!campaign) throw new ReviewRefused("No such campaign.");
    if (campaign.status !== "DRAFT") throw new ReviewRefused(`The campaign "${campaign.name}" was already launched.`);
    const freshness = await connectionFreshness(tx, campaign.connectionIds, now);
    if (freshness.length !== campaign.connectionIds.length) throw new ReviewRefused("A PagerDuty account of this campaign no longer exists.");
    const stale = freshness.filter((f) => f.stale);
    if (stale.length && !input.overrideReason) {
      const what = stale.map((f) => `${f.name}: ${f.staleReason}`).join("; ");
      throw new ReviewRefused(`The synced data is stale (${what}). Sync first, or launch anyway with a reason (recorded in the manifest and the audit trail).`, { overrideReason: ["Give a reason to launch on stale data."] });
    }
    const scope = campaign.scope as unknown as CampaignScope;
    const policy = campaign.policy as unknown as ReviewerPolicy;
    const period = await reviewPeriodFor(tx, campaign, now);
    const { items, counts, flags } = await freezePopulation(tx, campaign.connectionIds, scope, policy, campaign.fallbackReviewerId, campaign.createdById, now, period);

    const hash = createHash("sha256");
    for (const item of items) hash.update(snapshotLine(item));
    const sha256 = hash.digest("hex");
    await insertItems(tx, campaign.id, items);

    const manifest: PopulationManifest = {
      campaignId: campaign.id,
      launchedAt: now.toISOString(),
      launchedBy: `${actor.name} <${actor.email}>`,
      connections: freshness.map((f) => ({ id: f.id, name: f.name, syncRunId: f.syncRunId, syncedAt: f.syncedAt?.toISOString() ?? null, stale: f.stale, staleReason: f.staleReason })),
      staleOverrideReason: stale.length ? (input.overrideReason ?? null) : null,
      counts,
      totalItems: items.length,
      flags,
      sha256,
      period,
    };
    await tx.reviewCampaign.update({
      where: { id: campaign.id },
      data: { status: "ACTIVE", launchedAt: now, launchedById: actor.personId, staleOverrideReason: manifest.staleOverrideReason, manifest: manifest as unknown as Prisma.InputJsonValue, snapshotSha256: sha256, itemCount: items.length },
    });
    await appendAudit(tx, {
      actor: personActor(actor),
      action: "review.campaign_launched",
      target: { type: "review_campaign", id: campaign.id },
      after: { counts, flags, totalItems: items.length, sha256, connections: manifest.connections, period },
      reason: manifest.staleOverrideReason,
    });
    return { campaignId: campaign.id, itemCount: items.length, sha256 };
  }, LONG_TX);
}

/** The canonical line of one item in the snapshot hash (and in the evidence pack's manifest check). */
export function snapshotLine(i: Pick<FrozenItem, "seq" | "connectionId" | "kind" | "grantId" | "pdUserId" | "subjectEmail" | "entitlementKey" | "role" | "teamPdId" | "schedulePdId" | "grantOrigin" | "risks" | "reviewerId" | "reviewerReason">): string {
  return (
    JSON.stringify([i.seq, i.connectionId, i.kind, i.grantId, i.pdUserId, i.subjectEmail, i.entitlementKey, i.role, i.teamPdId, i.schedulePdId, i.grantOrigin, [...i.risks], i.reviewerId, i.reviewerReason]) + "\n"
  );
}

async function freezePopulation(tx: Tx, connectionIds: string[], scope: CampaignScope, policy: ReviewerPolicy, fallbackId: string, ownerId: string, now: Date, period: ReviewPeriod) {
  const rows = await tx.$queryRaw<PopulationRow[]>`
    SELECT g."id" AS "grantId", g."connectionId", g."pdUserId", g."entitlement"::text AS "entitlement", g."entitlementKey", g."role",
           g."teamPdId", g."schedulePdId", g."origin"::text AS "origin",
           u."name" AS "userName", u."email" AS "userEmail", u."role" AS "baseRole", u."invitationPending", u."licensePdId",
           t."name" AS "teamName", s."name" AS "scheduleName", s."teamPdIds" AS "scheduleTeams"
    FROM "Grant" g
    LEFT JOIN "PdUser" u ON u."connectionId" = g."connectionId" AND u."pdId" = g."pdUserId"
    LEFT JOIN "PdTeam" t ON t."connectionId" = g."connectionId" AND t."pdId" = g."teamPdId"
    LEFT JOIN "PdSchedule" s ON s."connectionId" = g."connectionId" AND s."pdId" = g."schedulePdId"
    WHERE g."connectionId" = ANY(${connectionIds}) AND g."removedAt" IS NULL
    ORDER BY g."connectionId", u."name", u."pdId", g."entitlement", g."entitlementKey"`;
  const dir = await loadDirectory(tx, connectionIds);
  const userTeams = new Map<string, string[]>();
  for (const m of await tx.pdTeamMembership.findMany({ where: { connectionId: { in: connectionIds }, removedAt: null }, select: { connectionId: true, teamPdId: true, userPdId: true } })) {
    const k = `${m.connectionId}|${m.userPdId}`;
    userTeams.set(k, [...(userTeams.get(k) ?? []), m.teamPdId]);
  }
  const since = new Date(now.getTime() - 90 * 86_400_000);
  const onCall = new Set(
    (
      await tx.$queryRaw<{ k: string }[]>`SELECT DISTINCT "connectionId" || '|' || "userPdId" AS k FROM "PdOncallShift"
        WHERE "connectionId" = ANY(${connectionIds}) AND ("end" IS NULL OR "end" >= ${since}) AND ("start" IS NULL OR "start" <= ${now})`
    ).map((r) => r.k),
  );
  const licensed = new Set((await tx.pdLicense.findMany({ where: { connectionId: { in: connectionIds }, removedAt: null }, select: { connectionId: true } })).map((l) => l.connectionId));

  const kinds = new Set(scope.kinds);
  const teamsFilter = scope.teamPdIds?.length ? new Set(scope.teamPdIds) : null;
  const rolesFilter = scope.roles?.length ? new Set(scope.roles) : null;
  const synced = new Map<ItemKind, number>();
  const items: FrozenItem[] = [];
  const step1 = policy.steps[0]!;
  const flags = { pendingInvitations: 0, unmatchedIdentities: 0, apiOnlyUsers: 0, drift: 0 };
  const flaggedUsers = { pending: new Set<string>(), unmatched: new Set<string>(), apiOnly: new Set<string>() };

  for (const r of rows) {
    synced.set(r.entitlement, (synced.get(r.entitlement) ?? 0) + 1);
    if (!kinds.has(r.entitlement)) continue;
    const userKey = `${r.connectionId}|${r.pdUserId}`;
    const teams = r.entitlement === "TEAM_MEMBER" ? (r.teamPdId ? [r.teamPdId] : []) : r.entitlement === "SCHEDULE_MEMBER" ? (r.scheduleTeams ?? []) : (userTeams.get(userKey) ?? []);
    if (teamsFilter && !teams.some((t) => teamsFilter.has(t))) continue;
    if (rolesFilter && !(r.role && rolesFilter.has(r.role))) continue;
    if (scope.onlyDrift && r.origin !== "DRIFT") continue;

    const personId = dir.personOfPdUser.get(r.connectionId)?.get(r.pdUserId) ?? null;
    const risks: Risk[] = [];
    if (r.baseRole === "admin" || r.baseRole === "owner") risks.push("admin_or_owner");
    if (r.entitlement === "TEAM_MEMBER" && r.role === "manager") risks.push("team_manager");
    if (!onCall.has(userKey)) risks.push("no_oncall_90d");
    if (!personId) risks.push("unmatched_identity");
    if (r.invitationPending) risks.push("pending_invitation");
    if (r.origin === "DRIFT") risks.push("drift");
    // API-only: a PagerDuty user holding no license on an account that has licenses cannot sign in to the web app.
    if (licensed.has(r.connectionId) && !r.licensePdId) risks.push("api_only");
    if (risks.includes("pending_invitation")) flaggedUsers.pending.add(userKey);
    if (risks.includes("unmatched_identity")) flaggedUsers.unmatched.add(userKey);
    if (risks.includes("api_only")) flaggedUsers.apiOnly.add(userKey);
    if (r.origin === "DRIFT") flags.drift++;

    const subject: PolicySubject = { connectionId: r.connectionId, kind: r.entitlement, subjectPersonId: personId, role: r.role, teamPdIds: teams };
    const assigned = assignReviewer(1, step1, subject, dir, fallbackId, ownerId);
    items.push({
      id: randomUUID(),
      seq: items.length + 1,
      connectionId: r.connectionId,
      kind: r.entitlement,
      grantId: r.grantId,
      pdUserId: r.pdUserId,
      subjectPersonId: personId,
      subjectName: r.userName ?? r.pdUserId,
      subjectEmail: r.userEmail ?? "",
      entitlementKey: r.entitlementKey,
      entitlementLabel: entitlementLabel(r),
      role: r.role,
      teamPdId: r.teamPdId ?? (r.entitlement === "SCHEDULE_MEMBER" ? (r.scheduleTeams?.[0] ?? null) : null),
      teamName: r.teamName,
      schedulePdId: r.schedulePdId,
      grantOrigin: r.origin,
      risks,
      riskScore: risks.reduce((s, k) => s + RISK_WEIGHT[k], 0),
      reviewerId: assigned.reviewerId,
      reviewerReason: assigned.reason,
    });
  }
  flags.pendingInvitations = flaggedUsers.pending.size;
  flags.unmatchedIdentities = flaggedUsers.unmatched.size;
  flags.apiOnlyUsers = flaggedUsers.apiOnly.size;

  if (kinds.has("CREDENTIAL")) {
    const connections = await tx.pagerDutyConnection.findMany({ where: { id: { in: connectionIds } }, orderBy: { name: "asc" }, select: { id: true, name: true, credentialKind: true, accessLevel: true, ownerPersonId: true, owner: { select: { name: true, email: true } }, lastRotatedAt: true, rotationPeriodDays: true } });
    synced.set("CREDENTIAL", connections.length);
    for (const c of connections) {
      const risks: Risk[] = c.accessLevel === "FULL" ? ["admin_or_owner"] : [];
      const subject: PolicySubject = { connectionId: c.id, kind: "CREDENTIAL", subjectPersonId: c.ownerPersonId, role: null, teamPdIds: [] };
      // A credential has no team or manager in PagerDuty: named people or owners review it, else the fallback.
      const assigned = assignReviewer(1, step1, subject, dir, fallbackId, ownerId);
      items.push({
        id: randomUUID(),
        seq: items.length + 1,
        connectionId: c.id,
        kind: "CREDENTIAL",
        grantId: null,
        pdUserId: null,
        subjectPersonId: c.ownerPersonId,
        subjectName: `${c.name} (portal credential, owner ${c.owner.name})`,
        subjectEmail: c.owner.email,
        entitlementKey: `credential:${c.id}`,
        entitlementLabel: `${c.credentialKind === "OAUTH" ? "OAuth app" : "API key"} · ${c.accessLevel.toLowerCase().replace("_", "-")} access · rotate every ${c.rotationPeriodDays} days`,
        role: c.accessLevel.toLowerCase(),
        teamPdId: null,
        teamName: null,
        schedulePdId: null,
        grantOrigin: null,
        risks,
        riskScore: risks.reduce((s, k) => s + RISK_WEIGHT[k], 0),
        reviewerId: assigned.reviewerId,
        reviewerReason: assigned.reason,
      });
    }
  }
  if (kinds.has("JIT_GRANT")) {
    // Every just-in-time grant live during the period (lib/reviews/jit.ts). The requester is the holder; the
    // grant's approvers (and those of its extensions) never review it: an approver does not certify their own approval.
    const grants = await loadJitGrants(tx, connectionIds, period);
    synced.set("JIT_GRANT", grants.length);
    for (const g of grants) {
      const userKey = `${g.connectionId}|${g.pdUserId}`;
      const baseRole = g.catalogKind === "BASE_ROLE";
      const teams = baseRole ? (userTeams.get(userKey) ?? []) : g.teamPdId ? [g.teamPdId] : [];
      if (teamsFilter && !teams.some((t) => teamsFilter.has(t))) continue;
      if (rolesFilter && !rolesFilter.has(g.role)) continue;
      if (scope.onlyDrift) continue; // a granted request is never drift
      const holder = dir.personOfPdUser.get(g.connectionId)?.get(g.pdUserId) ?? null;
      const risks: Risk[] = [];
      if ((baseRole && (g.role === "admin" || g.role === "owner")) || g.userBaseRole === "admin" || g.userBaseRole === "owner") risks.push("admin_or_owner");
      if (!baseRole && g.role === "manager") risks.push("team_manager");
      if (holder !== g.requesterId) risks.push("unmatched_identity");
      const subject: PolicySubject = { connectionId: g.connectionId, kind: "JIT_GRANT", subjectPersonId: g.requesterId, role: g.role, teamPdIds: teams, entitlementKey: g.entitlementKey };
      const assigned = assignReviewer(1, step1, subject, dir, fallbackId, ownerId, [...g.approverIds, ...(holder ? [holder] : [])]);
      items.push({
        id: randomUUID(),
        seq: items.length + 1,
        connectionId: g.connectionId,
        kind: "JIT_GRANT",
        // The access request reviewed (no schema change: grantId names the request for JIT_GRANT items).
        grantId: g.requestId,
        pdUserId: g.pdUserId,
        subjectPersonId: g.requesterId,
        subjectName: g.userName ?? g.requesterLabel.replace(/ <[^>]*>$/, ""),
        subjectEmail: g.userEmail ?? (/<([^>]*)>$/.exec(g.requesterLabel)?.[1] ?? ""),
        entitlementKey: g.entitlementKey,
        entitlementLabel: jitLabel(g),
        role: g.role,
        teamPdId: g.teamPdId,
        teamName: g.teamName,
        schedulePdId: null,
        grantOrigin: "REQUEST",
        risks,
        riskScore: risks.reduce((s, k) => s + RISK_WEIGHT[k], 0),
        reviewerId: assigned.reviewerId,
        reviewerReason: assigned.reason,
      });
    }
  }
  const counts: ManifestCount[] = (["BASE_ROLE", "TEAM_MEMBER", "SCHEDULE_MEMBER", "CREDENTIAL", "JIT_GRANT"] as ItemKind[])
    .filter((k) => kinds.has(k))
    .map((k) => {
      const n = items.filter((i) => i.kind === k).length;
      const total = synced.get(k) ?? 0;
      return { kind: k, items: n, syncedTotal: total, outOfScope: total - n };
    });
  return { items, counts, flags };
}

function entitlementLabel(r: PopulationRow): string {
  switch (r.entitlement) {
    case "BASE_ROLE":
      return `Base role: ${r.role}`;
    case "TEAM_MEMBER":
      return `Team ${r.teamName ?? r.teamPdId}: ${r.role}`;
    case "SCHEDULE_MEMBER":
      return `Schedule ${r.scheduleName ?? r.schedulePdId}`;
  }
}

const COLUMNS = [
  ["id", "text"],
  ["campaignId", "text"],
  ["seq", "int"],
  ["connectionId", "text"],
  ["kind", "text"],
  ["grantId", "text"],
  ["pdUserId", "text"],
  ["subjectPersonId", "text"],
  ["subjectName", "text"],
  ["subjectEmail", "text"],
  ["entitlementKey", "text"],
  ["entitlementLabel", "text"],
  ["role", "text"],
  ["teamPdId", "text"],
  ["teamName", "text"],
  ["schedulePdId", "text"],
  ["grantOrigin", "text"],
  ["risks", "text[]"],
  ["riskScore", "int"],
  ["reviewerId", "text"],
  ["assignedReviewerId", "text"],
  ["reviewerReason", "text"],
] as const;

/** One INSERT … SELECT FROM jsonb_to_recordset per chunk: 50,000 items in a few statements. */
async function insertItems(tx: Tx, campaignId: string, items: FrozenItem[]) {
  const cols = COLUMNS.map(([c]) => `"${c}"`).join(", ");
  const defs = COLUMNS.map(([c, t]) => `"${c}" ${t === "text[]" ? "jsonb" : t}`).join(", ");
  const select = COLUMNS.map(([c, t]) => (c === "kind" ? `x."kind"::"ReviewItemKind"` : t === "text[]" ? `ARRAY(SELECT jsonb_array_elements_text(x."${c}"))` : `x."${c}"`)).join(", ");
  const sql = `INSERT INTO "ReviewItem" (${cols}) SELECT ${select} FROM jsonb_to_recordset($1::jsonb) AS x(${defs})`;
  for (let i = 0; i < items.length; i += 5_000) {
    const chunk = items.slice(i, i + 5_000).map((it) => ({ ...it, campaignId, assignedReviewerId: it.reviewerId }));
    await tx.$executeRawUnsafe(sql, JSON.stringify(chunk));
  }
}

// ---- Close ---------------------------------------------------------------------------------------

export async function closeCampaign(db: Db, actorIn: Actor | null, input: { campaignId: string }): Promise<{ closed: true }> {
  const actor = requireActor(actorIn, "campaign.manage");
  const now = reviewNow();
  return db.$transaction(async (tx) => {
    const campaign = await lockForClose(tx, input.campaignId);
    await refreshRemediation(tx, campaign.id);
    const undecided = await tx.reviewItem.count({ where: { campaignId: campaign.id, state: "PENDING" } });
    const unverified = await tx.reviewItem.count({ where: { campaignId: campaign.id, remediation: { in: ["PENDING", "FAILED", "MANUAL"] } } });
    if (undecided || unverified) {
      const parts = [undecided ? `${undecided} item(s) are undecided` : null, unverified ? `${unverified} remediation(s) are not verified (pending, failed or manual)` : null].filter(Boolean).join(" and ");
      throw new ReviewRefused(`The campaign cannot be completed: ${parts}. Wait for them, or force-close with a reason (they become exceptions).`);
    }
    await tx.reviewCampaign.update({ where: { id: campaign.id }, data: { status: "CLOSED", closedAt: now, closedById: actor.personId } });
    await appendAudit(tx, { actor: personActor(actor), action: "review.campaign_closed", target: { type: "review_campaign", id: campaign.id }, after: { forced: false, items: campaign.itemCount } });
    return { closed: true as const };
  }, LONG_TX);
}

export async function forceCloseCampaign(db: Db, actorIn: Actor | null, input: { campaignId: string; reason: string }): Promise<{ exceptions: number }> {
  const actor = requireActor(actorIn, "campaign.manage");
  const now = reviewNow();
  return db.$transaction(async (tx) => {
    const campaign = await lockForClose(tx, input.campaignId);
    await refreshRemediation(tx, campaign.id);
    const undecided = await tx.reviewItem.updateMany({
      where: { campaignId: campaign.id, state: "PENDING" },
      data: { state: "EXCEPTION", exceptionReason: `Undecided at force-close: ${input.reason}`, draftDecision: null, draftRole: null, draftJustification: null, draftAt: null },
    });
    const unverified = await tx.$executeRaw`UPDATE "ReviewItem" SET "exceptionReason" = 'Remediation ' || lower("remediation"::text) || ' at close' || COALESCE(': ' || "remediationError", '')
      WHERE "campaignId" = ${campaign.id} AND "remediation" IN ('PENDING', 'FAILED', 'MANUAL')`;
    await tx.reviewCampaign.update({ where: { id: campaign.id }, data: { status: "CLOSED", closedAt: now, closedById: actor.personId, forceClosed: true, closeReason: input.reason } });
    const exceptions = undecided.count + unverified;
    await appendAudit(tx, {
      actor: personActor(actor),
      action: "review.campaign_closed",
      target: { type: "review_campaign", id: campaign.id },
      after: { forced: true, undecided: undecided.count, unverifiedRemediation: unverified, exceptions },
      reason: input.reason,
    });
    return { exceptions };
  }, LONG_TX);
}

async function lockForClose(tx: Tx, campaignId: string) {
  await tx.$queryRaw`SELECT "id" FROM "ReviewCampaign" WHERE "id" = ${campaignId} FOR UPDATE`;
  const campaign = await tx.reviewCampaign.findUnique({ where: { id: campaignId } });
  if (!campaign) throw new ReviewRefused("No such campaign.");
  if (campaign.status === "CLOSED") throw new ReviewRefused(`The campaign "${campaign.name}" is already closed.`);
  if (campaign.status === "DRAFT") throw new ReviewRefused(`The campaign "${campaign.name}" was never launched: there is nothing to close.`);
  return campaign;
}

// ---- Owners --------------------------------------------------------------------------------------

export async function setReviewOwner(db: Db, actorIn: Actor | null, input: SetReviewOwnerInput): Promise<{ ok: true }> {
  const actor = requireActor(actorIn, "campaign.manage");
  return db.$transaction(async (tx) => {
    const person = await tx.person.findUnique({ where: { id: input.personId }, select: { status: true } });
    if (!person || person.status !== "ACTIVE") throw new ReviewRefused("The owner must be an active person of the portal.", { personId: ["Choose an active person."] });
    const connection = await tx.pagerDutyConnection.findUnique({ where: { id: input.connectionId }, select: { id: true } });
    if (!connection) throw new ReviewRefused("No such PagerDuty account.");
    if (input.subjectType === "role" && (PD_TEAM_ROLES as readonly string[]).includes(input.subjectRef) && input.subjectRef !== "observer") {
      throw new ReviewRefused("Owners are set on base roles (owner, admin, user, …) or on teams.", { subjectRef: ["Name a base role."] });
    }
    const where = { connectionId: input.connectionId, subjectType: input.subjectType, subjectRef: input.subjectRef, personId: input.personId };
    if (input.owner) await tx.reviewOwner.upsert({ where: { connectionId_subjectType_subjectRef_personId: where }, create: { id: randomUUID(), ...where, createdById: actor.personId }, update: {} });
    else await tx.reviewOwner.deleteMany({ where });
    await appendAudit(tx, { actor: personActor(actor), action: input.owner ? "review.owner_set" : "review.owner_removed", target: { type: input.subjectType === "team" ? "pd_team" : "pd_role", id: input.subjectRef }, accountId: input.connectionId, after: where });
    return { ok: true as const };
  });
}
