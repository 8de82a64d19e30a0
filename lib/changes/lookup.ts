/**
 * The synced rows one createChanges call needs (users, teams, memberships, licenses), read once for all of
 * its changes instead of once per change: a batch of 50 changes costs a handful of queries, not hundreds.
 */
import type { Tx } from "@/lib/db";
import type { PdUser } from "@/lib/generated/prisma/client";
import type { ParsedChangeSpec } from "./types";

type Membership = { role: string; removedAt: Date | null } | null;
type License = { name: string | null; validRoles: string[] } | null;

const memberKey = (teamId: string, userId: string) => `${teamId}|${userId}`;

export class SyncedLookup {
  private readonly users = new Map<string, PdUser | null>();
  private readonly teams = new Map<string, { name: string } | null>();
  private readonly memberships = new Map<string, Membership>();
  private readonly licenses = new Map<string, License>();

  constructor(
    private readonly tx: Tx,
    private readonly connectionId: string,
  ) {}

  /** Reads, in three queries, every user, team and membership the specs name. */
  async preload(specs: readonly ParsedChangeSpec[]): Promise<void> {
    const connectionId = this.connectionId;
    const userIds = [...new Set(specs.flatMap((s) => ("userId" in s ? [s.userId] : [])))];
    const teamIds = [...new Set(specs.flatMap((s) => ("teamId" in s ? [s.teamId] : [])))];
    const users = userIds.length ? await this.tx.pdUser.findMany({ where: { connectionId, pdId: { in: userIds } } }) : [];
    const teams = teamIds.length ? await this.tx.pdTeam.findMany({ where: { connectionId, pdId: { in: teamIds } }, select: { pdId: true, name: true } }) : [];
    const memberships =
      userIds.length && teamIds.length
        ? await this.tx.pdTeamMembership.findMany({ where: { connectionId, userPdId: { in: userIds }, teamPdId: { in: teamIds } }, select: { teamPdId: true, userPdId: true, role: true, removedAt: true } })
        : [];
    for (const id of userIds) this.users.set(id, null);
    for (const u of users) this.users.set(u.pdId, u);
    for (const id of teamIds) this.teams.set(id, null);
    for (const t of teams) this.teams.set(t.pdId, { name: t.name });
    for (const s of specs) if ("teamId" in s && "userId" in s) this.memberships.set(memberKey(s.teamId, s.userId), null);
    for (const m of memberships) this.memberships.set(memberKey(m.teamPdId, m.userPdId), { role: m.role, removedAt: m.removedAt });
  }

  async user(pdId: string): Promise<PdUser | null> {
    if (!this.users.has(pdId)) this.users.set(pdId, await this.tx.pdUser.findUnique({ where: { connectionId_pdId: { connectionId: this.connectionId, pdId } } }));
    return this.users.get(pdId) ?? null;
  }

  async team(pdId: string): Promise<{ name: string } | null> {
    if (!this.teams.has(pdId)) this.teams.set(pdId, await this.tx.pdTeam.findUnique({ where: { connectionId_pdId: { connectionId: this.connectionId, pdId } }, select: { name: true } }));
    return this.teams.get(pdId) ?? null;
  }

  async membership(teamPdId: string, userPdId: string): Promise<Membership> {
    const key = memberKey(teamPdId, userPdId);
    if (!this.memberships.has(key)) {
      this.memberships.set(key, await this.tx.pdTeamMembership.findUnique({ where: { connectionId_teamPdId_userPdId: { connectionId: this.connectionId, teamPdId, userPdId } }, select: { role: true, removedAt: true } }));
    }
    return this.memberships.get(key) ?? null;
  }

  async license(pdId: string): Promise<License> {
    if (!this.licenses.has(pdId)) {
      this.licenses.set(pdId, await this.tx.pdLicense.findUnique({ where: { connectionId_pdId: { connectionId: this.connectionId, pdId } }, select: { name: true, validRoles: true } }));
    }
    return this.licenses.get(pdId) ?? null;
  }
}
