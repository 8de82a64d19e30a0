import "server-only";
import type { Actor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { isSafeId, requirePermission } from "./guard";
import { loadMatching } from "./people-links";
import type { PdUserFilters } from "./schemas";

/** One row of the users table: small, because the table holds every user of the account (10,000+). */
export interface PdUserRow {
  pdId: string;
  name: string;
  email: string;
  role: string;
  jobTitle: string | null;
  teams: number;
  invitationPending: boolean;
  person: { id: string; name: string; via: "alias" | "email" } | null;
}

/** Users of a connection, filtered on the server (role, team, search, unmatched), by name. */
export async function listPdUsers(actor: Actor | null, connectionId: string, filters: Omit<PdUserFilters, "connection"> = {}): Promise<PdUserRow[]> {
  requirePermission(actor);
  if (!isSafeId(connectionId)) return [];
  const db = await getDb();
  const where: Prisma.PdUserWhereInput = { connectionId, removedAt: null };
  if (filters.role) where.role = filters.role;
  if (filters.q) where.OR = [{ name: { contains: filters.q, mode: "insensitive" } }, { emailLower: { contains: filters.q.toLowerCase() } }];
  if (filters.team) {
    const members = await db.pdTeamMembership.findMany({ where: { connectionId, teamPdId: filters.team, removedAt: null }, select: { userPdId: true } });
    where.pdId = { in: members.map((m) => m.userPdId) };
  }
  const [users, memberships, { matching, people }] = await Promise.all([
    db.pdUser.findMany({ where, orderBy: [{ name: "asc" }, { pdId: "asc" }], select: { pdId: true, name: true, email: true, role: true, jobTitle: true, invitationPending: true } }),
    db.pdTeamMembership.groupBy({ by: ["userPdId"], where: { connectionId, removedAt: null }, _count: { _all: true } }),
    loadMatching(db, connectionId),
  ]);
  const teamCount = new Map(memberships.map((m) => [m.userPdId, m._count._all]));
  const rows = users.map((u): PdUserRow => {
    const match = matching.byPdUser.get(u.pdId);
    const person = match ? people.get(match.personId) : undefined;
    return { ...u, teams: teamCount.get(u.pdId) ?? 0, person: person && match ? { id: person.id, name: person.name, via: match.via } : null };
  });
  return filters.unmatched ? rows.filter((r) => !r.person) : rows;
}

/** How many users hold each base role (for the distribution chart). */
export async function roleDistribution(actor: Actor | null, connectionId: string): Promise<{ role: string; count: number }[]> {
  requirePermission(actor);
  if (!isSafeId(connectionId)) return [];
  const db = await getDb();
  const rows = await db.pdUser.groupBy({ by: ["role"], where: { connectionId, removedAt: null }, _count: { _all: true } });
  return rows.map((r) => ({ role: r.role, count: r._count._all }));
}

/** Teams for the filter (id and name only). */
export async function teamOptions(actor: Actor | null, connectionId: string): Promise<{ pdId: string; name: string }[]> {
  requirePermission(actor);
  if (!isSafeId(connectionId)) return [];
  const db = await getDb();
  return db.pdTeam.findMany({ where: { connectionId, removedAt: null }, orderBy: { name: "asc" }, select: { pdId: true, name: true } });
}
