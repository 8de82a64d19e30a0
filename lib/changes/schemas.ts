/**
 * Input of the admin operations on the change queue (server actions validate with these before anything runs).
 */
import { z } from "zod";
import { text } from "@/lib/validation/text";

const id = (field: string, what: string) =>
  z.uuid({ error: `${field} must be the id of ${what} (as shown on the change queue).` });

const reason = text({ error: "A reason is required (text, 3–500 characters): it is recorded in the audit trail." })
  .trim()
  .min(3, "Give a reason of at least 3 characters.")
  .max(500, "Keep the reason under 500 characters.");

export const approveBatchInput = z.strictObject({ batchId: id("batchId", "a held batch"), reason: reason.optional() });
export const rejectBatchInput = z.strictObject({ batchId: id("batchId", "a held batch"), reason });
export const retryChangeInput = z.strictObject({ changeId: id("changeId", "a failed change") });
export const cancelChangeInput = z.strictObject({ changeId: id("changeId", "a change"), reason });
export const undoChangeInput = z.strictObject({
  changeId: id("changeId", "an applied change"),
  reason,
  /** Only when undoing would leave an on-call gap: when to apply the undo. */
  coverage: z.enum(["after_shift", "now"], { error: 'coverage must be "after_shift" or "now".' }).optional(),
});

export type UndoChangeInput = z.infer<typeof undoChangeInput>;
