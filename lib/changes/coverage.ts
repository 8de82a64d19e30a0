/**
 * Coverage safety: before someone leaves a team, loses a role or is deleted, find out from the synced model
 * whether they are the only person on a schedule layer, or the only on-call of an escalation level now or
 * within the horizon. Removing them then would leave incidents with nobody to page.
 */
import type { DbOrTx } from "@/lib/db";
import type { Desired } from "./types";

export interface CoverageWarning {
  reasons: string[];
  /** End of the user's current (or next) sole shift within the horizon: when "apply after their shift" runs. Null: no end (a permanent target or a sole layer member). */
  shiftEnd: string | null;
}

const REMOVALS = new Set<Desired["kind"]>(["TEAM_MEMBER_REMOVE", "USER_ROLE_CHANGE", "USER_DELETE"]);

/** Null when removing the user leaves every layer and escalation level they serve covered. */
export async function coverageWarning(db: DbOrTx, connectionId: string, desired: Desired, now: Date, horizonHours: number): Promise<CoverageWarning | null> {
  if (!REMOVALS.has(desired.kind) || !("userId" in desired)) return null;
  const userId = desired.userId;
  const until = new Date(now.getTime() + horizonHours * 3_600_000);
  // A team removal only matters for the team's own schedules and policies; a role change or deletion for all.
  const teamId = desired.kind === "TEAM_MEMBER_REMOVE" ? desired.teamId : null;
  const [teamSchedules, teamPolicies] = teamId
    ? await Promise.all([
        db.pdSchedule.findMany({ where: { connectionId, teamPdIds: { has: teamId }, removedAt: null }, select: { pdId: true } }),
        db.pdEscalationPolicy.findMany({ where: { connectionId, teamPdId: teamId, removedAt: null }, select: { pdId: true } }),
      ])
    : [null, null];
  const scheduleScope = teamSchedules ? new Set(teamSchedules.map((s) => s.pdId)) : null;
  const policyScope = teamPolicies ? new Set(teamPolicies.map((p) => p.pdId)) : null;

  const reasons: string[] = [];
  let shiftEnd: Date | null = null;

  // Sole member of a schedule layer: every turn of that layer is theirs.
  const layers = await db.pdScheduleLayerMember.findMany({ where: { connectionId, userPdId: userId, removedAt: null }, select: { schedulePdId: true, layerId: true, layerName: true } });
  for (const layer of dedupe(layers, (l) => `${l.schedulePdId}|${l.layerId}`)) {
    if (scheduleScope && !scheduleScope.has(layer.schedulePdId)) continue;
    const others = await db.pdScheduleLayerMember.count({ where: { connectionId, schedulePdId: layer.schedulePdId, layerId: layer.layerId, removedAt: null, userPdId: { not: userId } } });
    if (others === 0) reasons.push(`only person on layer ${layer.layerName ?? layer.layerId} of schedule ${await scheduleName(db, connectionId, layer.schedulePdId)}`);
  }

  // Sole on-call of an escalation level now or within the horizon.
  const shifts = await db.pdOncallShift.findMany({
    where: { connectionId, userPdId: userId, removedAt: null, OR: [{ start: null }, { start: { lt: until } }], AND: [{ OR: [{ end: null }, { end: { gt: now } }] }] },
    orderBy: { start: "asc" },
  });
  for (const shift of shifts) {
    if (policyScope && !policyScope.has(shift.escalationPolicyPdId)) continue;
    const overlapStart = shift.start ?? now;
    const overlapEnd = shift.end ?? until;
    const others = await db.pdOncallShift.count({
      where: {
        connectionId,
        escalationPolicyPdId: shift.escalationPolicyPdId,
        escalationLevel: shift.escalationLevel,
        removedAt: null,
        userPdId: { not: userId },
        OR: [{ start: null }, { start: { lt: overlapEnd } }],
        AND: [{ OR: [{ end: null }, { end: { gt: overlapStart } }] }],
      },
    });
    if (others > 0) continue;
    const policy = await db.pdEscalationPolicy.findUnique({ where: { connectionId_pdId: { connectionId, pdId: shift.escalationPolicyPdId } }, select: { name: true } });
    const when = shift.start && shift.start > now ? `from ${shift.start.toISOString()}` : "now";
    reasons.push(`only on-call at level ${shift.escalationLevel} of ${policy?.name ?? shift.escalationPolicyPdId} ${when}${shift.end ? ` until ${shift.end.toISOString()}` : " (permanent target)"}`);
    if (shift.end && (!shiftEnd || shift.end > shiftEnd)) shiftEnd = shift.end;
  }
  if (reasons.length === 0) return null;
  return { reasons: [...new Set(reasons)], shiftEnd: shiftEnd?.toISOString() ?? null };
}

async function scheduleName(db: DbOrTx, connectionId: string, pdId: string): Promise<string> {
  const s = await db.pdSchedule.findUnique({ where: { connectionId_pdId: { connectionId, pdId } }, select: { name: true } });
  return s?.name ?? pdId;
}

function dedupe<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}

export function describeCoverage(warning: CoverageWarning): string {
  return `Removing this person leaves a gap: ${warning.reasons.join("; ")}.`;
}
