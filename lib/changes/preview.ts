/**
 * A batch, change by change, before it runs: what each change will make PagerDuty show, what it showed
 * before, coverage warnings, and why the brake held it. Plain reads; authorization is the caller's.
 */
import type { DbOrTx } from "@/lib/db";
import { batchCausers, type BatchCauser } from "./causers";
import type { ChangeBatchStatus, ChangeCauseKind, ChangeKind, ChangeStatus } from "@/lib/generated/prisma/client";

export interface ChangeRow {
  id: string;
  kind: ChangeKind;
  status: ChangeStatus;
  targetLabel: string;
  causeKind: ChangeCauseKind;
  causeId: string;
  requestedByLabel: string;
  runAt: Date | null;
  attempts: number;
  lastErrorMessage: string | null;
  suggestedFix: string | null;
  coverageWarning: unknown;
  overrideReason: string | null;
  createdAt: Date;
  updatedAt: Date;
  batchId: string;
}

export interface BatchPreview {
  id: string;
  connectionId: string;
  status: ChangeBatchStatus;
  causeKind: ChangeCauseKind;
  causeId: string;
  heldReason: string | null;
  usersTouched: number;
  deletions: number;
  accountUsers: number;
  createdAt: Date;
  changes: (ChangeRow & { desired: unknown; prior: unknown })[];
  /** Whose own decision caused the batch: none of them may approve it (separation of duties). */
  causedBy: BatchCauser[];
}

export async function batchPreview(db: DbOrTx, batchId: string): Promise<BatchPreview | null> {
  const batch = await db.changeBatch.findUnique({ where: { id: batchId } });
  if (!batch) return null;
  const [changes, causedBy] = await Promise.all([db.changeRequest.findMany({ where: { batchId }, orderBy: { seq: "asc" } }), batchCausers(db, batch)]);
  return {
    causedBy,
    id: batch.id,
    connectionId: batch.connectionId,
    status: batch.status,
    causeKind: batch.causeKind,
    causeId: batch.causeId,
    heldReason: batch.heldReason,
    usersTouched: batch.usersTouched,
    deletions: batch.deletions,
    accountUsers: batch.accountUsers,
    createdAt: batch.createdAt,
    changes: changes.map((c) => ({
      id: c.id,
      kind: c.kind,
      status: c.status,
      targetLabel: c.targetLabel,
      causeKind: c.causeKind,
      causeId: c.causeId,
      requestedByLabel: c.requestedByLabel,
      runAt: c.runAt,
      attempts: c.attempts,
      lastErrorMessage: c.lastErrorMessage,
      suggestedFix: c.suggestedFix,
      coverageWarning: c.coverageWarning,
      overrideReason: c.overrideReason,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
      batchId: c.batchId,
      desired: c.desired,
      prior: c.prior,
    })),
  };
}
