import "server-only";
import type { Actor } from "@/lib/auth/session";
import { getDb, type DbOrTx } from "@/lib/db";
import { isSafeId, requirePermission } from "./guard";
import { loadMatching } from "./people-links";

/** A grant as pages show it: what it is (with names), where it came from, and drift attribution. */
export interface GrantView {
  id: string;
  pdUserId: string;
  userName: string;
  entitlement: "BASE_ROLE" | "TEAM_MEMBER" | "SCHEDULE_MEMBER";
  role: string | null;
  teamPdId: string | null;
  teamName: string | null;
  schedulePdId: string | null;
  scheduleName: string | null;
  origin: "BASELINE" | "DRIFT" | "POLICY" | "REQUEST" | "REVIEW";
  firstSeenAt: Date;
  removedAt: Date | null;
  change: { actorType: string | null; actorLabel: string | null; method: string | null; at: Date | null } | null;
}

const grantSelect = {
  id: true,
  pdUserId: true,
  entitlement: true,
  role: true,
  teamPdId: true,
  schedulePdId: true,
  origin: true,
  firstSeenAt: true,
  removedAt: true,
  changeActorType: true,
  changeActorLabel: true,
  changeMethod: true,
  changedAt: true,
} as const;

type GrantRow = { id: string; pdUserId: string; entitlement: GrantView["entitlement"]; role: string | null; teamPdId: string | null; schedulePdId: string | null; origin: GrantView["origin"]; firstSeenAt: Date; removedAt: Date | null; changeActorType: string | null; changeActorLabel: string | null; changeMethod: string | null; changedAt: Date | null };

/** Names of the users, teams and schedules the grants point at, in three queries. */
async function withNames(db: DbOrTx, connectionId: string, rows: GrantRow[]): Promise<GrantView[]> {
  const ids = (pick: (r: GrantRow) => string | null) => [...new Set(rows.map(pick).filter((v): v is string => v !== null))];
  const [users, teams, schedules] = await Promise.all([
    db.pdUser.findMany({ where: { connectionId, pdId: { in: ids((r) => r.pdUserId) } }, select: { pdId: true, name: true } }),
    db.pdTeam.findMany({ where: { connectionId, pdId: { in: ids((r) => r.teamPdId) } }, select: { pdId: true, name: true } }),
    db.pdSchedule.findMany({ where: { connectionId, pdId: { in: ids((r) => r.schedulePdId) } }, select: { pdId: true, name: true } }),
  ]);
  const name = (list: { pdId: string; name: string }[]) => new Map(list.map((x) => [x.pdId, x.name]));
  const [u, t, s] = [name(users), name(teams), name(schedules)];
  return rows.map((r) => ({
    id: r.id,
    pdUserId: r.pdUserId,
    userName: u.get(r.pdUserId) ?? r.pdUserId,
    entitlement: r.entitlement,
    role: r.role,
    teamPdId: r.teamPdId,
    teamName: r.teamPdId ? (t.get(r.teamPdId) ?? r.teamPdId) : null,
    schedulePdId: r.schedulePdId,
    scheduleName: r.schedulePdId ? (s.get(r.schedulePdId) ?? r.schedulePdId) : null,
    origin: r.origin,
    firstSeenAt: r.firstSeenAt,
    removedAt: r.removedAt,
    change: r.origin === "DRIFT" ? { actorType: r.changeActorType, actorLabel: r.changeActorLabel, method: r.changeMethod, at: r.changedAt } : null,
  }));
}

export interface PdUserAccess {
  user: { pdId: string; name: string; email: string; role: string; jobTitle: string | null; timeZone: string | null; invitationPending: boolean; htmlUrl: string | null; firstSeenAt: Date; lastSeenAt: Date; removedAt: Date | null; licensePdId: string | null };
  person: { id: string; name: string; email: string; via: "alias" | "email" } | null;
  /** Held now. */
  grants: GrantView[];
  /** Held before and since removed (most recent first, at most 50). */
  past: GrantView[];
  /** On-call shifts that have not ended, soonest first (one per schedule/policy/level/time). */
  shifts: { schedulePdId: string | null; scheduleName: string | null; policyPdId: string; policyName: string; level: number; start: Date | null; end: Date | null }[];
}

