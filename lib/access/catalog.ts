/**
 * The request catalog (Admin → Policies): what can be requested on each connection, under a versioned
 * policy. Every change is a new immutable AccessPolicyVersion with its reason and an audit event; requests
 * keep the version they were made and decided under. Portal groups (approvers, "from different groups").
 */
import { randomUUID } from "node:crypto";
import { appendAudit } from "@/lib/audit";
import type { Actor } from "@/lib/auth/session";
import type { Db, Tx } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { PD_TEAM_ROLES } from "@/lib/pagerduty";
import { entitlementKeyOf } from "./entitlement";
import { AccessRefused, personActor, requireActor } from "./errors";
import { accessNow } from "./options";
import { approvalDecider, rulesSha256, type PolicyRules } from "./policy";
import type { catalogItemInput, groupInput, groupMemberInput, retireItemInput, updatePolicyInput } from "./schemas";
import type { z } from "zod";

type ItemInput = z.output<typeof catalogItemInput>;

export async function createCatalogItem(db: Db, actorIn: Actor | null, input: ItemInput): Promise<{ itemId: string }> {
  const actor = requireActor(actorIn, "policy.manage");
  return db.$transaction(async (tx) => {
    const connection = await tx.pagerDutyConnection.findUnique({ where: { id: input.connectionId }, select: { id: true, status: true } });
    if (!connection || connection.status === "REMOVED") throw new AccessRefused("No such PagerDuty account: it does not exist or was removed.", { connectionId: ["Choose a connected account."] });
    const isTeam = input.kind === "TEAM_ROLE";
    if (isTeam) {
      if (!input.teamPdId) throw new AccessRefused("Choose the team this item grants membership of.", { teamPdId: ["Choose a team."] });
      if (!(PD_TEAM_ROLES as readonly string[]).includes(input.role)) throw new AccessRefused("A team item grants a team role: observer, responder or manager.", { role: ["Choose a team role."] });
      const team = await tx.pdTeam.findFirst({ where: { connectionId: input.connectionId, pdId: input.teamPdId, removedAt: null }, select: { pdId: true } });
      if (!team) throw new AccessRefused("That team is not in the synced account (sync first, or choose another).", { teamPdId: ["Choose a synced team."] });
    } else {
      if ((PD_TEAM_ROLES as readonly string[]).includes(input.role) && input.role !== "observer") throw new AccessRefused("A base-role item grants a base role (e.g. user, admin).", { role: ["Choose a base role."] });
      if (input.role === "owner") throw new AccessRefused("The account owner role cannot be granted: PagerDuty has exactly one owner.", { role: ["Choose another role."] });
      if (input.teamPdId) throw new AccessRefused("A base-role item names no team.", { teamPdId: ["Leave the team empty."] });
    }
    await checkRules(tx, input.rules, isTeam);
    const entitlementKey = entitlementKeyOf({ kind: input.kind, teamPdId: input.teamPdId ?? null, role: input.role });
    const clash = await tx.accessCatalogItem.findUnique({ where: { connectionId_entitlementKey: { connectionId: input.connectionId, entitlementKey } }, select: { id: true, name: true } });
    if (clash) throw new AccessRefused(`The catalog already offers this (“${clash.name}”): edit its policy instead.`, { role: ["Already offered."] });
    const id = randomUUID();
    const now = accessNow();
    await tx.accessCatalogItem.create({
      data: { id, connectionId: input.connectionId, kind: input.kind, entitlementKey, teamPdId: input.teamPdId ?? null, role: input.role, fromRoles: isTeam ? [] : input.fromRoles, name: input.name, description: input.description, currentVersion: 1, createdById: actor.personId, createdAt: now },
    });
    await tx.accessPolicyVersion.create({ data: { id: randomUUID(), catalogItemId: id, version: 1, rules: input.rules as unknown as Prisma.InputJsonValue, rulesSha256: rulesSha256(input.rules), createdById: actor.personId, createdAt: now, reason: input.reason ?? "Created" } });
    await appendAudit(tx, { actor: personActor(actor), action: "access.catalog_item_created", target: { type: "access_catalog_item", id }, accountId: input.connectionId, after: { ...input, entitlementKey, version: 1 }, reason: input.reason ?? null });
    return { itemId: id };
  });
}

export async function updatePolicy(db: Db, actorIn: Actor | null, input: z.output<typeof updatePolicyInput>): Promise<{ version: number }> {
  const actor = requireActor(actorIn, "policy.manage");
  return db.$transaction(async (tx) => {
    const [item] = await tx.$queryRaw<{ id: string; currentVersion: number; connectionId: string; kind: string }[]>`SELECT "id", "currentVersion", "connectionId", "kind"::text FROM "AccessCatalogItem" WHERE "id" = ${input.itemId} FOR UPDATE`;
    if (!item) throw new AccessRefused("No such catalog item.");
    if (item.currentVersion !== input.baseVersion) throw new AccessRefused(`The policy was changed meanwhile (now version ${item.currentVersion}): reload and edit that version.`);
    await checkRules(tx, input.rules, item.kind === "TEAM_ROLE");
    const before = await tx.accessPolicyVersion.findUnique({ where: { catalogItemId_version: { catalogItemId: item.id, version: item.currentVersion } }, select: { rules: true, rulesSha256: true } });
    const sha = rulesSha256(input.rules);
    if (before?.rulesSha256 === sha) throw new AccessRefused("Nothing changed: the rules are the same as the current version.");
    const version = item.currentVersion + 1;
    const now = accessNow();
    await tx.accessPolicyVersion.create({ data: { id: randomUUID(), catalogItemId: item.id, version, rules: input.rules as unknown as Prisma.InputJsonValue, rulesSha256: sha, createdById: actor.personId, createdAt: now, reason: input.reason } });
    await tx.accessCatalogItem.update({ where: { id: item.id }, data: { currentVersion: version } });
    await appendAudit(tx, { actor: personActor(actor), action: "access.policy_changed", target: { type: "access_catalog_item", id: item.id }, accountId: item.connectionId, before: { version: item.currentVersion, rules: before?.rules }, after: { version, rules: input.rules }, reason: input.reason });
    return { version };
  });
}

