import "server-only";
import type { Actor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { isSafeId, requirePermission } from "./guard";

export interface TeamRow {
  pdId: string;
  name: string;
  description: string | null;
  members: number;
  /** Members per team role, e.g. {manager: 2, responder: 14}. */
  roles: Record<string, number>;
}

/** Teams of a connection with member counts per team role, by name. */
export async function listTeams(actor: Actor | null, connectionId: string): Promise<TeamRow[]> {
  requirePermission(actor);
  if (!isSafeId(connectionId)) return [];
  const db = await getDb();
  const [teams, counts] = await Promise.all([
    db.pdTeam.findMany({ where: { connectionId, removedAt: null }, orderBy: { name: "asc" }, select: { pdId: true, name: true, description: true } }),
    db.pdTeamMembership.groupBy({ by: ["teamPdId", "role"], where: { connectionId, removedAt: null }, _count: { _all: true } }),
  ]);
  const byTeam = new Map<string, Record<string, number>>();
  for (const c of counts) (byTeam.get(c.teamPdId) ?? byTeam.set(c.teamPdId, {}).get(c.teamPdId)!)[c.role] = c._count._all;
  return teams.map((t) => {
    const roles = byTeam.get(t.pdId) ?? {};
    return { ...t, roles, members: Object.values(roles).reduce((a, b) => a + b, 0) };
  });
}

export interface TeamDetail {
  team: { pdId: string; name: string; description: string | null; htmlUrl: string | null };
  members: { pdId: string; name: string; email: string; baseRole: string; teamRole: string; since: Date }[];
  policies: { pdId: string; name: string }[];
}

/** A team with its members (team role and base role) and the escalation policies it owns. */
export async function teamDetail(actor: Actor | null, connectionId: string, teamPdId: string): Promise<TeamDetail | null> {
  requirePermission(actor);
  if (!isSafeId(connectionId) || !isSafeId(teamPdId)) return null;
  const db = await getDb();
  const team = await db.pdTeam.findUnique({ where: { connectionId_pdId: { connectionId, pdId: teamPdId } }, select: { pdId: true, name: true, description: true, htmlUrl: true } });
  if (!team) return null;
  const [memberships, policies] = await Promise.all([
    db.pdTeamMembership.findMany({ where: { connectionId, teamPdId, removedAt: null }, select: { userPdId: true, role: true, firstSeenAt: true } }),
    db.pdEscalationPolicy.findMany({ where: { connectionId, teamPdId, removedAt: null }, orderBy: { name: "asc" }, select: { pdId: true, name: true } }),
  ]);
  const users = await db.pdUser.findMany({ where: { connectionId, pdId: { in: memberships.map((m) => m.userPdId) } }, select: { pdId: true, name: true, email: true, role: true } });
  const userById = new Map(users.map((u) => [u.pdId, u]));
  const members = memberships
    .map((m) => {
      const u = userById.get(m.userPdId);
      return { pdId: m.userPdId, name: u?.name ?? m.userPdId, email: u?.email ?? "", baseRole: u?.role ?? "", teamRole: m.role, since: m.firstSeenAt };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  return { team, members, policies };
}
