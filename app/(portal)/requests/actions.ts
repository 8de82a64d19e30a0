"use server";

import { revalidatePath } from "next/cache";
import { bulkApprove as bulk, decideRequest as decide, type BulkOutcome, type DecideOutcome } from "@/lib/access/decide";
import { cancelRequest as cancel, createRequest as create, extendRequest as extend, returnAccess as giveBack } from "@/lib/access/requests";
import { bulkApproveInput, createRequestInput, decideInput, extendRequestInput, requestRefInput } from "@/lib/access/schemas";
import { defineAction, type ActionResult } from "@/lib/auth/action";
import { getDb } from "@/lib/db";

// Every action re-checks on the server: defineAction authenticates, validates and checks the permission;
// the domain (lib/access) checks the rest (own request, the policy, separation of duties) in its transaction.
const createAction = defineAction({
  name: "access.createRequest",
  input: createRequestInput,
  permission: "access.request",
  run: async ({ actor, input }) => create(await getDb(), actor, input),
  message: ({ number }) => `Request REQ-${number} sent: its approvers are notified. Follow it on its page.`,
});
const extendAction = defineAction({
  name: "access.extendRequest",
  input: extendRequestInput,
  permission: "access.request",
  run: async ({ actor, input }) => extend(await getDb(), actor, input),
  message: ({ status }) => (status === "PENDING" ? "Extension requested: it waits for approval." : "Extension granted: the new end is shown on the request."),
});
const cancelAction = defineAction({ name: "access.cancelRequest", input: requestRefInput, permission: "access.request", run: async ({ actor, input }) => cancel(await getDb(), actor, input), message: "Request withdrawn." });
const returnAction = defineAction({
  name: "access.returnAccess",
  input: requestRefInput,
  permission: "access.request",
  run: async ({ actor, input }) => giveBack(await getDb(), actor, input),
  message: "Access given back: it is removed in PagerDuty and verified there, and your previous state is restored.",
});
const decideAction = defineAction({
  name: "access.decideRequest",
  input: decideInput,
  permission: "access.approve",
  run: async ({ actor, input }) => decide(await getDb(), actor, input),
  message: (d: DecideOutcome) =>
    d.status === "denied" ? `REQ-${d.number} denied; the requester is told.` : d.status === "approved" ? `REQ-${d.number} approved: the access is granted in PagerDuty and verified there.` : `REQ-${d.number}: your approval is recorded (${d.approvals} of ${d.approvalsNeeded}); it waits for another approver.`,
});
const bulkAction = defineAction({
  name: "access.bulkApprove",
  input: bulkApproveInput,
  permission: "access.approve",
  run: async ({ actor, input }) => bulk(await getDb(), actor, input),
  message: (b: BulkOutcome) => (b.secondLook ? "Take a second look before approving." : `${b.decided.length} request(s) approved.`),
});

function done<T>(result: ActionResult<T>): ActionResult<T> {
  if (result.ok) {
    revalidatePath("/requests", "layout");
    revalidatePath("/access");
  }
  return result;
}

/** {itemId, durationMinutes, reason, ticket?}: asks for an item of the catalog under its current policy. */
export async function createRequest(raw: unknown): Promise<ActionResult<{ requestId: string; number: number }>> {
  return done(await createAction(raw));
}

/** {requestId, minutes, reason}: moves the end of live access (within the policy's maximum in all). */
export async function extendRequest(raw: unknown): Promise<ActionResult<{ requestId: string; status: string }>> {
  return done(await extendAction(raw));
}

/** {requestId, reason?}: withdraws one's own pending request. */
export async function cancelRequest(raw: unknown): Promise<ActionResult<void>> {
  return done(await cancelAction(raw));
}

/** {requestId, reason?}: gives live access back early (the prior state is restored through the pipeline). */
export async function returnAccess(raw: unknown): Promise<ActionResult<{ outcome: string }>> {
  return done(await returnAction(raw));
}

/** {requestId, decision: "approve"|"deny", comment?}: an approver's decision (separation of duties checked). */
export async function decideRequest(raw: unknown): Promise<ActionResult<DecideOutcome>> {
  return done(await decideAction(raw));
}

/** {requestIds, comment?, acknowledged?}: approves several at once, after a second look when many. */
export async function bulkApprove(raw: unknown): Promise<ActionResult<BulkOutcome>> {
  return done(await bulkAction(raw));
}
