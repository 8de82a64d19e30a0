/**
 * Decisions: drafts (saved one by one or in bulk), then a submitted batch. Submitting checks the
 * justification rules, asks for a second look when the batch looks like rubber-stamping, records every
 * step decision, moves two-step items to their second reviewer (a different person), and turns final
 * REVOKE / MODIFY decisions into changes in the write-back pipeline, all in one transaction with its
 * audit event.
 */
import { randomUUID } from "node:crypto";
import { appendAudit } from "@/lib/audit";
import type { Actor } from "@/lib/auth/session";
import type { Db, Tx } from "@/lib/db";
import type { ReviewDecisionKind } from "@/lib/generated/prisma/client";
import { PD_TEAM_ROLES, PD_USER_ROLES } from "@/lib/pagerduty";
import { HIGH_RISK_SCORE, personActor } from "./campaigns";
import { loadDirectory } from "./directory";
import { actingFor, decideRefusal, jitApproverRefusal, loadActiveCampaign, requireActor, ReviewRefused } from "./guard";
import { approversOf, jitApproversFor } from "./jit-approvers";
import { reviewNow, reviewOptions } from "./options";
import { changersOf, linkChangerRefusal, linkChangersFor } from "./link-flags";
import { assignReviewer } from "./policy";
import { remediate, type RemediationTarget } from "./remediation";
import type { BulkDecideInput, ClearDraftsInput, SaveDraftsInput, SubmitDecisionsInput } from "./schemas";
import type { DecisionInput, ItemKind, ReviewerPolicy, SubmitResult } from "./types";

const LONG_TX = { timeout: 120_000, maxWait: 30_000 } as const;

/** Roles MODIFY may set: another base role (not owner: PagerDuty transfers ownership only by hand), or another team role. */
export function modifyRolesFor(kind: ItemKind, current: string | null): string[] {
  if (kind === "BASE_ROLE") return PD_USER_ROLES.filter((r) => r !== "owner" && r !== current);
  if (kind === "TEAM_MEMBER") return PD_TEAM_ROLES.filter((r) => r !== current);
  return [];
}

const ITEM_FACTS = { id: true, campaignId: true, state: true, reviewerId: true, subjectPersonId: true, kind: true, role: true, subjectName: true, entitlementLabel: true, connectionId: true, pdUserId: true, grantId: true } as const;

/** Loads the items and refuses the whole request when any of them may not be decided by this actor now. */
async function decidableItems(tx: Tx, actor: Actor, campaignId: string, itemIds: readonly string[], now: Date) {
  const unique = [...new Set(itemIds)];
  const items = await tx.reviewItem.findMany({ where: { id: { in: unique }, campaignId }, select: ITEM_FACTS });
  if (items.length !== unique.length) throw new ReviewRefused(`${unique.length - items.length} of the items are not part of this campaign. Nothing was changed.`);
  const acting = await actingFor(tx, actor.personId, now);
  const changers = await linkChangersFor(tx, campaignId, items);
  const approvers = await jitApproversFor(tx, items);
  const refusals = new Map<string, string[]>();
  for (const item of items) {
    const why =
      item.state !== "PENDING" ? "This item was already decided." : changersOf(changers, item).has(actor.personId) ? linkChangerRefusal(null, item.subjectName) : decideRefusal(actor, { ...item, approverIds: approversOf(approvers, item) }, acting.ids);
    if (why) refusals.set(item.id, [why]);
  }
  if (refusals.size) {
    const first = [...refusals.values()][0]![0]!;
    throw new ReviewRefused(refusals.size === 1 ? `${first} Nothing was changed.` : `${refusals.size} of the items cannot be decided by you (e.g. ${first}). Nothing was changed.`, Object.fromEntries([...refusals].map(([id, m]) => [`decisions.${id}`, m])));
  }
  return { items, acting };
}

function checkRole(item: { kind: ItemKind; role: string | null; id: string }, d: Pick<DecisionInput, "decision" | "role">): string | null {
  if (d.decision !== "MODIFY") return d.role ? "A role is given only with MODIFY." : null;
  const allowed = modifyRolesFor(item.kind, item.role);
  if (!allowed.length) return "This access cannot be modified, only certified or revoked.";
  if (!d.role) return `Choose the new role (${allowed.join(", ")}).`;
  if (!allowed.includes(d.role)) return `"${d.role}" is not a role this access can be changed to (choose ${allowed.join(", ")}).`;
  return null;
}

