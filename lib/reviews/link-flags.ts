/**
 * Separation of duties around identity links. Changing which portal person a PagerDuty user is (an alias)
 * while that user has items in an open campaign could let someone steer who reviews whom (re-link one's
 * own PagerDuty user to another person, then review it). Such a change is flagged on every open campaign
 * holding that user's items (shown to admins and auditors, and in the evidence), audited, and the person
 * who made it never receives those items: assignment, reassignment, delegation and escalation refuse them,
 * and items they review at that moment move to the fallback reviewer (or wait for an admin).
 */
import { randomUUID } from "node:crypto";
import { appendAudit, type AuditActor } from "@/lib/audit";
import type { DbOrTx, Tx } from "@/lib/db";
import { approversOf, jitApproversFor } from "./jit-approvers";
import { reviewNow } from "./options";

export interface LinkChange {
  connectionId: string;
  pdUserId: string;
  fromPersonId: string | null;
  toPersonId: string | null;
}

export interface LinkChangeFlagRow {
  id: string;
  connectionId: string;
  pdUserId: string;
  subjectName: string;
  from: { id: string; name: string } | null;
  to: { id: string; name: string } | null;
  changedBy: { id: string; name: string };
  itemCount: number;
  createdAt: string;
}

const keyOf = (connectionId: string, pdUserId: string | null) => `${connectionId}|${pdUserId ?? ""}`;

/**
 * In the link change's transaction: flags each open campaign with items of the changed PagerDuty users,
 * audits each flag, and takes their undecided items away from the changer. Returns the flags written.
 */
export async function flagLinkChanges(tx: Tx, changes: readonly LinkChange[], by: { personId: string; actor: AuditActor }, now: Date = reviewNow()): Promise<number> {
  let flagged = 0;
  for (const change of changes) {
    const campaigns = await tx.reviewCampaign.findMany({ where: { status: "ACTIVE", connectionIds: { has: change.connectionId } }, select: { id: true, fallbackReviewerId: true } });
    for (const c of campaigns) {
      const where = { campaignId: c.id, connectionId: change.connectionId, pdUserId: change.pdUserId };
      const itemCount = await tx.reviewItem.count({ where });
      if (!itemCount) continue;
      const id = randomUUID();
      await tx.reviewLinkChangeFlag.create({ data: { id, campaignId: c.id, ...change, changedById: by.personId, itemCount, createdAt: now } });
      const moved = await takeItemsFrom(tx, c, change, by.personId);
      await appendAudit(tx, {
        actor: by.actor,
        action: "review.link_change_flagged",
        target: { type: "review_campaign", id: c.id },
        accountId: change.connectionId,
        after: { flagId: id, pdUserId: change.pdUserId, fromPersonId: change.fromPersonId, toPersonId: change.toPersonId, changedById: by.personId, items: itemCount, movedFromChanger: moved },
        reason: "A person ↔ PagerDuty user link changed while the user has items in this open campaign: the items never go to the person who changed it.",
      });
      flagged++;
    }
  }
  return flagged;
}

/** The changer's undecided items of that user go to the fallback reviewer (unless barred too), else to nobody (an admin reassigns them). */
async function takeItemsFrom(tx: Tx, campaign: { id: string; fallbackReviewerId: string }, change: LinkChange, changerId: string): Promise<number> {
  const items = await tx.reviewItem.findMany({ where: { campaignId: campaign.id, connectionId: change.connectionId, pdUserId: change.pdUserId, state: "PENDING", reviewerId: changerId }, select: { id: true, subjectPersonId: true, kind: true, grantId: true } });
  if (!items.length) return 0;
  const fallback = campaign.fallbackReviewerId;
  const barred = await linkChangersFor(tx, campaign.id, [{ connectionId: change.connectionId, pdUserId: change.pdUserId }]);
  const fallbackOk = fallback !== changerId && !changersOf(barred, change).has(fallback);
  const why = "they changed this PagerDuty user's link to a person during the campaign (separation of duties)";
  const approvers = await jitApproversFor(tx, items);
  for (const i of items) {
    const toFallback = fallbackOk && i.subjectPersonId !== fallback && !approversOf(approvers, i).has(fallback);
    await tx.reviewItem.update({
      where: { id: i.id },
      data: { reviewerId: toFallback ? fallback : null, reviewerReason: toFallback ? `Moved to the fallback reviewer: ${why}` : `No eligible reviewer: ${why}; an admin must reassign it`, draftDecision: null, draftRole: null, draftJustification: null, draftAt: null },
    });
  }
  return items.length;
}

/** For items of a campaign: connectionId|pdUserId → people who changed that user's link during the campaign. */
export async function linkChangersFor(db: DbOrTx, campaignId: string, items: readonly { connectionId: string; pdUserId: string | null }[]): Promise<Map<string, Set<string>>> {
  const users = [...new Set(items.filter((i) => i.pdUserId).map((i) => i.pdUserId!))];
  const out = new Map<string, Set<string>>();
  if (!users.length) return out;
  const flags = await db.reviewLinkChangeFlag.findMany({ where: { campaignId, pdUserId: { in: users } }, select: { connectionId: true, pdUserId: true, changedById: true } });
  for (const f of flags) {
    const k = keyOf(f.connectionId, f.pdUserId);
    out.set(k, (out.get(k) ?? new Set()).add(f.changedById));
  }
  return out;
}

/** Who changed the link of this item's PagerDuty user during the campaign. */
export function changersOf(changers: Map<string, Set<string>>, item: { connectionId: string; pdUserId: string | null }): ReadonlySet<string> {
  return changers.get(keyOf(item.connectionId, item.pdUserId)) ?? new Set();
}

/** The message when someone would receive or decide an item whose user's link they changed (`name` null: the actor). */
export function linkChangerRefusal(name: string | null, subject: string): string {
  return `${name ?? "You"} changed the PagerDuty link of ${subject} during this campaign: separation of duties keeps ${subject}'s items away from ${name ? "them" : "you"}.`;
}

/** The campaign's flags with names, for its page and its evidence. */
export async function linkChangeFlags(db: DbOrTx, campaignId: string): Promise<LinkChangeFlagRow[]> {
  const flags = await db.reviewLinkChangeFlag.findMany({ where: { campaignId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  if (!flags.length) return [];
  const ids = [...new Set(flags.flatMap((f) => [f.changedById, f.fromPersonId, f.toPersonId]).filter((x): x is string => x !== null))];
  const names = new Map((await db.person.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })).map((p) => [p.id, p.name]));
  const subjects = await db.reviewItem.findMany({ where: { campaignId, OR: flags.map((f) => ({ connectionId: f.connectionId, pdUserId: f.pdUserId })) }, select: { connectionId: true, pdUserId: true, subjectName: true }, distinct: ["connectionId", "pdUserId"] });
  const subjectOf = new Map(subjects.map((s) => [keyOf(s.connectionId, s.pdUserId), s.subjectName]));
  const who = (id: string | null) => (id ? { id, name: names.get(id) ?? id } : null);
  return flags.map((f) => ({
    id: f.id,
    connectionId: f.connectionId,
    pdUserId: f.pdUserId,
    subjectName: subjectOf.get(keyOf(f.connectionId, f.pdUserId)) ?? f.pdUserId,
    from: who(f.fromPersonId),
    to: who(f.toPersonId),
    changedBy: who(f.changedById)!,
    itemCount: f.itemCount,
    createdAt: f.createdAt.toISOString(),
  }));
}
