import "server-only";
import { PortalRole } from "@/lib/generated/prisma/client";
import { AuthenticationError, AuthorizationError } from "./errors";
import type { Actor } from "./session";

export { AuthenticationError, AuthorizationError } from "./errors";

/**
 * THE one place that decides who may do what. Every server action (through defineAction) and every
 * data read (lib/<domain>/queries.ts) asks `can`/`authorize`; nothing relies on hidden buttons.
 */
export type Permission =
  | "portal.view"
  | "person.read"
  | "person.manage"
  | "audit.read"
  | "audit.export"
  | "audit.verify"
  | "connection.read"
  | "connection.manage"
  | "policy.read"
  | "policy.manage"
  | "jobs.read"
  /** The synced PagerDuty picture: users, grants, teams, schedules, policies, drift. */
  | "pagerduty.read"
  /** Link a person to a PagerDuty user (alias). */
  | "pagerduty.manage"
  | "change.read"
  | "change.manage"
  /** Access reviews: campaigns, items, progress (members: the items they review). */
  | "review.read"
  /** Decide review items: only one's own assignments (or a delegator's), never one's own access. */
  | "review.decide"
  /** Define, launch, reassign and close campaigns; set review owners. */
  | "campaign.manage"
  /** Download a campaign's evidence pack. */
  | "evidence.read"
  /** Just-in-time access: see requests (members: their own), request, approve (only requests one may decide under their policy). */
  | "access.read"
  | "access.request"
  | "access.approve";

export const PERMISSIONS: readonly Permission[] = [
  "portal.view",
  "person.read",
  "person.manage",
  "audit.read",
  "audit.export",
  "audit.verify",
  "connection.read",
  "connection.manage",
  "policy.read",
  "policy.manage",
  "jobs.read",
  "pagerduty.read",
  "pagerduty.manage",
  "change.read",
  "change.manage",
  "review.read",
  "review.decide",
  "campaign.manage",
  "evidence.read",
  "access.read",
  "access.request",
  "access.approve",
];

/**
 * How far a grant reaches: "any" object, or only objects the actor owns ("own": the target names the
 * actor as its owner). Rights derived from assignments (a reviewer of a campaign, an approver of a
 * request) will be added as further scopes decided from the loaded target, e.g. "assigned".
 */
type Scope = "any" | "own" | "assigned";

const ALL_READS: Permission[] = PERMISSIONS.filter((p) => p.endsWith(".read"));

const ROLE_GRANTS: Record<PortalRole, ReadonlyMap<Permission, Scope>> = {
  // Admin: everything.
  // Admin: everything; but like anyone, an admin decides only the review items assigned to them.
  [PortalRole.ADMIN]: new Map(PERMISSIONS.map((p): [Permission, Scope] => [p, p === "review.decide" || p === "access.approve" ? "assigned" : "any"])),
  // Auditor: sees everything, exports and verifies evidence, changes nothing.
  [PortalRole.AUDITOR]: new Map<Permission, Scope>([
    ["portal.view", "any"],
    ...ALL_READS.map((p): [Permission, Scope] => [p, "any"]),
    ["audit.export", "any"],
    ["audit.verify", "any"],
    ["evidence.read", "any"],
  ]),
  // Member (everyone): the portal itself, and their own person record.
  [PortalRole.MEMBER]: new Map<Permission, Scope>([
    ["portal.view", "any"],
    ["person.read", "own"],
    ["review.read", "assigned"],
    ["review.decide", "assigned"],
    ["access.read", "own"],
    ["access.request", "any"],
    ["access.approve", "assigned"],
  ]),
};

/**
 * A target an "own"-scoped grant can be checked against: the object names the person who owns it
 * (`ownerId`), or is that person (`{ type: "person", id }`).
 */
export type OwnedTarget = { ownerId: string } | { type: "person"; id: string };

function ownerOf(target: unknown): string | null {
  if (typeof target !== "object" || target === null) return null;
  const t = target as Record<string, unknown>;
  if (typeof t.ownerId === "string") return t.ownerId;
  if (t.type === "person" && typeof t.id === "string") return t.id;
  return null;
}

/**
 * An "assigned"-scoped grant is checked against a target naming who may act on it (`assigneeIds`: the
 * reviewer and their active delegates). Without a target it answers whether the actor holds the right at
 * all (a server action's first gate); the domain then checks every target it touches.
 */
export type AssignedTarget = { assigneeIds: readonly string[] };

function assigneesOf(target: unknown): readonly string[] | null {
  if (typeof target !== "object" || target === null) return null;
  const ids = (target as Record<string, unknown>).assigneeIds;
  return Array.isArray(ids) && ids.every((i) => typeof i === "string") ? (ids as string[]) : null;
}

/**
 * Rights a role takes away whatever other roles grant: an auditor (who also holds MEMBER, as everyone
 * does) stays independent and decides no review.
 */
const ROLE_DENIALS: Partial<Record<PortalRole, ReadonlySet<Permission>>> = {
  [PortalRole.AUDITOR]: new Set<Permission>(["review.decide", "access.approve", "access.request"]),
};

/** May this actor do this (to that)? Pure and fail-closed: unknown roles, permissions or targets say no. */
export function can(actor: Actor | null, permission: Permission, target?: unknown): boolean {
  if (!actor || !Array.isArray(actor.roles)) return false;
  if (actor.roles.some((role) => ROLE_DENIALS[role]?.has(permission))) return false;
  for (const role of actor.roles) {
    const scope = ROLE_GRANTS[role]?.get(permission);
    if (scope === "any") return true;
    if (scope === "own" && target !== undefined && ownerOf(target) === actor.personId) return true;
    if (scope === "assigned" && (target === undefined || assigneesOf(target)?.includes(actor.personId))) return true;
  }
  return false;
}

/** Server-side guard: the signed-in actor, or AuthenticationError / AuthorizationError. */
export async function authorize(permission: Permission, target?: unknown): Promise<Actor> {
  // Loaded on use: domain modules that only ask `can` (and run in the worker process too) must not pull
  // in next-auth and the request context.
  const { getActor } = await import("./session");
  const actor = await getActor();
  if (!actor) throw new AuthenticationError();
  if (!can(actor, permission, target)) throw new AuthorizationError();
  return actor;
}
