/**
 * Loads what reviewer policies need, for a set of connections: active people, who each PagerDuty user
 * is (alias, else e-mail), team managers, named owners and managers.
 */
import type { DbOrTx } from "@/lib/db";
import { matchPeople } from "@/lib/pagerduty-data/matching";
import type { Directory } from "./policy";

export async function loadDirectory(db: DbOrTx, connectionIds: readonly string[]): Promise<Directory> {
  const ids = [...connectionIds];
  const [people, links, users, memberships, owners, managers] = await Promise.all([
    db.person.findMany({ where: { status: "ACTIVE" }, select: { id: true, name: true, email: true, roles: true } }),
    db.personPagerDutyLink.findMany({ where: { connectionId: { in: ids } }, select: { connectionId: true, personId: true, pdUserId: true } }),
    db.pdUser.findMany({ where: { connectionId: { in: ids }, removedAt: null }, select: { connectionId: true, pdId: true, emailLower: true } }),
    db.pdTeamMembership.findMany({ where: { connectionId: { in: ids }, removedAt: null, role: "manager" }, select: { connectionId: true, teamPdId: true, userPdId: true } }),
    db.reviewOwner.findMany({ where: { connectionId: { in: ids } }, select: { connectionId: true, subjectType: true, subjectRef: true, personId: true } }),
    db.personManager.findMany({ select: { personId: true, managerId: true } }),
  ]);
  const dir: Directory = {
    // Reviewers: active people who may decide (auditors stay independent and review nothing).
    people: new Map(people.filter((p) => !p.roles.includes("AUDITOR")).map((p) => [p.id, p.name])),
    personOfPdUser: new Map(),
    teamManagers: new Map(),
    owners: new Map(),
    managers: new Map(managers.map((m) => [m.personId, m.managerId])),
  };
  for (const c of ids) {
    const m = matchPeople(
      people,
      users.filter((u) => u.connectionId === c),
      links.filter((l) => l.connectionId === c),
    );
    dir.personOfPdUser.set(c, new Map([...m.byPdUser].map(([pd, match]) => [pd, match.personId])));
    dir.teamManagers.set(c, new Map());
    dir.owners.set(c, new Map());
  }
  for (const m of memberships) {
    const byTeam = dir.teamManagers.get(m.connectionId)!;
    byTeam.set(m.teamPdId, [...(byTeam.get(m.teamPdId) ?? []), m.userPdId]);
  }
  for (const o of owners) {
    const byKey = dir.owners.get(o.connectionId)!;
    const key = `${o.subjectType}:${o.subjectRef}`;
    byKey.set(key, [...(byKey.get(key) ?? []), o.personId]);
  }
  return dir;
}
