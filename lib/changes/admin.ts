/**
 * What an admin does to the queue: approve or reject a held batch, retry or cancel a failed change, undo an
 * applied one. Each is one transaction with its audit event; the caller (a server action) has authorized
 * `change.manage`. Nothing here talks to PagerDuty: approval and retry only make changes runnable again.
 */
import { appendAudit, type AuditActor } from "@/lib/audit";
import { DomainError, NotFoundError } from "@/lib/auth/errors";
import type { Actor } from "@/lib/auth/session";
import type { Db, Tx } from "@/lib/db";
import type { ChangeStatus } from "@/lib/generated/prisma/client";
import { batchCausers, selfApprovalRefusal } from "./causers";
import { createChanges, type CoverageDecision, type CreatedChanges } from "./create";
import { event, releaseNext } from "./execute";
import { pipelineOptions } from "./options";
import { lockOrderingKey } from "./queue";
import type { ChangeSpec, Desired, Prior } from "./types";

const personActor = (actor: Actor): AuditActor => ({ type: "person", id: actor.personId, label: actor.email });

async function lockBatch(tx: Tx, batchId: string) {
  await tx.$queryRaw`SELECT "id" FROM "ChangeBatch" WHERE "id" = ${batchId} FOR UPDATE`;
  const batch = await tx.changeBatch.findUnique({ where: { id: batchId } });
  if (!batch) throw new NotFoundError("No such change batch: check the id on the change queue. Nothing was changed.");
  return batch;
}

async function releaseKeys(tx: Tx, keys: Iterable<string>) {
  for (const key of new Set(keys)) {
    await lockOrderingKey(tx, key);
    await releaseNext(tx, key);
  }
}

/**
 * Separation of duties: nobody approves a held batch that their own decision caused (their review
 * decisions, their request). Refused with a message; the refused attempt is audited, nothing else changes.
 */
export async function approveBatch(db: Db, actor: Actor, input: { batchId: string; reason?: string }) {
  let refused: { batch: { id: string; connectionId: string }; message: string } | null = null;
  const result = await db.$transaction(async (tx) => {
    const batch = await lockBatch(tx, input.batchId);
    if (batch.status !== "HELD") throw new DomainError(`This batch is not waiting for approval (it is ${batch.status.toLowerCase()}). Nothing was changed.`);
    const refusal = selfApprovalRefusal(await batchCausers(tx, batch), actor.personId);
    if (refusal) {
      refused = { batch, message: refusal };
      return null;
    }
    const now = new Date();
    await tx.changeBatch.update({ where: { id: batch.id }, data: { status: "APPROVED", decidedById: actor.personId, decidedAt: now, decisionReason: input.reason ?? null } });
    const held = await tx.changeRequest.findMany({ where: { batchId: batch.id, status: "HELD" }, select: { id: true, runAt: true, orderingKey: true } });
    for (const c of held) {
      const to: ChangeStatus = c.runAt && c.runAt.getTime() > pipelineOptions().now() ? "SCHEDULED" : "PENDING";
      await tx.changeRequest.update({ where: { id: c.id }, data: { status: to } });
      await event(tx, c.id, "HELD", to, `Batch approved by ${actor.email}${input.reason ? `: ${input.reason}` : ""}`, undefined, actor.email);
    }
    await releaseKeys(tx, held.map((c) => c.orderingKey));
    await appendAudit(tx, { actor: personActor(actor), action: "change.batch_approved", target: { type: "change_batch", id: batch.id }, accountId: batch.connectionId, before: { status: "HELD", heldReason: batch.heldReason }, after: { status: "APPROVED", changes: held.length }, reason: input.reason ?? null });
    return { batchId: batch.id, released: held.length };
  });
  if (result) return result;
  const { batch, message } = refused!;
  await db.$transaction((tx) => appendAudit(tx, { actor: personActor(actor), action: "change.batch_approval_refused", target: { type: "change_batch", id: batch.id }, accountId: batch.connectionId, after: { status: "HELD" }, reason: message }));
  throw new DomainError(message);
}

/** Rejecting cancels every held change of the batch: PagerDuty is not touched. */
export async function rejectBatch(db: Db, actor: Actor, input: { batchId: string; reason: string }) {
  return db.$transaction(async (tx) => {
    const batch = await lockBatch(tx, input.batchId);
    if (batch.status !== "HELD") throw new DomainError(`This batch is not waiting for approval (it is ${batch.status.toLowerCase()}). Nothing was changed.`);
    const now = new Date();
    await tx.changeBatch.update({ where: { id: batch.id }, data: { status: "REJECTED", decidedById: actor.personId, decidedAt: now, decisionReason: input.reason } });
    const held = await tx.changeRequest.findMany({ where: { batchId: batch.id, status: "HELD" }, select: { id: true, orderingKey: true } });
    await tx.changeRequest.updateMany({ where: { id: { in: held.map((c) => c.id) } }, data: { status: "CANCELLED" } });
    for (const c of held) await event(tx, c.id, "HELD", "CANCELLED", `Batch rejected by ${actor.email}: ${input.reason}`, undefined, actor.email);
    await releaseKeys(tx, held.map((c) => c.orderingKey));
    await appendAudit(tx, { actor: personActor(actor), action: "change.batch_rejected", target: { type: "change_batch", id: batch.id }, accountId: batch.connectionId, before: { status: "HELD", heldReason: batch.heldReason }, after: { status: "REJECTED", cancelled: held.length }, reason: input.reason });
    return { batchId: batch.id, cancelled: held.length };
  });
}

