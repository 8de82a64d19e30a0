import "server-only";
import { can } from "@/lib/auth/access";
import { AuthenticationError, AuthorizationError } from "@/lib/auth/errors";
import type { Actor } from "@/lib/auth/session";
import type { Db } from "@/lib/db";
import { getDb } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { batchPreview, type BatchPreview, type ChangeRow } from "./preview";

/**
 * Reads for the admin pages (the data-access layer): each call authorizes `change.read` (Admins, Auditors).
 */

function requireRead(actor: Actor | null): void {
  if (!actor) throw new AuthenticationError();
  if (!can(actor, "change.read")) throw new AuthorizationError("You don't have access to the change queue.");
}

export interface ChangeQueue {
  pending: ChangeRow[];
  inFlight: ChangeRow[];
  failing: ChangeRow[];
  scheduled: ChangeRow[];
  unverified: ChangeRow[];
  recent: ChangeRow[];
  heldBatches: BatchPreview[];
}

const ROW_SELECT = {
  id: true,
  kind: true,
  status: true,
  targetLabel: true,
  causeKind: true,
  causeId: true,
  requestedByLabel: true,
  runAt: true,
  attempts: true,
  lastErrorMessage: true,
  suggestedFix: true,
  coverageWarning: true,
  overrideReason: true,
  createdAt: true,
  updatedAt: true,
  batchId: true,
} as const;

export async function changeQueue(actor: Actor | null, db?: Db): Promise<ChangeQueue> {
  requireRead(actor);
  const d = db ?? (await getDb());
  const list = (where: Prisma.ChangeRequestWhereInput, take = 100) => d.changeRequest.findMany({ where, select: ROW_SELECT, orderBy: { seq: "asc" }, take });
  const [pending, inFlight, failing, scheduled, unverified, recent, held] = await Promise.all([
    list({ status: "PENDING" }),
    list({ status: { in: ["APPLYING", "APPLIED"] } }),
    list({ OR: [{ status: "FAILED" }, { status: "APPLYING", lastErrorMessage: { not: null } }] }),
    list({ status: "SCHEDULED" }),
    list({ status: "UNVERIFIED" }),
    d.changeRequest.findMany({ where: { status: { in: ["VERIFIED", "CANCELLED"] } }, select: ROW_SELECT, orderBy: { updatedAt: "desc" }, take: 25 }),
    d.changeBatch.findMany({ where: { status: "HELD" }, orderBy: { createdAt: "asc" }, select: { id: true } }),
  ]);
  const heldBatches = await Promise.all(held.map((b) => batchPreview(d, b.id)));
  return { pending, inFlight, failing, scheduled, unverified, recent, heldBatches: heldBatches.filter((b): b is BatchPreview => b !== null) };
}

export async function changeDetail(actor: Actor | null, changeId: string, db?: Db) {
  requireRead(actor);
  if (!/^[0-9a-f-]{36}$/.test(changeId)) return null;
  const d = db ?? (await getDb());
  return d.changeRequest.findUnique({ where: { id: changeId }, include: { events: { orderBy: { at: "asc" } }, batch: true } });
}

export async function previewBatch(actor: Actor | null, batchId: string, db?: Db): Promise<BatchPreview | null> {
  requireRead(actor);
  if (!/^[0-9a-f-]{36}$/.test(batchId)) return null;
  return batchPreview(db ?? (await getDb()), batchId);
}


export interface ChangeCounters {
  unverified: number;
  failed: number;
  heldBatches: number;
}

/** For the dashboard: changes that need a person (applied but never confirmed, failed) and held batches. */
export async function changeCounters(actor: Actor | null, db?: Db): Promise<ChangeCounters> {
  requireRead(actor);
  const d = db ?? (await getDb());
  const [unverified, failed, heldBatches] = await Promise.all([
    d.changeRequest.count({ where: { status: "UNVERIFIED" } }),
    d.changeRequest.count({ where: { status: "FAILED" } }),
    d.changeBatch.count({ where: { status: "HELD" } }),
  ]);
  return { unverified, failed, heldBatches };
}
