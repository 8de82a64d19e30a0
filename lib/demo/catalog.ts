/**
 * Demo mode's request catalog: a portal group of approvers and a base-role elevation on the demo
 * connection (no sync needed), plus a team-manager item once a sync has brought teams. Created through
 * lib/access/catalog (versioned, audited) as the demo admin; idempotent: run on every demo start.
 */
import type { Actor } from "@/lib/auth/session";
import type { Db } from "@/lib/db";
import { createCatalogItem, createGroup, setGroupMember } from "@/lib/access/catalog";
import { DEFAULT_RULES } from "@/lib/access/policy";
import { catalogItemInput, type CatalogItemInput } from "@/lib/access/schemas";

const GROUP = "Incident commanders";
const MEMBERS = ["alice.admin@example.com", "noah.patel@example.com"];

export async function seedDemoCatalog(db: Db, admin: Actor, connectionId: string): Promise<number> {
  let created = 0;
  let group = await db.portalGroup.findUnique({ where: { name: GROUP }, select: { id: true } });
  if (!group) {
    group = { id: (await createGroup(db, admin, { name: GROUP, description: "Approve elevated PagerDuty access during incidents" })).groupId };
    for (const p of await db.person.findMany({ where: { email: { in: MEMBERS }, status: "ACTIVE" }, select: { id: true } })) await setGroupMember(db, admin, { groupId: group.id, personId: p.id, add: true });
  }
  const approvers = { kind: "approvers" as const, approvers: { teamManagers: false, personIds: [], groupIds: [group.id] }, approvalsNeeded: 1 as const, distinctGroups: false };
  const items: Omit<CatalogItemInput, "connectionId">[] = [
    { kind: "BASE_ROLE", role: "user", fromRoles: ["limited_user"], name: "Manager base role (from Responder)", description: "Create and edit services and schedules for a while, e.g. during an incident.", rules: { ...DEFAULT_RULES, deciders: [approvers], fallbackApproverIds: [admin.personId] } },
  ];
  const team = await db.pdTeam.findFirst({ where: { connectionId, removedAt: null }, orderBy: { name: "asc" }, select: { pdId: true, name: true } });
  if (team) items.push({ kind: "TEAM_ROLE", teamPdId: team.pdId, role: "manager", name: `Manager of ${team.name}`, description: `Manage the ${team.name} team in PagerDuty for a while.`, rules: { ...DEFAULT_RULES, fallbackApproverIds: [admin.personId] } });
  for (const item of items) {
    const exists = await db.accessCatalogItem.findFirst({ where: { connectionId, kind: item.kind, role: item.role, teamPdId: item.teamPdId ?? null }, select: { id: true } });
    if (exists) continue;
    await createCatalogItem(db, admin, catalogItemInput.parse({ connectionId, ...item, reason: "Demo catalog" }));
    created++;
  }
  return created;
}
