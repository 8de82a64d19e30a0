/**
 * A catalog item's policy: the rules that decide who may request it, for how long, with what justification,
 * and how a request is decided. Stored as versioned JSON (AccessPolicyVersion.rules); a request keeps the
 * version it was made and decided under.
 *
 * The policy is a set of *deciders* (roadmap: on-call driven access): today the only kind is "approvers"
 * (people decide). Rules that decide a request by themselves (on call now for listed schedules, break-glass)
 * join the `deciders` union as further kinds; a decision records which decider made it and its evidence
 * (AccessRequest.decisionBasis/decisionEvidence), and a grant's end may later be an event, not only a time.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { canonicalJson } from "@/lib/audit/canonical";
import { text } from "@/lib/validation/text";

const id = text().trim().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, "Not a valid id.");
const minutes = (label: string, max: number) =>
  z.coerce
    .number({ error: `${label} must be a number of minutes.` })
    .int(`${label} must be whole minutes.`)
    .min(5, `${label} must be at least 5 minutes.`)
    .max(max, `${label} is at most ${Math.round(max / 60 / 24)} days.`);

/** People who may approve: the team's managers in PagerDuty (team items), named portal people, members of portal groups. */
export const approversSchema = z
  .strictObject({
    teamManagers: z.boolean().default(false),
    personIds: z.array(id).max(50).default([]),
    groupIds: z.array(id).max(20).default([]),
  })
  .refine((a) => a.teamManagers || a.personIds.length > 0 || a.groupIds.length > 0, { error: "Name at least one approver: the team's managers, a person or a group.", path: ["teamManagers"] });

export const approvalDeciderSchema = z.strictObject({
  kind: z.literal("approvers"),
  approvers: approversSchema,
  /** 1, or 2 distinct approvers. */
  approvalsNeeded: z.union([z.literal(1), z.literal(2)]).default(1),
  /** With 2: the two approvals must count for different portal groups (each approver's group among groupIds). */
  distinctGroups: z.boolean().default(false),
});

/** Today one kind; on-call auto-approval and break-glass join this union in their own issue. */
export const deciderSchema = z.discriminatedUnion("kind", [approvalDeciderSchema]);

export const requestersSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("everyone") }),
  /** Members of these PagerDuty teams (on the item's connection), per the synced model. */
  z.strictObject({ kind: z.literal("team_members"), teamPdIds: z.array(id).min(1, "Pick at least one team.").max(50) }),
]);

const MAX_GRANT = 30 * 24 * 60;

export const policyRulesSchema = z
  .strictObject({
    defaultDurationMinutes: minutes("Default duration", MAX_GRANT),
    maxDurationMinutes: minutes("Maximum duration", MAX_GRANT),
    justification: z.strictObject({
      required: z.boolean().default(true),
      /** A ticket reference the request must carry, e.g. ^(INC|CHG)-[0-9]+$ (empty: none asked). */
      ticketPattern: text().trim().max(200).default(""),
    }),
    deciders: z.array(deciderSchema).min(1).max(1, "One approval rule per policy for now."),
    requesters: requestersSchema,
    /** An undecided request expires after this long. */
    pendingTimeoutMinutes: minutes("Undecided requests expire after", 14 * 24 * 60),
    /** Extensions need approval again (false: granted at once, still within the maximum). */
    extensionNeedsApproval: z.boolean().default(true),
    /** Remind the approvers after this long undecided… */
    remindAfterMinutes: minutes("Remind approvers after", 7 * 24 * 60),
    /** …and move the request to the fallback approvers after this long. */
    escalateAfterMinutes: minutes("Escalate after", 14 * 24 * 60),
    fallbackApproverIds: z.array(id).max(20).default([]),
    /** Tell the requester this long before the access ends. */
    expiryNoticeMinutes: z.coerce
      .number({ error: "The expiry notice must be a number of minutes." })
      .int("The expiry notice must be whole minutes.")
      .min(0, "The expiry notice cannot be negative.")
      .max(24 * 60, "The expiry notice is at most 1 day.")
      .refine((n) => !Object.is(n, -0), "The expiry notice cannot be negative.")
      .default(15),
  })
  .superRefine((r, ctx) => {
    if (r.defaultDurationMinutes > r.maxDurationMinutes) ctx.addIssue({ code: "custom", path: ["defaultDurationMinutes"], message: "The default duration cannot be longer than the maximum." });
    if (r.escalateAfterMinutes <= r.remindAfterMinutes) ctx.addIssue({ code: "custom", path: ["escalateAfterMinutes"], message: "Escalation must come after the reminder." });
    if (r.escalateAfterMinutes >= r.pendingTimeoutMinutes) ctx.addIssue({ code: "custom", path: ["escalateAfterMinutes"], message: "Escalation must come before the request expires undecided." });
    if (r.justification.ticketPattern) {
      try {
        new RegExp(r.justification.ticketPattern);
      } catch {
        ctx.addIssue({ code: "custom", path: ["justification", "ticketPattern"], message: "The ticket pattern is not a valid regular expression." });
      }
    }
    const d = r.deciders[0];
    if (d?.kind === "approvers" && d.distinctGroups && (d.approvalsNeeded !== 2 || d.approvers.groupIds.length < 2)) {
      ctx.addIssue({ code: "custom", path: ["deciders", 0, "distinctGroups"], message: "Approvals from different groups need two approvals and at least two approver groups." });
    }
  });

