/**
 * The clockwork of reviews, run by jobs on the reviews clock (simulated in tests and the demo):
 * reminders before the due date and when overdue (e-mail over SMTP and in-app, once per campaign, person
 * and kind), escalation of overdue items to the fallback reviewer, recurrence (the next occurrence of a
 * recurring campaign), and mirroring remediation state from the change pipeline.
 */
import { randomUUID } from "node:crypto";
import { appendAudit } from "@/lib/audit";
import type { Db } from "@/lib/db";
import type { ReviewReminderKind } from "@/lib/generated/prisma/client";
import { sendClaimedMail } from "@/lib/mail";
import { addMonths, createNextOccurrence } from "./campaigns";
import { grantsApprovedBy } from "./jit-approvers";
import { reviewNow, reviewOptions } from "./options";
import { refreshRemediation } from "./remediation";

export interface TickReport {
  reminders: number;
  emails: number;
  emailErrors: number;
  escalated: number;
  recurred: number;
  remediationUpdated: number;
}

/** One pass over every active campaign; safe to run at any rate (each reminder and escalation happens once). */
export async function reviewTick(db: Db, now: Date = reviewNow()): Promise<TickReport> {
  const o = reviewOptions();
  const report: TickReport = { reminders: 0, emails: 0, emailErrors: 0, escalated: 0, recurred: 0, remediationUpdated: 0 };
  report.remediationUpdated = await refreshRemediation(db);
  const active = await db.reviewCampaign.findMany({ where: { status: "ACTIVE" } });
  for (const c of active) {
    const msLeft = c.dueAt.getTime() - now.getTime();
    const overdueMs = -msLeft;
    if (overdueMs >= o.escalateAfterHours * 3_600_000 && !c.escalatedAt) report.escalated += await escalate(db, c.id, c.fallbackReviewerId, now);
    let kind: ReviewReminderKind | null = null;
    if (msLeft <= 0) kind = "OVERDUE";
    else if (msLeft <= o.dueSoonHours * 3_600_000) kind = "DUE_SOON";
    if (!kind) continue;
    const pending = await db.reviewItem.groupBy({ by: ["reviewerId"], where: { campaignId: c.id, state: "PENDING", reviewerId: { not: null } }, _count: { _all: true } });
    for (const p of pending) {
      const sent = await remind(db, { id: c.id, name: c.name, dueAt: c.dueAt }, p.reviewerId!, kind, p._count._all, now);
      report.reminders += sent.inApp;
      report.emails += sent.email;
      report.emailErrors += sent.emailError;
    }
  }
  // Recurrence: the next occurrence is created one period after this one was launched.
  const recurring = await db.reviewCampaign.findMany({ where: { recurrenceMonths: { not: null }, recurredAt: null, launchedAt: { not: null } }, select: { id: true, launchedAt: true, recurrenceMonths: true } });
  for (const r of recurring) {
    if (addMonths(r.launchedAt!, r.recurrenceMonths!).getTime() > now.getTime()) continue;
    if (await db.$transaction((tx) => createNextOccurrence(tx, r.id, now))) report.recurred++;
  }
  return report;
}

const KIND_TEXT: Record<ReviewReminderKind, (name: string, due: string, n: number) => { subject: string; text: string }> = {
  DUE_SOON: (name, due, n) => ({ subject: `Access review "${name}" is due ${due}`, text: `You have ${n} access review item(s) to decide in "${name}", due ${due}.` }),
  OVERDUE: (name, due, n) => ({ subject: `Overdue: access review "${name}"`, text: `The access review "${name}" was due ${due}; ${n} of your item(s) are still undecided. Undecided items move to the fallback reviewer.` }),
  ESCALATED: (name, due, n) => ({ subject: `Escalated to you: access review "${name}"`, text: `${n} overdue item(s) of "${name}" (due ${due}) were escalated to you as the fallback reviewer.` }),
};

