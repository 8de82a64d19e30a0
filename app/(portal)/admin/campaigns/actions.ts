"use server";

import { revalidatePath } from "next/cache";
import { defineAction, type ActionResult } from "@/lib/auth/action";
import { getDb } from "@/lib/db";
import { reassignItems as reassign } from "@/lib/reviews/assign";
import { closeCampaign as close, createCampaign as create, forceCloseCampaign as forceClose, launchCampaign as launch, setReviewOwner as setOwner } from "@/lib/reviews/campaigns";
import { closeCampaignInput, createCampaignInput, forceCloseCampaignInput, launchCampaignInput, reassignInput, setReviewOwnerInput } from "@/lib/reviews/schemas";
import type { LaunchResult } from "@/lib/reviews/types";

const createAction = defineAction({ name: "campaigns.create", input: createCampaignInput, permission: "campaign.manage", run: async ({ actor, input }) => create(await getDb(), actor, input), message: "Campaign saved as a draft: launch it to freeze its population." });
const launchAction = defineAction({
  name: "campaigns.launch",
  input: launchCampaignInput,
  permission: "campaign.manage",
  run: async ({ actor, input }) => launch(await getDb(), actor, input),
  message: (r: LaunchResult) => `Launched: ${r.itemCount} item(s) frozen (SHA-256 ${r.sha256.slice(0, 12)}…).`,
});
const closeAction = defineAction({ name: "campaigns.close", input: closeCampaignInput, permission: "campaign.manage", run: async ({ actor, input }) => close(await getDb(), actor, input), message: "Campaign closed: its evidence is now locked." });
const forceCloseAction = defineAction({ name: "campaigns.forceClose", input: forceCloseCampaignInput, permission: "campaign.manage", run: async ({ actor, input }) => forceClose(await getDb(), actor, input), message: ({ exceptions }) => `Campaign force-closed with ${exceptions} exception(s); its evidence is now locked.` });
const reassignAction = defineAction({ name: "campaigns.reassign", input: reassignInput, permission: "campaign.manage", run: async ({ actor, input }) => reassign(await getDb(), actor, input, true), message: ({ count }) => `${count} item(s) reassigned.` });
const ownerAction = defineAction({ name: "campaigns.setReviewOwner", input: setReviewOwnerInput, permission: "campaign.manage", run: async ({ actor, input }) => setOwner(await getDb(), actor, input), message: "Review owner saved." });

function done<T>(result: ActionResult<T>): ActionResult<T> {
  if (result.ok) {
    revalidatePath("/admin/campaigns", "layout");
    revalidatePath("/reviews", "layout");
  }
  return result;
}

/** A campaign definition (DRAFT): name, accounts, scope, reviewer policy, fallback, due date, recurrence. */
export async function createCampaign(raw: unknown): Promise<ActionResult<{ campaignId: string }>> {
  return done(await createAction(raw));
}

/** {campaignId, overrideReason?}: freezes the population; stale data needs a reason. */
export async function launchCampaign(raw: unknown): Promise<ActionResult<LaunchResult>> {
  return done(await launchAction(raw));
}

/** {campaignId}: completes a campaign whose items are all decided and remediated. */
export async function closeCampaign(raw: unknown): Promise<ActionResult<{ closed: true }>> {
  return done(await closeAction(raw));
}

/** {campaignId, reason}: closes now; undecided items and unverified remediation become exceptions. */
export async function forceCloseCampaign(raw: unknown): Promise<ActionResult<{ exceptions: number }>> {
  return done(await forceCloseAction(raw));
}

/** {campaignId, itemIds, toPersonId, reason}: an admin reassigns any undecided items. */
export async function reassignItems(raw: unknown): Promise<ActionResult<{ count: number }>> {
  return done(await reassignAction(raw));
}

/** {connectionId, subjectType, subjectRef, personId, owner?}: names (or removes) an owner of a team or base role. */
export async function setReviewOwner(raw: unknown): Promise<ActionResult<{ ok: true }>> {
  return done(await ownerAction(raw));
}