export async function setItemRetired(db: Db, actorIn: Actor | null, input: z.output<typeof retireItemInput>): Promise<void> {
  const actor = requireActor(actorIn, "policy.manage");
  await db.$transaction(async (tx) => {
    const item = await tx.accessCatalogItem.findUnique({ where: { id: input.itemId }, select: { id: true, retiredAt: true, connectionId: true } });
    if (!item) throw new AccessRefused("No such catalog item.");
    if (Boolean(item.retiredAt) === input.retired) throw new AccessRefused(input.retired ? "The item is already retired." : "The item is already offered.");
    await tx.accessCatalogItem.update({ where: { id: item.id }, data: { retiredAt: input.retired ? accessNow() : null } });
    await appendAudit(tx, { actor: personActor(actor), action: input.retired ? "access.catalog_item_retired" : "access.catalog_item_restored", target: { type: "access_catalog_item", id: item.id }, accountId: item.connectionId, reason: input.reason });
  });
}

/** Named approvers, groups and fallback approvers must exist, be active and not be auditors. */
async function checkRules(tx: Tx, rules: PolicyRules, isTeam: boolean): Promise<void> {
  const d = approvalDecider(rules);
  if (d.approvers.teamManagers && !isTeam && d.approvers.personIds.length === 0 && d.approvers.groupIds.length === 0) {
    throw new AccessRefused("A base-role item has no team, so “the team's managers” cannot approve it: name people or a group.", { "rules.deciders.0.approvers": ["Name people or a group."] });
  }
  const people = [...new Set([...d.approvers.personIds, ...rules.fallbackApproverIds])];
  if (people.length) {
    const found = await tx.person.findMany({ where: { id: { in: people }, status: "ACTIVE" }, select: { id: true, roles: true } });
    if (found.length !== people.length) throw new AccessRefused("A named approver is not an active person of the portal.", { "rules.deciders.0.approvers.personIds": ["Choose active people."] });
    if (found.some((p) => p.roles.includes("AUDITOR"))) throw new AccessRefused("Auditors approve nothing (they stay independent): name approvers who are not auditors.", { "rules.deciders.0.approvers.personIds": ["Choose someone who is not an auditor."] });
  }
  if (d.approvers.groupIds.length) {
    const groups = await tx.portalGroup.count({ where: { id: { in: d.approvers.groupIds } } });
    if (groups !== new Set(d.approvers.groupIds).size) throw new AccessRefused("A named approver group does not exist.", { "rules.deciders.0.approvers.groupIds": ["Choose existing groups."] });
  }
  if (rules.fallbackApproverIds.length === 0) throw new AccessRefused("Name at least one fallback approver: unanswered requests are escalated to them.", { "rules.fallbackApproverIds": ["Choose a fallback approver."] });
}

export async function createGroup(db: Db, actorIn: Actor | null, input: z.output<typeof groupInput>): Promise<{ groupId: string }> {
  const actor = requireActor(actorIn, "policy.manage");
  return db.$transaction(async (tx) => {
    if (await tx.portalGroup.findUnique({ where: { name: input.name }, select: { id: true } })) throw new AccessRefused(`A group named “${input.name}” exists already.`, { name: ["Choose another name."] });
    const id = randomUUID();
    await tx.portalGroup.create({ data: { id, name: input.name, description: input.description, createdById: actor.personId, createdAt: accessNow() } });
    await appendAudit(tx, { actor: personActor(actor), action: "access.group_created", target: { type: "portal_group", id }, after: input });
    return { groupId: id };
  });
}

export async function setGroupMember(db: Db, actorIn: Actor | null, input: z.output<typeof groupMemberInput>): Promise<void> {
  const actor = requireActor(actorIn, "policy.manage");
  await db.$transaction(async (tx) => {
    const group = await tx.portalGroup.findUnique({ where: { id: input.groupId }, select: { id: true, name: true } });
    if (!group) throw new AccessRefused("No such portal group: it does not exist (any more).");
    const person = await tx.person.findUnique({ where: { id: input.personId }, select: { id: true, status: true, roles: true, email: true } });
    if (!person) throw new AccessRefused("No such person in the portal.");
    const existing = await tx.portalGroupMember.findUnique({ where: { groupId_personId: { groupId: group.id, personId: person.id } } });
    if (input.add) {
      if (existing) throw new AccessRefused(`${person.email} is already in ${group.name}.`);
      if (person.status !== "ACTIVE") throw new AccessRefused("Only active people can join a group.");
      await tx.portalGroupMember.create({ data: { groupId: group.id, personId: person.id, addedById: actor.personId, addedAt: accessNow() } });
    } else {
      if (!existing) throw new AccessRefused(`${person.email} is not in ${group.name}.`);
      await tx.portalGroupMember.delete({ where: { groupId_personId: { groupId: group.id, personId: person.id } } });
    }
    await appendAudit(tx, { actor: personActor(actor), action: input.add ? "access.group_member_added" : "access.group_member_removed", target: { type: "portal_group", id: group.id }, after: { personId: person.id, email: person.email } });
  });
}
