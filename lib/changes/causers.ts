/**
 * Separation of duties for the brake: the people whose own decision caused a batch. None of them may
 * approve it when it is held (an admin whose review decisions produced a remediation batch, whoever
 * requested an admin action or an undo). Plain reads on the batch's cause; authorization is the caller's.
 */
import type { DbOrTx } from "@/lib/db";

export interface BatchCauser {
  personId: string;
  /** Why they count as a cause, in words ("submitted the review decisions that produced it"). */
  why: string;
}

export async function batchCausers(db: DbOrTx, batch: { id: string; causeKind: string; causeId: string }): Promise<BatchCauser[]> {
  const out = new Map<string, string>();
  const add = (personId: string | null | undefined, why: string) => {
    if (personId && !out.has(personId)) out.set(personId, why);
  };
  const changes = await db.changeRequest.findMany({ where: { batchId: batch.id }, select: { id: true, requestedByType: true, requestedById: true } });
  for (const c of changes) if (c.requestedByType === "person") add(c.requestedById, "requested these changes");
  if (batch.causeKind === "REVIEW_DECISION") {
    const submission = await db.reviewSubmission.findUnique({ where: { id: batch.causeId }, select: { reviewerId: true } });
    add(submission?.reviewerId, "submitted the review decisions that produced it");
    // Every step's decider of the items remediated by this batch (a step-1 reviewer caused it too).
    const items = await db.reviewItem.findMany({ where: { changeId: { in: changes.map((c) => c.id) } }, select: { id: true } });
    if (items.length) {
      const deciders = await db.reviewDecision.findMany({ where: { itemId: { in: items.map((i) => i.id) } }, select: { reviewerId: true, step: true }, distinct: ["reviewerId"] });
      for (const d of deciders) add(d.reviewerId, `decided step ${d.step} of review items it remediates`);
    }
  }
  return [...out].map(([personId, why]) => ({ personId, why }));
}

/** Why `personId` may not approve this batch (null: they may). */
export function selfApprovalRefusal(causers: readonly BatchCauser[], personId: string): string | null {
  const own = causers.find((c) => c.personId === personId);
  return own ? `You cannot approve this batch: you ${own.why}. Separation of duties: another administrator must approve it (you may still reject it).` : null;
}
