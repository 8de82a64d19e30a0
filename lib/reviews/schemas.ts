/**
 * Input of every review command (server actions validate with these before anything runs; lib/reviews
 * functions take the parsed values).
 */
import { z } from "zod";
import { text } from "@/lib/validation/text";
import { PD_TEAM_ROLES, PD_USER_ROLES } from "@/lib/pagerduty";

const uuid = (field: string, what: string) => z.uuid({ error: `${field} must be the id of ${what}.` });
const personId = (field: string) =>
  text({ error: `${field} must be a person's id.` })
    .trim()
    .min(1, `${field} must be a person's id.`)
    .max(64, `${field} must be a person's id.`)
    .regex(/^[A-Za-z0-9_-]+$/, `${field} must be a person's id.`);
const pdId = text().trim().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, "Not a PagerDuty id.");

export const reasonInput = text({ error: "A reason is required (text, 3–500 characters): it is recorded in the audit trail." })
  .trim()
  .min(3, "Give a reason of at least 3 characters.")
  .max(500, "Keep the reason under 500 characters.");

const justification = text().trim().max(2000, "Keep the justification under 2,000 characters.");
const decision = z.enum(["CERTIFY", "REVOKE", "MODIFY"], { error: 'decision must be "CERTIFY", "REVOKE" or "MODIFY".' });
const modifyRole = z.enum([...new Set<string>([...PD_USER_ROLES, ...PD_TEAM_ROLES])] as [string, ...string[]], { error: "role must be a PagerDuty base role or team role." });
const isoDate = (field: string) =>
  text({ error: `${field} must be a date and time (ISO 8601).` })
    .refine((s) => !Number.isNaN(Date.parse(s)), `${field} must be a date and time (ISO 8601).`)
    .transform((s) => new Date(s));

const step = z.strictObject({
  kind: z.enum(["team_managers", "owners", "manager", "people"], { error: 'A step is "team_managers", "owners", "manager" or "people".' }),
  personIds: z.array(personId("personIds[]")).max(50).optional(),
});

export const createCampaignInput = z
  .strictObject({
    name: text({ error: "name is required." }).trim().min(3, "Give the campaign a name of at least 3 characters.").max(120, "Keep the name under 120 characters."),
    description: text().trim().max(2000).default(""),
    connectionIds: z.array(text().trim().min(1).max(64)).min(1, "Choose at least one PagerDuty account.").max(20),
    scope: z.strictObject({
      kinds: z.array(z.enum(["BASE_ROLE", "TEAM_MEMBER", "SCHEDULE_MEMBER", "CREDENTIAL", "JIT_GRANT"], { error: 'A kind is "BASE_ROLE", "TEAM_MEMBER", "SCHEDULE_MEMBER", "CREDENTIAL" or "JIT_GRANT".' })).min(1, "Choose at least one kind of entitlement."),
      teamPdIds: z.array(pdId).max(500).optional(),
      roles: z.array(text().trim().min(1).max(40)).max(20).optional(),
      onlyDrift: z.boolean().optional(),
    }),
    policy: z.strictObject({ steps: z.array(step).min(1, "Give the first step's reviewer policy.").max(2, "At most two steps.") }),
    fallbackReviewerId: personId("fallbackReviewerId"),
    justifyHighRisk: z.boolean().default(false),
    dueAt: isoDate("dueAt"),
    recurrenceMonths: z.number().int().min(1).max(24).nullable().default(null),
  })
  .superRefine((v, ctx) => {
    v.policy?.steps?.forEach((s, i) => {
      if (s.kind === "people" && !s.personIds?.length) ctx.addIssue({ code: "custom", path: ["policy", "steps", i, "personIds"], message: "Name at least one reviewer for a \"people\" step." });
    });
  });

export const launchCampaignInput = z.strictObject({
  campaignId: uuid("campaignId", "a draft campaign"),
  /** Required when the synced data is stale or the last sync failed. */
  overrideReason: reasonInput.optional(),
});

const decisionItem = z.strictObject({
  itemId: uuid("itemId", "a review item"),
  decision,
  role: modifyRole.optional(),
  justification: justification.optional(),
});

export const saveDraftsInput = z.strictObject({
  campaignId: uuid("campaignId", "a campaign"),
  decisions: z.array(decisionItem).min(1, "Give at least one decision.").max(10_000, "At most 10,000 decisions at once."),
});

