import type { DbOrTx } from "@/lib/db";

export interface SyncedCounts {
  users: number;
  teams: number;
  memberships: number;
  schedules: number;
  escalationPolicies: number;
  oncalls: number;
}

/** Live (not removed) synced rows of a connection, per entity. */
export async function syncedCounts(db: DbOrTx, connectionId: string): Promise<SyncedCounts> {
  const live = { connectionId, removedAt: null };
  const [users, teams, memberships, schedules, escalationPolicies, oncalls] = await Promise.all([
    db.pdUser.count({ where: live }),
    db.pdTeam.count({ where: live }),
    db.pdTeamMembership.count({ where: live }),
    db.pdSchedule.count({ where: live }),
    db.pdEscalationPolicy.count({ where: live }),
    db.pdOncallShift.count({ where: live }),
  ]);
  return { users, teams, memberships, schedules, escalationPolicies, oncalls };
}