async function writeDrafts(tx: Tx, decisions: readonly DecisionInput[], items: { id: string; kind: ItemKind; role: string | null }[], now: Date): Promise<number> {
  const byId = new Map(items.map((i) => [i.id, i]));
  const problems: Record<string, string[]> = {};
  for (const d of decisions) {
    const why = checkRole(byId.get(d.itemId)!, d);
    if (why) problems[`decisions.${d.itemId}`] = [why];
  }
  const keys = Object.keys(problems);
  if (keys.length) throw new ReviewRefused(`${keys.length === 1 ? problems[keys[0]!]![0] : `${keys.length} decisions are not valid.`} Nothing was changed.`, problems);
  // One UPDATE per distinct (decision, role, justification): a bulk decision is one statement.
  const groups = new Map<string, { d: DecisionInput; ids: string[] }>();
  for (const d of decisions) {
    const key = JSON.stringify([d.decision, d.role ?? null, d.justification?.trim() || null]);
    const g = groups.get(key) ?? { d, ids: [] };
    g.ids.push(d.itemId);
    groups.set(key, g);
  }
  let saved = 0;
  for (const { d, ids } of groups.values()) {
    const r = await tx.reviewItem.updateMany({
      where: { id: { in: ids }, state: "PENDING" },
      data: { draftDecision: d.decision as ReviewDecisionKind, draftRole: d.role ?? null, draftJustification: d.justification?.trim() || null, draftAt: now },
    });
    saved += r.count;
  }
  return saved;
}

export async function saveDrafts(db: Db, actorIn: Actor | null, input: SaveDraftsInput): Promise<{ saved: number }> {
  const actor = requireActor(actorIn, "review.decide");
  const now = reviewNow();
  return db.$transaction(async (tx) => {
    await loadActiveCampaign(tx, input.campaignId);
    const last = new Map(input.decisions.map((d) => [d.itemId, d]));
    const { items } = await decidableItems(tx, actor, input.campaignId, [...last.keys()], now);
    return { saved: await writeDrafts(tx, [...last.values()], items, now) };
  }, LONG_TX);
}

export async function bulkDecide(db: Db, actorIn: Actor | null, input: BulkDecideInput): Promise<{ saved: number }> {
  const actor = requireActor(actorIn, "review.decide");
  const now = reviewNow();
  return db.$transaction(async (tx) => {
    await loadActiveCampaign(tx, input.campaignId);
    const { items } = await decidableItems(tx, actor, input.campaignId, input.itemIds, now);
    const decisions = items.map((i) => ({ itemId: i.id, decision: input.decision, role: input.role, justification: input.justification }));
    return { saved: await writeDrafts(tx, decisions, items, now) };
  }, LONG_TX);
}

export async function clearDrafts(db: Db, actorIn: Actor | null, input: ClearDraftsInput): Promise<{ cleared: number }> {
  const actor = requireActor(actorIn, "review.decide");
  const now = reviewNow();
  return db.$transaction(async (tx) => {
    await loadActiveCampaign(tx, input.campaignId);
    await decidableItems(tx, actor, input.campaignId, input.itemIds, now);
    const r = await tx.reviewItem.updateMany({ where: { id: { in: input.itemIds }, draftDecision: { not: null } }, data: { draftDecision: null, draftRole: null, draftJustification: null, draftAt: null } });
    return { cleared: r.count };
  });
}

interface Draft {
  id: string;
  connectionId: string;
  kind: ItemKind;
  grantId: string | null;
  entitlementKey: string;
  pdUserId: string | null;
  teamPdId: string | null;
  schedulePdId: string | null;
  subjectPersonId: string | null;
  subjectName: string;
  entitlementLabel: string;
  role: string | null;
  riskScore: number;
  step: number;
  reviewerId: string | null;
  reviewerReason: string;
  draftDecision: ReviewDecisionKind | null;
  draftRole: string | null;
  draftJustification: string | null;
  draftAt: Date | null;
}

/** Why a batch looks like rubber-stamping (null: it does not). */
export function rubberStampReason(drafts: readonly Pick<Draft, "draftDecision" | "draftAt">[], reviewerHasOtherPending: boolean, reviewerHasNonCertify: boolean): string | null {
  const o = reviewOptions();
  const certs = drafts.filter((d) => d.draftDecision === "CERTIFY");
  if (certs.length >= o.rubberStampMinItems) {
    const times = certs.map((d) => d.draftAt?.getTime() ?? 0);
    const span = (Math.max(...times) - Math.min(...times)) / 1000;
    if (span / certs.length < o.rubberStampSecondsPerItem) return `${certs.length} certifications were made within ${Math.round(span)} seconds (under ${o.rubberStampSecondsPerItem} s per item).`;
  }
  if (certs.length === drafts.length && drafts.length >= o.rubberStampAllCertifiedMin && !reviewerHasOtherPending && !reviewerHasNonCertify) {
    return `Every one of your ${drafts.length} items is certified (100% of a large set).`;
  }
  return null;
}