export const clearDraftsInput = z.strictObject({
  campaignId: uuid("campaignId", "a campaign"),
  itemIds: z.array(uuid("itemIds[]", "a review item")).min(1).max(10_000),
});

export const submitDecisionsInput = z.strictObject({
  campaignId: uuid("campaignId", "a campaign"),
  /** Default: every draft of mine in the campaign. */
  itemIds: z.array(uuid("itemIds[]", "a review item")).min(1).max(10_000).optional(),
  /** Confirms the batch after the rubber-stamp prompt. */
  acknowledgeRubberStamp: z.boolean().default(false),
});

export const bulkDecideInput = z.strictObject({
  campaignId: uuid("campaignId", "a campaign"),
  itemIds: z.array(uuid("itemIds[]", "a review item")).min(1, "Select at least one item.").max(10_000, "At most 10,000 items at once."),
  decision,
  role: modifyRole.optional(),
  justification: justification.optional(),
});

export const delegateInput = z
  .strictObject({
    toPersonId: personId("toPersonId"),
    /** Admins may set a delegation for someone else; default: the signed-in person. */
    fromPersonId: personId("fromPersonId").optional(),
    startsAt: isoDate("startsAt"),
    endsAt: isoDate("endsAt"),
    reason: reasonInput,
  })
  .refine((v) => !(v.startsAt instanceof Date && v.endsAt instanceof Date) || v.endsAt.getTime() > v.startsAt.getTime(), { path: ["endsAt"], message: "endsAt must be after startsAt." })
  .refine((v) => !(v.startsAt instanceof Date && v.endsAt instanceof Date) || v.endsAt.getTime() - v.startsAt.getTime() <= 90 * 86_400_000, { path: ["endsAt"], message: "A delegation lasts at most 90 days." });

export const revokeDelegationInput = z.strictObject({ delegationId: uuid("delegationId", "a delegation") });

export const reassignInput = z.strictObject({
  campaignId: uuid("campaignId", "a campaign"),
  itemIds: z.array(uuid("itemIds[]", "a review item")).min(1).max(10_000),
  toPersonId: personId("toPersonId"),
  reason: reasonInput,
});

export const closeCampaignInput = z.strictObject({ campaignId: uuid("campaignId", "an active campaign") });
export const forceCloseCampaignInput = z.strictObject({ campaignId: uuid("campaignId", "an active campaign"), reason: reasonInput });

export const setReviewOwnerInput = z.strictObject({
  connectionId: text().trim().min(1).max(64),
  subjectType: z.enum(["team", "role"], { error: 'subjectType must be "team" or "role".' }),
  subjectRef: text().trim().min(1).max(64),
  personId: personId("personId"),
  /** false: remove the owner. */
  owner: z.boolean().default(true),
});

/** Reviewer candidates: a bounded type-ahead (the caller's rights decide the fields; lib/reviews/candidates.ts). */
export const CANDIDATE_LIMIT = 20;
export const candidateQueryInput = z.strictObject({
  q: text({ error: "q is the text to search for." })
    .trim()
    .min(1, "Type at least one character of a name.")
    .max(100, "Search with at most 100 characters.")
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), "The search must not contain control characters."),
  limit: z.coerce.number({ error: "limit must be a number." }).int("limit must be a whole number.").min(1, "limit must be at least 1.").max(CANDIDATE_LIMIT, `limit must be at most ${CANDIDATE_LIMIT}.`).default(CANDIDATE_LIMIT),
});
export type CandidateQueryInput = z.infer<typeof candidateQueryInput>;

export const markRemindersReadInput = z.strictObject({ reminderIds: z.array(uuid("reminderIds[]", "a reminder")).min(1).max(500) });

export type CreateCampaignInput = z.infer<typeof createCampaignInput>;
export type LaunchCampaignInput = z.infer<typeof launchCampaignInput>;
export type SaveDraftsInput = z.infer<typeof saveDraftsInput>;
export type ClearDraftsInput = z.infer<typeof clearDraftsInput>;
export type SubmitDecisionsInput = z.infer<typeof submitDecisionsInput>;
export type BulkDecideInput = z.infer<typeof bulkDecideInput>;
export type DelegateInput = z.infer<typeof delegateInput>;
export type ReassignInput = z.infer<typeof reassignInput>;
export type SetReviewOwnerInput = z.infer<typeof setReviewOwnerInput>;
