/**
 * Just-in-time access rows for the action tables (role matrix): a connection with a synced team, a catalog
 * item on it whose approver is a named person, PagerDuty users matched by e-mail to portal people, and
 * requests in a given state. Written directly, as a sync and the domain would have written them.
 */
import { randomUUID } from "node:crypto";
import type { Db } from "@/lib/db";
import type { AccessRequestStatus } from "@/lib/generated/prisma/client";
import { DEFAULT_RULES, rulesSha256 } from "@/lib/access/policy";
import { policyRulesSchema } from "@/lib/access/policy";
import { insertConnection } from "../../connections/support/fixtures";
import { insertPdUser } from "../../pagerduty-data/fixtures";

export interface AccessRows {
  connectionId: string;
  itemId: string;
  teamPdId: string;
}

/** A connection, a team, and a catalog item "manager of the team" approved by `approverId`. */
export async function accessCatalog(db: Db, ownerPersonId: string, approverId: string): Promise<AccessRows> {
  const c = await insertConnection(db, { ownerPersonId, apiBaseUrl: "http://127.0.0.1:9" });
  const now = new Date();
  const teamPdId = `PT${randomUUID().slice(0, 6).toUpperCase()}`;
  await db.pdTeam.create({ data: { connectionId: c.id, pdId: teamPdId, name: "Platform", firstSeenAt: now, lastSeenAt: now } });
  const rules = policyRulesSchema.parse({ ...DEFAULT_RULES, deciders: [{ kind: "approvers", approvers: { teamManagers: false, personIds: [approverId], groupIds: [] }, approvalsNeeded: 1, distinctGroups: false }] });
  const itemId = randomUUID();
  await db.accessCatalogItem.create({ data: { id: itemId, connectionId: c.id, kind: "TEAM_ROLE", entitlementKey: `team:${teamPdId}:manager`, teamPdId, role: "manager", name: "Platform manager", createdById: ownerPersonId, createdAt: now } });
  await db.accessPolicyVersion.create({ data: { id: randomUUID(), catalogItemId: itemId, version: 1, rules, rulesSha256: rulesSha256(rules), createdById: ownerPersonId, createdAt: now, reason: "Created" } });
  return { connectionId: c.id, itemId, teamPdId };
}

/** The PagerDuty user of a portal person (same e-mail), created on first use. */
export async function pdUserFor(db: Db, connectionId: string, email: string): Promise<string> {
  const existing = await db.pdUser.findFirst({ where: { connectionId, emailLower: email.toLowerCase() } });
  return existing?.pdId ?? (await insertPdUser(db, connectionId, { email, role: "user" })).pdId;
}

/** A request of `requesterId` for the item, in `status` (live ones started an hour ago, for two hours). */
export async function accessRequest(db: Db, rows: AccessRows, requester: { id: string; email: string }, status: AccessRequestStatus): Promise<string> {
  const pdUserId = await pdUserFor(db, rows.connectionId, requester.email);
  const now = Date.now();
  const live = status === "ACTIVE" || status === "APPROVED";
  const id = randomUUID();
  await db.accessRequest.create({
    data: {
      id,
      connectionId: rows.connectionId,
      catalogItemId: rows.itemId,
      policyVersion: 1,
      status,
      requesterId: requester.id,
      requesterLabel: `Requester <${requester.email}>`,
      pdUserId,
      entitlementKey: `team:${rows.teamPdId}:manager`,
      durationMinutes: 120,
      reason: "Incident follow-up",
      requestedAt: new Date(now - 3_600_000),
      decideBy: new Date(now + 86_400_000),
      ...(live ? { decidedAt: new Date(now - 3_600_000), startsAt: new Date(now - 3_600_000), endsAt: new Date(now + 3_600_000), priorState: { member: false } } : {}),
    },
  });
  return id;
}
