import "server-only";
import type { Actor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { isSafeId, requirePermission } from "./guard";

export interface OnCallSlot {
  userPdId: string;
  userName: string;
  start: Date | null;
  end: Date | null;
}

export interface ScheduleRow {
  pdId: string;
  name: string;
  timeZone: string | null;
  teams: { pdId: string; name: string }[];
  layerMembers: number;
  /** Who is on call now (several when layers overlap), from the stored shifts. */
  now: OnCallSlot[];
  /** The next shift to start after now. */
  next: OnCallSlot | null;
}

/** A shift is the same slot whichever policy or level reached it: keep one per user and time. */
function distinctSlots<T extends { userPdId: string; start: Date | null; end: Date | null }>(shifts: T[]): T[] {
  const seen = new Set<string>();
  return shifts.filter((s) => {
    const key = `${s.userPdId}|${s.start?.getTime() ?? ""}|${s.end?.getTime() ?? ""}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Who is on call now and next for one schedule, from its stored shifts (sorted by start). */
export function onCallAt<T extends { userPdId: string; start: Date | null; end: Date | null }>(shifts: T[], now: Date): { now: T[]; next: T | null } {
  const t = now.getTime();
  const slots = distinctSlots(shifts);
  const current = slots.filter((s) => (s.start === null || s.start.getTime() <= t) && (s.end === null || s.end.getTime() > t));
  const next = slots.filter((s) => s.start !== null && s.start.getTime() > t).sort((a, b) => a.start!.getTime() - b.start!.getTime())[0] ?? null;
  return { now: current, next };
}

/** Schedules of a connection with who is on call now and next, by name. */
export async function listSchedules(actor: Actor | null, connectionId: string, now: Date = new Date()): Promise<ScheduleRow[]> {
  requirePermission(actor);
  if (!isSafeId(connectionId)) return [];
  const db = await getDb();
  const [schedules, shifts, layerCounts, teams, users] = await Promise.all([
    db.pdSchedule.findMany({ where: { connectionId, removedAt: null }, orderBy: { name: "asc" }, select: { pdId: true, name: true, timeZone: true, teamPdIds: true } }),
    db.pdOncallShift.findMany({
      where: { connectionId, removedAt: null, schedulePdId: { not: null }, OR: [{ end: null }, { end: { gt: now } }] },
      orderBy: { start: "asc" },
      select: { schedulePdId: true, userPdId: true, start: true, end: true },
    }),
    db.pdScheduleLayerMember.groupBy({ by: ["schedulePdId"], where: { connectionId, removedAt: null }, _count: { _all: true } }),
    db.pdTeam.findMany({ where: { connectionId }, select: { pdId: true, name: true } }),
    db.pdUser.findMany({ where: { connectionId }, select: { pdId: true, name: true } }),
  ]);
  const teamName = new Map(teams.map((t) => [t.pdId, t.name]));
  const userName = new Map(users.map((u) => [u.pdId, u.name]));
  const bySchedule = new Map<string, OnCallSlot[]>();
  for (const s of shifts) {
    const list = bySchedule.get(s.schedulePdId!) ?? bySchedule.set(s.schedulePdId!, []).get(s.schedulePdId!)!;
    list.push({ userPdId: s.userPdId, userName: userName.get(s.userPdId) ?? s.userPdId, start: s.start, end: s.end });
  }
  const layerMembers = new Map(layerCounts.map((c) => [c.schedulePdId, c._count._all]));
  return schedules.map((s) => ({
    pdId: s.pdId,
    name: s.name,
    timeZone: s.timeZone,
    teams: s.teamPdIds.map((id) => ({ pdId: id, name: teamName.get(id) ?? id })),
    layerMembers: layerMembers.get(s.pdId) ?? 0,
    ...onCallAt(bySchedule.get(s.pdId) ?? [], now),
  }));
}

export interface PolicyRow {
  pdId: string;
  name: string;
  numLoops: number | null;
  team: { pdId: string; name: string } | null;
  levels: { level: number; delayMinutes: number | null; targets: { type: "USER" | "SCHEDULE"; pdId: string; name: string }[] }[];
}

/** Escalation policies with their levels and targets (by name), and their team. */
export async function listPolicies(actor: Actor | null, connectionId: string): Promise<PolicyRow[]> {
  requirePermission(actor);
  if (!isSafeId(connectionId)) return [];
  const db = await getDb();
  const [policies, targets, teams, users, schedules] = await Promise.all([
    db.pdEscalationPolicy.findMany({ where: { connectionId, removedAt: null }, orderBy: { name: "asc" }, select: { pdId: true, name: true, numLoops: true, teamPdId: true } }),
    db.pdEscalationTarget.findMany({ where: { connectionId, removedAt: null }, orderBy: [{ policyPdId: "asc" }, { level: "asc" }], select: { policyPdId: true, level: true, targetType: true, targetPdId: true, delayMinutes: true } }),
    db.pdTeam.findMany({ where: { connectionId }, select: { pdId: true, name: true } }),
    db.pdUser.findMany({ where: { connectionId }, select: { pdId: true, name: true } }),
    db.pdSchedule.findMany({ where: { connectionId }, select: { pdId: true, name: true } }),
  ]);
  const names = new Map([...teams, ...users, ...schedules].map((x) => [x.pdId, x.name]));
  const levelsByPolicy = new Map<string, PolicyRow["levels"]>();
  for (const t of targets) {
    const levels = levelsByPolicy.get(t.policyPdId) ?? levelsByPolicy.set(t.policyPdId, []).get(t.policyPdId)!;
    let level = levels.find((l) => l.level === t.level);
    if (!level) levels.push((level = { level: t.level, delayMinutes: t.delayMinutes, targets: [] }));
    level.targets.push({ type: t.targetType, pdId: t.targetPdId, name: names.get(t.targetPdId) ?? t.targetPdId });
  }
  return policies.map((p) => ({
    pdId: p.pdId,
    name: p.name,
    numLoops: p.numLoops,
    team: p.teamPdId ? { pdId: p.teamPdId, name: names.get(p.teamPdId) ?? p.teamPdId } : null,
    levels: levelsByPolicy.get(p.pdId) ?? [],
  }));
}
