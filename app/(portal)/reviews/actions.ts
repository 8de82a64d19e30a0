"use server";

import { revalidatePath } from "next/cache";
import { defineAction, type ActionResult } from "@/lib/auth/action";
import { getDb } from "@/lib/db";
import { delegateReviews as delegate, reassignItems, revokeDelegation as revoke } from "@/lib/reviews/assign";
import { bulkDecide as bulk, clearDrafts as clear, saveDrafts as save, submitDecisions as submit } from "@/lib/reviews/decisions";
import { markRemindersRead as markRead } from "@/lib/reviews/reminders";
import { bulkDecideInput, clearDraftsInput, delegateInput, markRemindersReadInput, reassignInput, revokeDelegationInput, saveDraftsInput, submitDecisionsInput } from "@/lib/reviews/schemas";
import type { SubmitResult } from "@/lib/reviews/types";

const saveAction = defineAction({ name: "reviews.saveDrafts", input: saveDraftsInput, permission: "review.decide", run: async ({ actor, input }) => save(await getDb(), actor, input), message: ({ saved }) => `${saved} draft decision(s) saved. Submit them when you are done.` });
const clearAction = defineAction({ name: "reviews.clearDrafts", input: clearDraftsInput, permission: "review.decide", run: async ({ actor, input }) => clear(await getDb(), actor, input) });
const bulkAction = defineAction({ name: "reviews.bulkDecide", input: bulkDecideInput, permission: "review.decide", run: async ({ actor, input }) => bulk(await getDb(), actor, input), message: ({ saved }) => `${saved} item(s) decided as drafts. Submit them when you are done.` });
const submitAction = defineAction({
  name: "reviews.submitDecisions",
  input: submitDecisionsInput,
  permission: "review.decide",
  run: async ({ actor, input }) => submit(await getDb(), actor, input),
  message: (r: SubmitResult) => (r.submitted ? `${r.count} decision(s) submitted${r.remediations ? `; ${r.remediations} change(s) sent to the write-back pipeline` : ""}.` : "Take a second look before submitting."),
});
const delegateAction = defineAction({ name: "reviews.delegate", input: delegateInput, permission: "review.decide", run: async ({ actor, input }) => delegate(await getDb(), actor, input), message: "Delegation saved: your delegate can decide your reviews in that window." });
const revokeAction = defineAction({ name: "reviews.revokeDelegation", input: revokeDelegationInput, permission: "review.decide", run: async ({ actor, input }) => revoke(await getDb(), actor, input), message: "Delegation ended." });
const reassignAction = defineAction({ name: "reviews.reassignMine", input: reassignInput, permission: "review.decide", run: async ({ actor, input }) => reassignItems(await getDb(), actor, input, false), message: ({ count }) => `${count} item(s) reassigned.` });
const remindersAction = defineAction({ name: "reviews.markRemindersRead", input: markRemindersReadInput, permission: "review.read", run: async ({ actor, input }) => markRead(await getDb(), actor, input) });

function done<T>(result: ActionResult<T>): ActionResult<T> {
  if (result.ok) revalidatePath("/reviews", "layout");
  return result;
}

/** {campaignId, decisions:[{itemId, decision, role?, justification?}]}: drafts, not yet submitted. */
export async function saveDrafts(raw: unknown): Promise<ActionResult<{ saved: number }>> {
  return done(await saveAction(raw));
}

/** {campaignId, itemIds}: forget the drafts of these items. */
export async function clearDrafts(raw: unknown): Promise<ActionResult<{ cleared: number }>> {
  return done(await clearAction(raw));
}

/** {campaignId, itemIds, decision, role?, justification?}: the same draft decision for many items. */
export async function bulkDecide(raw: unknown): Promise<ActionResult<{ saved: number }>> {
  return done(await bulkAction(raw));
}

/** {campaignId, itemIds?, acknowledgeRubberStamp?}: submits drafts (or asks for a second look first). */
export async function submitDecisions(raw: unknown): Promise<ActionResult<SubmitResult>> {
  return done(await submitAction(raw));
}

/** {toPersonId, startsAt, endsAt, reason, fromPersonId?}: a time-bound delegation while away. */
export async function delegateReviews(raw: unknown): Promise<ActionResult<{ delegationId: string }>> {
  return done(await delegateAction(raw));
}

/** {delegationId}: ends a delegation now. */
export async function revokeDelegation(raw: unknown): Promise<ActionResult<{ ok: true }>> {
  return done(await revokeAction(raw));
}

/** {campaignId, itemIds, toPersonId, reason}: a reviewer hands their items on. */
export async function reassignMyItems(raw: unknown): Promise<ActionResult<{ count: number }>> {
  return done(await reassignAction(raw));
}

/** {reminderIds}: in-app reminders read. */
export async function markRemindersRead(raw: unknown): Promise<ActionResult<{ count: number }>> {
  return done(await remindersAction(raw));
}