async function remind(db: Db, c: { id: string; name: string; dueAt: Date }, personId: string, kind: ReviewReminderKind, count: number, now: Date): Promise<{ inApp: number; email: number; emailError: number }> {
  const o = reviewOptions();
  const person = await db.person.findUnique({ where: { id: personId }, select: { email: true, name: true, status: true } });
  if (!person || person.status !== "ACTIVE") return { inApp: 0, email: 0, emailError: 0 };
  const { subject, text } = KIND_TEXT[kind](c.name, c.dueAt.toISOString().slice(0, 16).replace("T", " ") + " UTC", count);
  const link = `${o.portalUrl.replace(/\/$/, "")}/reviews/${c.id}`;
  const inApp = await db.reviewReminder.createMany({ data: [{ id: randomUUID(), campaignId: c.id, personId, kind, channel: "IN_APP", message: text, createdAt: now }], skipDuplicates: true });
  if (!o.smtpUrl) return { inApp: inApp.count, email: 0, emailError: 0 };
  // Claimed first (unique per campaign, person and kind), so two workers never send it twice.
  const id = randomUUID();
  const sent = await sendClaimedMail(
    o.smtpUrl,
    { from: o.mailFrom, to: `${person.name} <${person.email}>`, subject, text: `${text}\n\nOpen your reviews: ${link}\n` },
    async () => (await db.reviewReminder.createMany({ data: [{ id, campaignId: c.id, personId, kind, channel: "EMAIL", message: text, createdAt: now }], skipDuplicates: true })).count > 0,
    (error) => db.reviewReminder.update({ where: { id }, data: { error } }),
  );
  return { inApp: inApp.count, ...sent };
}

/** Moves the overdue campaign's undecided items to the fallback reviewer (never to the holder of the access). */
async function escalate(db: Db, campaignId: string, fallbackId: string, now: Date): Promise<number> {
  const moved = await db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT "id" FROM "ReviewCampaign" WHERE "id" = ${campaignId} FOR UPDATE`;
    const c = await tx.reviewCampaign.findUnique({ where: { id: campaignId }, select: { status: true, escalatedAt: true, dueAt: true } });
    if (!c || c.status !== "ACTIVE" || c.escalatedAt) return 0;
    const fallback = await tx.person.findUnique({ where: { id: fallbackId }, select: { status: true } });
    let count = 0;
    if (fallback?.status === "ACTIVE") {
      // Never to the holder, nor to whoever changed the item's PagerDuty link during the campaign, nor to the approver of a just-in-time grant.
      const changed = await tx.reviewLinkChangeFlag.findMany({ where: { campaignId, changedById: fallbackId }, select: { connectionId: true, pdUserId: true } });
      const jit = await tx.reviewItem.findMany({ where: { campaignId, state: "PENDING", kind: "JIT_GRANT", grantId: { not: null } }, select: { grantId: true } });
      const approved = await grantsApprovedBy(tx, fallbackId, jit.map((j) => j.grantId!));
      const r = await tx.reviewItem.updateMany({
        where: { campaignId, state: "PENDING", OR: [{ reviewerId: null }, { reviewerId: { not: fallbackId } }], AND: [{ OR: [{ subjectPersonId: null }, { subjectPersonId: { not: fallbackId } }] }, ...changed.map((f) => ({ NOT: { connectionId: f.connectionId, pdUserId: f.pdUserId } })), ...(approved.length ? [{ NOT: { kind: "JIT_GRANT" as const, grantId: { in: approved } } }] : [])] },
        data: { reviewerId: fallbackId, reviewerReason: `Escalated to the fallback reviewer: overdue since ${c.dueAt.toISOString()}`, draftDecision: null, draftRole: null, draftJustification: null, draftAt: null },
      });
      count = r.count;
    }
    await tx.reviewCampaign.update({ where: { id: campaignId }, data: { escalatedAt: now } });
    await appendAudit(tx, { actor: { type: "system", job: REVIEW_TICK_JOB }, action: "review.escalated", target: { type: "review_campaign", id: campaignId }, after: { to: fallbackId, items: count, fallbackActive: fallback?.status === "ACTIVE" } });
    return count;
  });
  if (moved) {
    const c = await db.reviewCampaign.findUniqueOrThrow({ where: { id: campaignId }, select: { id: true, name: true, dueAt: true } });
    await remind(db, c, fallbackId, "ESCALATED", moved, now);
  }
  return moved;
}

export const REVIEW_TICK_JOB = "reviews.tick";
