/**
 * Who reviews: delegation while away (time-bound, audited; the delegate decides the delegator's items in
 * the window) and reassignment with a reason (a reviewer hands on their own items; an admin any item).
 * Neither may give an item to the person whose access it is (nor a just-in-time grant to its approver).
 */
import { randomUUID } from "node:crypto";
import { appendAudit } from "@/lib/audit";
import { can } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import type { Db, Tx } from "@/lib/db";
import { personActor } from "./campaigns";
import { actingFor, jitApproverRefusal, loadActiveCampaign, requireActor, ReviewRefused } from "./guard";
import { approversOf, jitApproversFor } from "./jit-approvers";
import { changersOf, linkChangerRefusal, linkChangersFor } from "./link-flags";
import { reviewNow } from "./options";
import type { DelegateInput, ReassignInput } from "./schemas";

export async function delegateReviews(db: Db, actorIn: Actor | null, input: DelegateInput): Promise<{ delegationId: string }> {
  const actor = requireActor(actorIn, "review.decide");
  const from = input.fromPersonId ?? actor.personId;
  if (from !== actor.personId && !can(actor, "campaign.manage")) throw new ReviewRefused("You can only delegate your own reviews.");
  if (from === input.toPersonId) throw new ReviewRefused("Delegate to someone else.", { toPersonId: ["Choose another person."] });
  const now = reviewNow();
  if (input.endsAt.getTime() <= now.getTime()) throw new ReviewRefused("The delegation would already be over: choose an end in the future.", { endsAt: ["Choose a time in the future."] });
  return db.$transaction(async (tx) => {
    const people = await tx.person.findMany({ where: { id: { in: [from, input.toPersonId] }, status: "ACTIVE" }, select: { id: true, name: true, roles: true } });
    const to = people.find((p) => p.id === input.toPersonId);
    if (!to) throw new ReviewRefused("The delegate must be an active person of the portal.", { toPersonId: ["Choose an active person."] });
    if (!people.some((p) => p.id === from)) throw new ReviewRefused("The person delegating must be an active person of the portal.");
    if (to.roles.includes("AUDITOR")) throw new ReviewRefused("Auditors change nothing: choose a delegate who may decide reviews.", { toPersonId: ["Choose someone who is not an auditor."] });
    const barred = await flaggedItemOf(tx, from, to.id);
    if (barred) throw new ReviewRefused(`${linkChangerRefusal(to.name, barred)} They cannot be your delegate while you review those items. Nothing was changed.`, { toPersonId: ["Choose someone who did not change a PagerDuty link of your items."] });
    const id = randomUUID();
    await tx.reviewDelegation.create({ data: { id, fromPersonId: from, toPersonId: to.id, startsAt: input.startsAt, endsAt: input.endsAt, reason: input.reason, createdById: actor.personId, createdAt: now } });
    await appendAudit(tx, {
      actor: personActor(actor),
      action: "review.delegated",
      target: { type: "person", id: from },
      after: { delegationId: id, from, to: to.id, toName: to.name, startsAt: input.startsAt.toISOString(), endsAt: input.endsAt.toISOString() },
      reason: input.reason,
    });
    return { delegationId: id };
  });
}

/** The subject of an undecided item `reviewerId` reviews in an open campaign whose PagerDuty link `personId` changed (or null). */
async function flaggedItemOf(tx: Tx, reviewerId: string, personId: string): Promise<string | null> {
  const flags = await tx.reviewLinkChangeFlag.findMany({ where: { changedById: personId, campaign: { status: "ACTIVE" } }, select: { campaignId: true, connectionId: true, pdUserId: true } });
  if (!flags.length) return null;
  const item = await tx.reviewItem.findFirst({ where: { state: "PENDING", reviewerId, OR: flags.map((f) => ({ campaignId: f.campaignId, connectionId: f.connectionId, pdUserId: f.pdUserId })) }, select: { subjectName: true } });
  return item?.subjectName ?? null;
}

