/**
 * The vocabulary of the change pipeline: what a change asks PagerDuty to become (its desired state, per
 * kind), what it was before (for undo), why it exists (its cause) and who asked. Plain data, no I/O.
 */
import { z } from "zod";
import { PD_TEAM_ROLES, PD_USER_ROLES } from "@/lib/pagerduty";
import type { ChangeCauseKind, ChangeKind, ChangeStatus } from "@/lib/generated/prisma/client";

const pdId = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, "Not a PagerDuty id.");
const teamRole = z.enum(PD_TEAM_ROLES);
const userRole = z.enum(PD_USER_ROLES);

/** What a caller asks for. `user_role_remove` is not a PagerDuty operation: it becomes a role change (rules.ts). */
export const changeSpecSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("team_member_put"), teamId: pdId, userId: pdId, role: teamRole }).strict(),
  z.object({ kind: z.literal("team_member_remove"), teamId: pdId, userId: pdId }).strict(),
  z.object({ kind: z.literal("user_role_change"), userId: pdId, role: userRole }).strict(),
  z.object({ kind: z.literal("user_role_remove"), userId: pdId }).strict(),
  z
    .object({
      kind: z.literal("user_create"),
      name: z.string().trim().min(1).max(100),
      email: z.email().max(100),
      role: userRole.optional(),
      licenseId: pdId.optional(),
      timeZone: z.string().max(64).optional(),
      jobTitle: z.string().max(100).optional(),
    })
    .strict(),
  z.object({ kind: z.literal("user_delete"), userId: pdId }).strict(),
  z.object({ kind: z.literal("user_sign_out"), userId: pdId, types: z.array(z.enum(["web", "mobile"])).min(1).default(["web", "mobile"]) }).strict(),
]);
export type ChangeSpec = z.input<typeof changeSpecSchema>;
export type ParsedChangeSpec = z.output<typeof changeSpecSchema>;

/** Desired state as stored (ChangeRequest.desired), one shape per kind. */
export type Desired =
  | { kind: "TEAM_MEMBER_PUT"; teamId: string; userId: string; role: string }
  | { kind: "TEAM_MEMBER_REMOVE"; teamId: string; userId: string }
  | { kind: "USER_ROLE_CHANGE"; userId: string; role: string }
  | { kind: "USER_CREATE"; name: string; email: string; role?: string; licenseId?: string; timeZone?: string; jobTitle?: string }
  | { kind: "USER_DELETE"; userId: string }
  | { kind: "USER_SIGN_OUT"; userId: string; types: ("web" | "mobile")[] };

/** Prior state as stored (ChangeRequest.prior): what undo restores. */
export type Prior =
  | { member: false }
  | { member: true; role: string }
  | { role: string }
  | { user: { name: string; email: string; role: string; licenseId: string | null; teams: { teamId: string; role: string }[] } }
  | { absent: true };

export const CAUSE_KINDS = ["review_decision", "approval", "expiry", "lifecycle_event", "admin_action", "undo"] as const;
export type CauseKindName = (typeof CAUSE_KINDS)[number];
export interface Cause {
  kind: CauseKindName;
  /** The id of the review decision, approval, lifecycle event… (for undo: the change undone). */
  id: string;
}

export type Requester = { type: "person"; id: string; label: string } | { type: "system"; job: string };

/** Status a change stops in for good (for ordering: its successors may run). FAILED is not one: see ordering in execute.ts. */
export const SETTLED: readonly ChangeStatus[] = ["VERIFIED", "UNVERIFIED", "CANCELLED"];
export const ACTIVE: readonly ChangeStatus[] = ["PENDING", "SCHEDULED", "APPLYING", "APPLIED"];

export const causeKindOf = (kind: CauseKindName): ChangeCauseKind => kind.toUpperCase() as ChangeCauseKind;
export const kindName = (kind: ChangeKind): string => kind.toLowerCase();

/** Ordering key: every change of one PagerDuty user (or of one e-mail address not yet a user) runs in creation order. */
export function orderingKey(connectionId: string, desired: Desired): string {
  const who = desired.kind === "USER_CREATE" ? `email:${desired.email.toLowerCase()}` : `user:${desired.userId}`;
  return `${connectionId}|${who}`;
}

/** The user a change is about, for the brake (distinct users touched). */
export function userKeyOf(desired: Desired): string {
  return desired.kind === "USER_CREATE" ? `email:${desired.email.toLowerCase()}` : desired.userId;
}

export function describeDesired(desired: Desired, names: { user?: string; team?: string } = {}): string {
  const user = names.user ?? ("userId" in desired ? desired.userId : desired.email);
  const team = names.team ?? ("teamId" in desired ? desired.teamId : "");
  switch (desired.kind) {
    case "TEAM_MEMBER_PUT":
      return `Make ${user} a ${desired.role} of team ${team}`;
    case "TEAM_MEMBER_REMOVE":
      return `Remove ${user} from team ${team}`;
    case "USER_ROLE_CHANGE":
      return `Change ${user}'s base role to ${desired.role}`;
    case "USER_CREATE":
      return `Create PagerDuty user ${desired.name} <${desired.email}>${desired.role ? ` as ${desired.role}` : ""}`;
    case "USER_DELETE":
      return `Delete PagerDuty user ${user}`;
    case "USER_SIGN_OUT":
      return `Sign ${user} out of PagerDuty (${desired.types.join(", ")})`;
  }
}
