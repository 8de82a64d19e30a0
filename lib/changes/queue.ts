/**
 * How changes reach workers: one job per change (singleton per change id, so approving, retrying and the
 * sweep never run one change twice at once), enqueued in the transaction that makes the change runnable.
 */
import type { DbOrTx, Tx } from "@/lib/db";
import { enqueue } from "@/lib/jobs/queue";
import { Prisma } from "@/lib/generated/prisma/client";

export const APPLY_CHANGE_JOB = "changes.apply";
export const SWEEP_CHANGES_JOB = "changes.sweep";

export function enqueueApply(db: DbOrTx, changeId: string, runAt?: Date) {
  return enqueue(db, APPLY_CHANGE_JOB, { changeId }, { singletonKey: `change:${changeId}`, runAt });
}

/**
 * Serialises everything that decides "may this change run now?" for one ordering key, across processes:
 * a transaction-scoped advisory lock, released at commit.
 */
export async function lockOrderingKey(tx: Tx, key: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`;
}

/**
 * The head of every ordering key that should be moving gets a job if it has none: a SCHEDULED change
 * whose time has come (by the pipeline's clock), and, as a safety net, one left PENDING or mid-flight for
 * over `staleMs` (its job lost with a crashed worker, or given up). Returns how many were enqueued.
 */
export async function sweepChanges(tx: Tx, now: Date, staleMs = 60_000): Promise<number> {
  const heads = await tx.$queryRaw<{ id: string }[]>`
    SELECT DISTINCT ON ("orderingKey") "id"
    FROM "ChangeRequest"
    WHERE "status" IN ('PENDING', 'SCHEDULED', 'APPLYING', 'APPLIED', 'FAILED', 'HELD')
    ORDER BY "orderingKey", "seq"`;
  const candidates = await tx.changeRequest.findMany({
    where: {
      id: { in: heads.map((h) => h.id) },
      OR: [
        { status: "SCHEDULED", runAt: { lte: now } },
        { status: { in: ["PENDING", "APPLYING", "APPLIED"] }, updatedAt: { lt: new Date(Date.now() - staleMs) } },
      ],
    },
    select: { id: true },
  });
  let enqueued = 0;
  for (const c of candidates) {
    const job = await enqueueApply(tx, c.id);
    if (job.created) enqueued++;
  }
  return enqueued;
}

export const jsonOrNull = (value: unknown) => (value === null || value === undefined ? Prisma.DbNull : (value as Prisma.InputJsonValue));