export async function submitDecisions(db: Db, actorIn: Actor | null, input: SubmitDecisionsInput): Promise<SubmitResult> {
  const actor = requireActor(actorIn, "review.decide");
  const now = reviewNow();
  return db.$transaction(async (tx) => {
    const campaign = await loadActiveCampaign(tx, input.campaignId, true);
    const acting = await actingFor(tx, actor.personId, now);
    let drafts: Draft[];
    if (input.itemIds) {
      await decidableItems(tx, actor, campaign.id, input.itemIds, now);
      drafts = await tx.reviewItem.findMany({ where: { id: { in: input.itemIds }, draftDecision: { not: null } }, orderBy: { seq: "asc" } });
      if (drafts.length !== new Set(input.itemIds).size) throw new ReviewRefused("Some of the selected items have no decision yet: decide them first. Nothing was submitted.");
    } else {
      drafts = await tx.reviewItem.findMany({ where: { campaignId: campaign.id, state: "PENDING", draftDecision: { not: null }, reviewerId: { in: acting.ids }, OR: [{ subjectPersonId: null }, { subjectPersonId: { not: actor.personId } }] }, orderBy: { seq: "asc" } });
    }
    if (!drafts.length) throw new ReviewRefused("There are no decisions to submit: decide some items first.");
    // A delegate's submission takes the delegator's drafts too: never those whose PagerDuty link the actor changed.
    const changers = await linkChangersFor(tx, campaign.id, drafts);
    const barred = drafts.find((d) => changersOf(changers, d).has(actor.personId));
    if (barred) throw new ReviewRefused(`${linkChangerRefusal(null, barred.subjectName)} Nothing was submitted.`);
    // Nor the review of a just-in-time grant the actor approved (a delegate's submission included).
    const approvers = await jitApproversFor(tx, drafts);
    const approved = drafts.find((d) => approversOf(approvers, d).has(actor.personId));
    if (approved) throw new ReviewRefused(`${jitApproverRefusal(null, `the just-in-time grant under review (${approved.subjectName}: ${approved.entitlementLabel})`)} Nothing was submitted.`);

    const problems: Record<string, string[]> = {};
    for (const d of drafts) {
      const j = d.draftJustification?.trim() ?? "";
      if (d.draftDecision !== "CERTIFY" && j.length < 3) problems[`decisions.${d.id}`] = [`A justification is required to ${d.draftDecision === "REVOKE" ? "revoke" : "modify"} access (${d.subjectName}: ${d.entitlementLabel}).`];
      else if (d.draftDecision === "CERTIFY" && campaign.justifyHighRisk && d.riskScore >= HIGH_RISK_SCORE && j.length < 3) problems[`decisions.${d.id}`] = [`This campaign requires a justification to certify high-risk access (${d.subjectName}: ${d.entitlementLabel}).`];
    }
    const bad = Object.keys(problems);
    if (bad.length) throw new ReviewRefused(`${bad.length === 1 ? problems[bad[0]!]![0] : `${bad.length} decisions need a justification.`} Nothing was submitted.`, problems);

    const ids = drafts.map((d) => d.id);
    const reviewers = [...new Set(drafts.map((d) => d.reviewerId).filter((r): r is string => r !== null))];
    const otherPending = (await tx.reviewItem.count({ where: { campaignId: campaign.id, state: "PENDING", reviewerId: { in: reviewers }, id: { notIn: ids } } })) > 0;
    const nonCertify = (await tx.reviewDecision.count({ where: { campaignId: campaign.id, reviewerId: actor.personId, decision: { not: "CERTIFY" } } })) > 0;
    const stamp = rubberStampReason(drafts, otherPending, nonCertify);
    if (stamp && !input.acknowledgeRubberStamp) return { submitted: false as const, rubberStampPrompt: { reason: `${stamp} Take a second look before submitting; if you submit anyway, the batch is flagged in the campaign's report.`, count: drafts.length } };

    const policy = campaign.policy as unknown as ReviewerPolicy;
    const second = policy.steps[1];
    const toSecond = second ? drafts.filter((d) => d.step === 1) : [];
    const finals = second ? drafts.filter((d) => d.step >= 2) : drafts;
    const split = { certified: 0, revoked: 0, modified: 0 };
    for (const d of finals) split[d.draftDecision === "CERTIFY" ? "certified" : d.draftDecision === "REVOKE" ? "revoked" : "modified"]++;

    const submissionId = randomUUID();
    await tx.reviewSubmission.create({
      data: { id: submissionId, campaignId: campaign.id, reviewerId: actor.personId, count: drafts.length, ...split, rubberStamp: stamp !== null, rubberStampReason: stamp, acknowledged: stamp !== null && input.acknowledgeRubberStamp, submittedAt: now },
    });
    const names = new Map((await tx.person.findMany({ where: { id: { in: [...acting.delegators.keys()] } }, select: { id: true, name: true } })).map((p) => [p.id, p.name]));
    const decidedAs = (d: Draft) => (d.reviewerId && d.reviewerId !== actor.personId ? `${d.reviewerReason} · decided by ${actor.name} as delegate of ${names.get(d.reviewerId) ?? d.reviewerId}` : d.reviewerReason);
    await tx.reviewDecision.createMany({
      data: drafts.map((d) => ({ id: randomUUID(), campaignId: campaign.id, itemId: d.id, step: d.step, submissionId, decision: d.draftDecision!, role: d.draftRole, justification: d.draftJustification, reviewerId: actor.personId, reviewerReason: decidedAs(d), decidedAt: now })),
    });

    // Final decisions: one UPDATE per distinct outcome.
    const groups = new Map<string, { d: Draft; ids: string[] }>();
    for (const d of finals) {
      const key = JSON.stringify([d.draftDecision, d.draftRole, d.draftJustification]);
      const g = groups.get(key) ?? { d, ids: [] };
      g.ids.push(d.id);
      groups.set(key, g);
    }
    for (const { d, ids: gIds } of groups.values()) {
      await tx.reviewItem.updateMany({
        where: { id: { in: gIds } },
        data: { state: "DECIDED", decision: d.draftDecision, decisionRole: d.draftRole, justification: d.draftJustification, decidedById: actor.personId, decidedAt: now, draftDecision: null, draftRole: null, draftJustification: null, draftAt: null, rubberStamp: stamp !== null },
      });
    }
    // Second step: a different person than whoever decided step 1 (and never the holder).
    if (second && toSecond.length) {
      const dir = await loadDirectory(tx, campaign.connectionIds);
      const teamsOf = await itemTeams(tx, toSecond);
      for (const d of toSecond) {
        const a = assignReviewer(2, second, { connectionId: d.connectionId, kind: d.kind, subjectPersonId: d.subjectPersonId, role: d.role, teamPdIds: teamsOf.get(d.id) ?? [], entitlementKey: d.entitlementKey }, dir, campaign.fallbackReviewerId, campaign.createdById, [actor.personId, ...(d.reviewerId ? [d.reviewerId] : []), ...changersOf(changers, d), ...approversOf(approvers, d)]);
        await tx.reviewItem.update({ where: { id: d.id }, data: { step: 2, reviewerId: a.reviewerId, assignedReviewerId: a.reviewerId, reviewerReason: a.reason, draftDecision: null, draftRole: null, draftJustification: null, draftAt: null, rubberStamp: stamp !== null } });
      }
    }
    const targets: RemediationTarget[] = finals.filter((d) => d.draftDecision !== "CERTIFY").map((d) => ({ id: d.id, connectionId: d.connectionId, kind: d.kind, grantId: d.grantId, pdUserId: d.pdUserId, teamPdId: d.teamPdId, schedulePdId: d.schedulePdId, entitlementLabel: d.entitlementLabel, decision: d.draftDecision!, role: d.draftRole, justification: d.draftJustification }));
    const by = { actor: personActor(actor), label: `${actor.name} <${actor.email}> (access review "${campaign.name}")`, personId: actor.personId };
    const remediation = targets.length ? await remediate(tx, submissionId, campaign.id, targets, now, by) : { changes: 0, batchIds: [] };
    if (remediation.batchIds.length) await tx.reviewSubmission.update({ where: { id: submissionId }, data: { changeBatchId: remediation.batchIds[0] } });

    await appendAudit(tx, {
      actor: personActor(actor),
      action: "review.decisions_submitted",
      target: { type: "review_campaign", id: campaign.id },
      after: {
        submissionId,
        count: drafts.length,
        ...split,
        secondStep: toSecond.length,
        rubberStamp: stamp,
        changes: remediation.changes,
        decisions: drafts.map((d) => ({ itemId: d.id, step: d.step, decision: d.draftDecision, role: d.draftRole, justification: d.draftJustification, reviewerId: d.reviewerId })),
      },
      reason: stamp ? "Submitted after the rubber-stamp prompt" : null,
    });
    return { submitted: true as const, count: drafts.length, ...split, remediations: remediation.changes, rubberStamp: stamp !== null, secondStep: toSecond.length };
  }, LONG_TX);
}

async function itemTeams(tx: Tx, items: readonly Pick<Draft, "id" | "connectionId" | "kind" | "pdUserId" | "teamPdId" | "entitlementKey">[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const i of items) {
    if ((i.kind === "BASE_ROLE" || (i.kind === "JIT_GRANT" && i.entitlementKey.startsWith("base_role:"))) && i.pdUserId) {
      const ms = await tx.pdTeamMembership.findMany({ where: { connectionId: i.connectionId, userPdId: i.pdUserId, removedAt: null }, select: { teamPdId: true } });
      out.set(i.id, ms.map((m) => m.teamPdId));
    } else out.set(i.id, i.teamPdId ? [i.teamPdId] : []);
  }
  return out;
}