export type PolicyRules = z.output<typeof policyRulesSchema>;
export type PolicyRulesInput = z.input<typeof policyRulesSchema>;
export type ApprovalDecider = z.output<typeof approvalDeciderSchema>;

export const DEFAULT_RULES: PolicyRulesInput = {
  defaultDurationMinutes: 120,
  maxDurationMinutes: 480,
  justification: { required: true, ticketPattern: "" },
  deciders: [{ kind: "approvers", approvers: { teamManagers: true, personIds: [], groupIds: [] }, approvalsNeeded: 1, distinctGroups: false }],
  requesters: { kind: "everyone" },
  pendingTimeoutMinutes: 24 * 60,
  extensionNeedsApproval: true,
  remindAfterMinutes: 60,
  escalateAfterMinutes: 4 * 60,
  fallbackApproverIds: [],
  expiryNoticeMinutes: 15,
};

/** The rules as stored: parsed again on read, so a stored version that no longer parses fails loudly. */
export function parseRules(raw: unknown): PolicyRules {
  return policyRulesSchema.parse(raw);
}

export const rulesSha256 = (rules: PolicyRules): string => createHash("sha256").update(canonicalJson(rules)).digest("hex");

/** The people decider (today the only one). */
export function approvalDecider(rules: PolicyRules): ApprovalDecider {
  const d = rules.deciders.find((x) => x.kind === "approvers");
  if (!d) throw new Error("policy has no approval rule");
  return d;
}

/** "2 h", "30 min", "1 d 4 h". */
export function formatMinutes(total: number): string {
  const d = Math.floor(total / 1440);
  const h = Math.floor((total % 1440) / 60);
  const m = total % 60;
  return [d ? `${d} d` : "", h ? `${h} h` : "", m ? `${m} min` : ""].filter(Boolean).join(" ") || "0 min";
}

/** When a request made at `requestedAt` reminds its approvers and escalates to the fallback approvers. */
export function nudgeTimes(rules: PolicyRules, requestedAt: Date): { remindAt: Date; escalateAt: Date } {
  return { remindAt: new Date(requestedAt.getTime() + rules.remindAfterMinutes * 60_000), escalateAt: new Date(requestedAt.getTime() + rules.escalateAfterMinutes * 60_000) };
}

/** When the requester hears that access ending at `endsAt` is about to end (null: the policy sends no notice). */
export const noticeTime = (rules: PolicyRules, endsAt: Date): Date | null => (rules.expiryNoticeMinutes > 0 ? new Date(endsAt.getTime() - rules.expiryNoticeMinutes * 60_000) : null);
