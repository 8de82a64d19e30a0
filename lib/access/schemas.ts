/** Inputs of just-in-time access, validated at every server action (zod; text() refuses unstorable text). */
import { z } from "zod";
import { PD_TEAM_ROLES, PD_USER_ROLES } from "@/lib/pagerduty";
import { text } from "@/lib/validation/text";
import { policyRulesSchema } from "./policy";

const id = text().trim().min(1, "Missing id.").max(64).regex(/^[A-Za-z0-9_-]+$/, "Not a valid id.");
const comment = text().trim().max(2000, "At most 2,000 characters.");

export const catalogItemInput = z.strictObject({
  connectionId: id,
  kind: z.enum(["TEAM_ROLE", "BASE_ROLE"]),
  teamPdId: id.optional(),
  role: z.union([z.enum(PD_TEAM_ROLES), z.enum(PD_USER_ROLES)]),
  fromRoles: z.array(z.enum(PD_USER_ROLES)).max(8).default([]),
  name: text().trim().min(1, "Give the item a name.").max(120),
  description: text().trim().max(1000).default(""),
  rules: policyRulesSchema,
  reason: text().trim().max(500).optional(),
});
export type CatalogItemInput = z.input<typeof catalogItemInput>;

export const updatePolicyInput = z.strictObject({
  itemId: id,
  /** The version the editor saw: a concurrent edit is refused instead of overwritten. */
  baseVersion: z.coerce.number().int().min(1),
  rules: policyRulesSchema,
  reason: text().trim().min(1, "Say why the policy changes (kept in its history).").max(500),
});

export const retireItemInput = z.strictObject({ itemId: id, retired: z.boolean(), reason: text().trim().min(1, "Give a reason.").max(500) });

export const groupInput = z.strictObject({ name: text().trim().min(1, "Name the group.").max(80), description: text().trim().max(500).default("") });
export const groupMemberInput = z.strictObject({ groupId: id, personId: id, add: z.boolean() });

export const createRequestInput = z.strictObject({
  itemId: id,
  durationMinutes: z.coerce.number({ error: "Give a duration in minutes." }).int("Whole minutes.").min(5, "At least 5 minutes.").max(60 * 24 * 30, "At most 30 days."),
  reason: text().trim().max(2000, "At most 2,000 characters.").default(""),
  ticket: text().trim().max(100).default(""),
});
export type CreateRequestInput = z.input<typeof createRequestInput>;

export const extendRequestInput = z.strictObject({
  requestId: id,
  minutes: z.coerce.number({ error: "Give the extra time in minutes." }).int("Whole minutes.").min(5, "At least 5 minutes.").max(60 * 24 * 30),
  reason: text().trim().max(2000).default(""),
});

export const requestRefInput = z.strictObject({ requestId: id, reason: text().trim().max(2000).default("") });

export const decideInput = z.strictObject({ requestId: id, decision: z.enum(["approve", "deny"]), comment: comment.default("") });

export const bulkApproveInput = z.strictObject({
  requestIds: z.array(id).min(1, "Select at least one request.").max(200, "At most 200 requests at once."),
  comment: comment.default(""),
  /** The approver confirmed the second look after a rubber-stamp warning. */
  acknowledged: z.boolean().default(false),
});

export const queueFilter = z.strictObject({
  connectionId: id.optional(),
  q: text().trim().max(100).optional(),
  cursor: text().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** "Mark all read": the signed-in person's unread notifications created up to `upTo` (the newest one they were shown). */
export const markNotificationsReadInput = z.strictObject({
  upTo: text({ error: "upTo must be a date and time (ISO 8601)." })
    .trim()
    .max(40, "upTo must be a date and time (ISO 8601).")
    .refine((s) => /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)), "upTo must be a date and time (ISO 8601).")
    .transform((s) => new Date(s)),
});
