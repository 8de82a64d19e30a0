"use server";

import { revalidatePath } from "next/cache";
import { defineAction, type ActionResult } from "@/lib/auth/action";
import { approveBatch, cancelChange, rejectBatch, retryChange, undoChange } from "@/lib/changes";
import { approveBatchInput, cancelChangeInput, rejectBatchInput, retryChangeInput, undoChangeInput } from "@/lib/changes/schemas";
import { getDb } from "@/lib/db";

const approveAction = defineAction({
  name: "changes.approveBatch",
  input: approveBatchInput,
  permission: "change.manage",
  run: async ({ actor, input }) => approveBatch(await getDb(), actor, input),
  message: ({ released }) => `Approved: ${released === 1 ? "1 change runs" : `${released} changes run`} now (or at their scheduled time).`,
});

const rejectAction = defineAction({
  name: "changes.rejectBatch",
  input: rejectBatchInput,
  permission: "change.manage",
  run: async ({ actor, input }) => rejectBatch(await getDb(), actor, input),
  message: ({ cancelled }) => `Rejected: ${cancelled === 1 ? "1 change was" : `${cancelled} changes were`} cancelled. Nothing was sent to PagerDuty.`,
});

const retryAction = defineAction({
  name: "changes.retry",
  input: retryChangeInput,
  permission: "change.manage",
  run: async ({ actor, input }) => retryChange(await getDb(), actor, input),
  message: "Queued again. PagerDuty is read first, so a write that did land is not repeated.",
});

const cancelAction = defineAction({
  name: "changes.cancel",
  input: cancelChangeInput,
  permission: "change.manage",
  run: async ({ actor, input }) => cancelChange(await getDb(), actor, input),
  message: "Cancelled. Later changes for the same user may run now.",
});

const undoAction = defineAction({
  name: "changes.undo",
  input: undoChangeInput,
  permission: "change.manage",
  run: async ({ actor, input }) =>
    undoChange(await getDb(), actor, {
      changeId: input.changeId,
      reason: input.reason,
      coverage: input.coverage === "now" ? { mode: "now", reason: input.reason } : input.coverage === "after_shift" ? { mode: "after_shift" } : undefined,
    }),
  message: (created) => (created.held ? `Undo requested and held for approval: ${created.heldReason}` : "Undo requested: it runs through the pipeline and is verified like any change."),
});

function done<T>(result: ActionResult<T>): ActionResult {
  if (!result.ok) return result;
  revalidatePath("/admin/changes");
  return result.message === undefined ? { ok: true, data: undefined } : { ok: true, data: undefined, message: result.message };
}

/** {batchId, reason?}: a held batch runs. */
export async function approveChangeBatch(raw: unknown): Promise<ActionResult> {
  return done(await approveAction(raw));
}

/** {batchId, reason}: every held change of the batch is cancelled; PagerDuty is not touched. */
export async function rejectChangeBatch(raw: unknown): Promise<ActionResult> {
  return done(await rejectAction(raw));
}

/** {changeId}: a failed change runs again. */
export async function retryFailedChange(raw: unknown): Promise<ActionResult> {
  return done(await retryAction(raw));
}

/** {changeId, reason}: a failed, pending or scheduled change is cancelled. */
export async function cancelQueuedChange(raw: unknown): Promise<ActionResult> {
  return done(await cancelAction(raw));
}

/** {changeId, reason, coverage?}: a new change restoring what an applied change replaced. */
export async function undoAppliedChange(raw: unknown): Promise<ActionResult> {
  return done(await undoAction(raw));
}