export async function revokeDelegation(db: Db, actorIn: Actor | null, input: { delegationId: string }): Promise<{ ok: true }> {
  const actor = requireActor(actorIn, "review.decide");
  const now = reviewNow();
  return db.$transaction(async (tx) => {
    const d = await tx.reviewDelegation.findUnique({ where: { id: input.delegationId } });
    if (!d || (d.fromPersonId !== actor.personId && !can(actor, "campaign.manage"))) throw new ReviewRefused("No such delegation of yours.");
    if (d.revokedAt) throw new ReviewRefused("This delegation was already ended.");
    await tx.reviewDelegation.update({ where: { id: d.id }, data: { revokedAt: now } });
    await appendAudit(tx, { actor: personActor(actor), action: "review.delegation_ended", target: { type: "person", id: d.fromPersonId }, after: { delegationId: d.id, to: d.toPersonId } });
    return { ok: true as const };
  });
}

/** `asAdmin`: any item of the campaign (campaign.manage); otherwise only items the actor reviews (or reviews as a delegate). */
export async function reassignItems(db: Db, actorIn: Actor | null, input: ReassignInput, asAdmin: boolean): Promise<{ count: number }> {
  const actor = requireActor(actorIn, asAdmin ? "campaign.manage" : "review.decide");
  const now = reviewNow();
  return db.$transaction(async (tx) => {
    const campaign = await loadActiveCampaign(tx, input.campaignId, true);
    const to = await tx.person.findUnique({ where: { id: input.toPersonId }, select: { id: true, name: true, status: true, roles: true } });
    if (!to || to.status !== "ACTIVE") throw new ReviewRefused("The new reviewer must be an active person of the portal.", { toPersonId: ["Choose an active person."] });
    if (to.roles.includes("AUDITOR")) throw new ReviewRefused("Auditors change nothing: choose a reviewer who may decide.", { toPersonId: ["Choose someone who is not an auditor."] });
    const ids = [...new Set(input.itemIds)];
    const items = await tx.reviewItem.findMany({ where: { id: { in: ids }, campaignId: campaign.id }, select: { id: true, state: true, reviewerId: true, subjectPersonId: true, subjectName: true, entitlementLabel: true, connectionId: true, pdUserId: true, kind: true, grantId: true } });
    if (items.length !== ids.length) throw new ReviewRefused("Some items are not part of this campaign. Nothing was changed.");
    const acting = asAdmin ? null : await actingFor(tx, actor.personId, now);
    const changers = await linkChangersFor(tx, campaign.id, items);
    const approvers = await jitApproversFor(tx, items);
    for (const i of items) {
      if (i.state !== "PENDING") throw new ReviewRefused("Only undecided items can be reassigned. Nothing was changed.");
      if (acting && !(i.reviewerId && acting.ids.includes(i.reviewerId))) throw new ReviewRefused("You can only reassign items you review. Nothing was changed.");
      if (i.subjectPersonId === to.id) throw new ReviewRefused(`${to.name} cannot review their own access (${i.subjectName}). Nothing was changed.`, { toPersonId: ["Choose someone else for their own items."] });
      if (changersOf(changers, i).has(to.id)) throw new ReviewRefused(`${linkChangerRefusal(to.name, i.subjectName)} Nothing was changed.`, { toPersonId: ["Choose someone who did not change this person's PagerDuty link."] });
      if (approversOf(approvers, i).has(to.id)) throw new ReviewRefused(`${jitApproverRefusal(to.name, `the just-in-time grant under review (${i.subjectName}: ${i.entitlementLabel})`)} Nothing was changed.`, { toPersonId: ["Choose someone who did not approve this grant."] });
    }
    const reason = `Reassigned by ${actor.name}: ${input.reason}`;
    await tx.reviewItem.updateMany({ where: { id: { in: ids } }, data: { reviewerId: to.id, reviewerReason: reason, draftDecision: null, draftRole: null, draftJustification: null, draftAt: null } });
    await appendAudit(tx, {
      actor: personActor(actor),
      action: "review.reassigned",
      target: { type: "review_campaign", id: campaign.id },
      after: { to: to.id, toName: to.name, items: items.map((i) => ({ itemId: i.id, from: i.reviewerId })) },
      reason: input.reason,
    });
    return { count: items.length };
  });
}