async function lockChange(tx: Tx, changeId: string) {
  const head = await tx.changeRequest.findUnique({ where: { id: changeId }, select: { orderingKey: true } });
  if (!head) throw new NotFoundError("No such change: check the id on the change queue. Nothing was changed.");
  await lockOrderingKey(tx, head.orderingKey);
  return tx.changeRequest.findUniqueOrThrow({ where: { id: changeId } });
}

/** A failed change runs again (it reads PagerDuty first, so a write that did land is not repeated). */
export async function retryChange(db: Db, actor: Actor, input: { changeId: string }) {
  return db.$transaction(async (tx) => {
    const change = await lockChange(tx, input.changeId);
    if (change.status !== "FAILED") throw new DomainError(`Only a failed change can be retried; this one is ${change.status.toLowerCase()}. Nothing was changed.`);
    await tx.changeRequest.update({ where: { id: change.id }, data: { status: "PENDING", runAt: null } });
    await event(tx, change.id, "FAILED", "PENDING", `Retry requested by ${actor.email}`, undefined, actor.email);
    await releaseNext(tx, change.orderingKey);
    await appendAudit(tx, { actor: personActor(actor), action: "change.retried", target: { type: "change_request", id: change.id }, accountId: change.connectionId, before: { status: "FAILED", error: change.lastErrorMessage }, after: { status: "PENDING" } });
    return { changeId: change.id };
  });
}

const CANCELLABLE: readonly ChangeStatus[] = ["FAILED", "PENDING", "SCHEDULED"];

export async function cancelChange(db: Db, actor: Actor, input: { changeId: string; reason: string }) {
  return db.$transaction(async (tx) => {
    const change = await lockChange(tx, input.changeId);
    if (!CANCELLABLE.includes(change.status)) {
      throw new DomainError(`A ${change.status.toLowerCase()} change cannot be cancelled${change.status === "HELD" ? ": approve or reject its batch" : ""}. Nothing was changed.`);
    }
    await tx.changeRequest.update({ where: { id: change.id }, data: { status: "CANCELLED" } });
    await event(tx, change.id, change.status, "CANCELLED", `Cancelled by ${actor.email}: ${input.reason}`, undefined, actor.email);
    await releaseNext(tx, change.orderingKey);
    await appendAudit(tx, { actor: personActor(actor), action: "change.cancelled", target: { type: "change_request", id: change.id }, accountId: change.connectionId, before: { status: change.status }, after: { status: "CANCELLED" }, reason: input.reason });
    return { changeId: change.id };
  });
}

/** The change that puts back what `desired` replaced, from the prior state recorded at creation. */
export function inverseOf(desired: Desired, prior: Prior | null, createdUserId: string | null): ChangeSpec {
  const p = (prior ?? {}) as Record<string, unknown>;
  switch (desired.kind) {
    case "TEAM_MEMBER_PUT":
      if (p.member === true && typeof p.role === "string") return { kind: "team_member_put", teamId: desired.teamId, userId: desired.userId, role: p.role as "manager" };
      return { kind: "team_member_remove", teamId: desired.teamId, userId: desired.userId };
    case "TEAM_MEMBER_REMOVE":
      if (p.member === true && typeof p.role === "string") return { kind: "team_member_put", teamId: desired.teamId, userId: desired.userId, role: p.role as "manager" };
      throw new DomainError("Nothing to undo: the user was not a member of the team before this change.");
    case "USER_ROLE_CHANGE":
      if (typeof p.role === "string") return { kind: "user_role_change", userId: desired.userId, role: p.role as "user" };
      throw new DomainError("This change cannot be undone: the user's previous base role was not known when it was made.");
    case "USER_CREATE":
      if (!createdUserId) throw new DomainError("This change cannot be undone: PagerDuty's id for the created user is not known.");
      return { kind: "user_delete", userId: createdUserId };
    case "USER_DELETE": {
      const user = p.user as { name: string; email: string; role: string; licenseId: string | null } | undefined;
      if (!user) throw new DomainError("This change cannot be undone: the deleted user's details were not known when it was made.");
      // PagerDuty gives a re-created user a new id; team memberships are restored by separate changes.
      return { kind: "user_create", name: user.name, email: user.email, role: user.role as "user", ...(user.licenseId ? { licenseId: user.licenseId } : {}) };
    }
    case "USER_SIGN_OUT":
      throw new DomainError("A sign-out cannot be undone: the person signs in again.");
  }
}

/** Undo: a new change restoring the prior state, through the same pipeline (and the same checks). */
export async function undoChange(db: Db, actor: Actor, input: { changeId: string; reason: string; coverage?: CoverageDecision }): Promise<CreatedChanges> {
  return db.$transaction(async (tx) => {
    const change = await tx.changeRequest.findUnique({ where: { id: input.changeId } });
    if (!change) throw new NotFoundError("No such change: check the id on the change queue. Nothing was changed.");
    if (change.status !== "VERIFIED" && change.status !== "UNVERIFIED") throw new DomainError(`Only an applied change can be undone; this one is ${change.status.toLowerCase()}.`);
    const spec = inverseOf(change.desired as unknown as Desired, change.prior as Prior | null, change.userPdId);
    const created = await createChanges(tx, {
      connectionId: change.connectionId,
      cause: { kind: "undo", id: change.id },
      requestedBy: { type: "person", id: actor.personId, label: actor.email },
      changes: [{ spec, idempotencyKey: `undo:${change.id}`, undoOfId: change.id }],
      coverage: input.coverage,
    });
    await appendAudit(tx, { actor: personActor(actor), action: "change.undo_requested", target: { type: "change_request", id: change.id }, accountId: change.connectionId, after: { undoChangeIds: created.changes.map((c) => c.id), spec }, reason: input.reason });
    return created;
  });
}