/** Everything a PagerDuty user holds on a connection, with origins, drift and upcoming on-call shifts. */
export async function pdUserAccess(actor: Actor | null, connectionId: string, pdUserId: string, now: Date = new Date()): Promise<PdUserAccess | null> {
  requirePermission(actor);
  if (!isSafeId(connectionId) || !isSafeId(pdUserId)) return null;
  const db = await getDb();
  const user = await db.pdUser.findUnique({
    where: { connectionId_pdId: { connectionId, pdId: pdUserId } },
    select: { pdId: true, name: true, email: true, role: true, jobTitle: true, timeZone: true, invitationPending: true, htmlUrl: true, firstSeenAt: true, lastSeenAt: true, removedAt: true, licensePdId: true },
  });
  if (!user) return null;
  const [live, past, shifts, { matching, people }] = await Promise.all([
    db.grant.findMany({ where: { connectionId, pdUserId, removedAt: null }, orderBy: [{ entitlement: "asc" }, { entitlementKey: "asc" }], select: grantSelect }),
    db.grant.findMany({ where: { connectionId, pdUserId, removedAt: { not: null } }, orderBy: { removedAt: "desc" }, take: 50, select: grantSelect }),
    db.pdOncallShift.findMany({
      where: { connectionId, userPdId: pdUserId, removedAt: null, OR: [{ end: null }, { end: { gt: now } }] },
      orderBy: [{ start: "asc" }, { escalationLevel: "asc" }],
      take: 200,
      select: { schedulePdId: true, escalationPolicyPdId: true, escalationLevel: true, start: true, end: true },
    }),
    loadMatching(db, connectionId),
  ]);
  const [schedules, policies] = await Promise.all([
    db.pdSchedule.findMany({ where: { connectionId, pdId: { in: shifts.flatMap((s) => (s.schedulePdId ? [s.schedulePdId] : [])) } }, select: { pdId: true, name: true } }),
    db.pdEscalationPolicy.findMany({ where: { connectionId, pdId: { in: shifts.map((s) => s.escalationPolicyPdId) } }, select: { pdId: true, name: true } }),
  ]);
  const scheduleName = new Map(schedules.map((s) => [s.pdId, s.name]));
  const policyName = new Map(policies.map((p) => [p.pdId, p.name]));
  const match = matching.byPdUser.get(pdUserId);
  const person = match ? people.get(match.personId) : undefined;
  return {
    user,
    person: person && match ? { id: person.id, name: person.name, email: person.email, via: match.via } : null,
    grants: await withNames(db, connectionId, live),
    past: await withNames(db, connectionId, past),
    shifts: shifts.map((s) => ({
      schedulePdId: s.schedulePdId,
      scheduleName: s.schedulePdId ? (scheduleName.get(s.schedulePdId) ?? s.schedulePdId) : null,
      policyPdId: s.escalationPolicyPdId,
      policyName: policyName.get(s.escalationPolicyPdId) ?? s.escalationPolicyPdId,
      level: s.escalationLevel,
      start: s.start,
      end: s.end,
    })),
  };
}

/** Drifted grants (appeared after the baseline with no origin), newest change first; removed ones too when asked. */
export async function listDrift(actor: Actor | null, connectionId: string, opts: { includeRemoved?: boolean; limit?: number } = {}): Promise<GrantView[]> {
  requirePermission(actor);
  if (!isSafeId(connectionId)) return [];
  const db = await getDb();
  const rows = await db.grant.findMany({
    where: { connectionId, origin: "DRIFT", ...(opts.includeRemoved ? {} : { removedAt: null }) },
    orderBy: [{ changedAt: { sort: "desc", nulls: "last" } }, { firstSeenAt: "desc" }],
    take: opts.limit ?? 500,
    select: grantSelect,
  });
  return withNames(db, connectionId, rows);
}
