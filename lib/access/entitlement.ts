/**
 * What a catalog item grants, what the requester holds of it now (from the synced model), what to restore
 * when the grant ends, and the change specs that grant and end it. Plain rules over the synced rows.
 */
import type { DbOrTx } from "@/lib/db";
import type { ChangeSpec } from "@/lib/changes";
import { BASE_ROLE_VALUES } from "@/lib/pagerduty-data/roles";

export interface CatalogTarget {
  kind: "TEAM_ROLE" | "BASE_ROLE";
  teamPdId: string | null;
  role: string;
  fromRoles: string[];
}

/** What held the entitlement before the first just-in-time grant over it (restored when the last one ends). */
export type PriorState = { member: false } | { member: true; role: string } | { role: string };

const TEAM_RANK: Record<string, number> = { observer: 1, responder: 2, manager: 3 };
/** Base roles ranked by privilege (owner highest). */
const BASE_RANK = new Map<string, number>(BASE_ROLE_VALUES.map((r, i) => [r, BASE_ROLE_VALUES.length - i]));

export const roleRank = (kind: CatalogTarget["kind"], role: string): number => (kind === "TEAM_ROLE" ? (TEAM_RANK[role] ?? 0) : (BASE_RANK.get(role) ?? 0));

export const entitlementKeyOf = (t: Pick<CatalogTarget, "kind" | "teamPdId" | "role">): string => (t.kind === "TEAM_ROLE" ? `team:${t.teamPdId}:${t.role}` : `base_role:${t.role}`);

/** The holding a grant acts on: the team membership (any role), or the base role. */
export const holdingPrefix = (t: Pick<CatalogTarget, "kind" | "teamPdId">): string => (t.kind === "TEAM_ROLE" ? `team:${t.teamPdId}:` : "base_role:");

/** The requester's current state of the holding, per the synced model. */
export async function currentState(db: DbOrTx, connectionId: string, pdUserId: string, t: CatalogTarget): Promise<PriorState | null> {
  if (t.kind === "TEAM_ROLE") {
    const m = await db.pdTeamMembership.findFirst({ where: { connectionId, teamPdId: t.teamPdId!, userPdId: pdUserId, removedAt: null }, select: { role: true } });
    return m ? { member: true, role: m.role } : { member: false };
  }
  const u = await db.pdUser.findFirst({ where: { connectionId, pdId: pdUserId, removedAt: null }, select: { role: true } });
  return u ? { role: u.role } : null;
}

/** The role the state holds (null: not a member). */
export const heldRole = (s: PriorState | null): string | null => (!s ? null : "role" in s ? s.role : null);

export function grantSpec(t: CatalogTarget, pdUserId: string): ChangeSpec {
  return t.kind === "TEAM_ROLE"
    ? { kind: "team_member_put", teamId: t.teamPdId!, userId: pdUserId, role: t.role as "manager" }
    : { kind: "user_role_change", userId: pdUserId, role: t.role as "user" };
}

/** The change that brings the holding to `state` (a prior state, or the role another live grant still needs). */
export function restoreSpec(t: CatalogTarget, pdUserId: string, state: PriorState): ChangeSpec {
  if (t.kind === "TEAM_ROLE") {
    return "member" in state && state.member === false
      ? { kind: "team_member_remove", teamId: t.teamPdId!, userId: pdUserId }
      : { kind: "team_member_put", teamId: t.teamPdId!, userId: pdUserId, role: heldRole(state) as "manager" };
  }
  return { kind: "user_role_change", userId: pdUserId, role: heldRole(state) as "user" };
}

export function describeState(t: CatalogTarget, s: PriorState | null): string {
  if (!s) return "unknown";
  if (t.kind === "TEAM_ROLE") return "member" in s && !s.member ? "not a member" : `${heldRole(s)} of the team`;
  return `base role ${heldRole(s)}`;
}
