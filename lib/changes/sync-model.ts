/**
 * After a verified change, the synced model and the grants are updated from what the verifying read showed,
 * so pages reflect PagerDuty without waiting for the next sync. (lib/sync and lib/grants expose no
 * single-change update yet; the next sync reconciles these rows anyway, with the same keys.)
 */
import { randomUUID } from "node:crypto";
import type { Tx } from "@/lib/db";
import type { ChangeCauseKind, GrantOrigin } from "@/lib/generated/prisma/client";
import type { Observation } from "./observe";
import type { Desired, Prior } from "./types";

const ORIGIN: Record<ChangeCauseKind, GrantOrigin> = {
  REVIEW_DECISION: "REVIEW",
  APPROVAL: "REQUEST",
  LIFECYCLE_EVENT: "POLICY",
  EXPIRY: "REQUEST",
  ADMIN_ACTION: "REQUEST",
  UNDO: "REQUEST",
};

interface Verified {
  id: string;
  connectionId: string;
  desired: Desired;
  prior: Prior | null;
  causeKind: ChangeCauseKind;
  causeId: string;
  userPdId: string | null;
}

export async function applyToSyncedModel(tx: Tx, change: Verified, observation: Observation, at: Date): Promise<void> {
  const { connectionId, desired } = change;
  const seen = { lastSeenAt: at, removedAt: null };
  switch (desired.kind) {
    case "TEAM_MEMBER_PUT": {
      const key = { connectionId, teamPdId: desired.teamId, userPdId: desired.userId };
      await tx.pdTeamMembership.upsert({ where: { connectionId_teamPdId_userPdId: key }, create: { ...key, role: desired.role, firstSeenAt: at, ...seen }, update: { role: desired.role, ...seen } });
      await replaceGrant(tx, change, `team:${desired.teamId}:`, { entitlement: "TEAM_MEMBER", entitlementKey: `team:${desired.teamId}:${desired.role}`, role: desired.role, teamPdId: desired.teamId }, at);
      return;
    }
    case "TEAM_MEMBER_REMOVE":
      await tx.pdTeamMembership.updateMany({ where: { connectionId, teamPdId: desired.teamId, userPdId: desired.userId, removedAt: null }, data: { removedAt: at } });
      await endGrants(tx, connectionId, desired.userId, `team:${desired.teamId}:`, at);
      return;
    case "USER_ROLE_CHANGE":
      await tx.pdUser.updateMany({ where: { connectionId, pdId: desired.userId }, data: { role: desired.role, lastSeenAt: at } });
      await replaceGrant(tx, change, "base_role:", { entitlement: "BASE_ROLE", entitlementKey: `base_role:${desired.role}`, role: desired.role, teamPdId: null }, at);
      return;
    case "USER_CREATE": {
      const pdId = observation.userId;
      if (!pdId) return;
      const role = String(observation.observed.role ?? desired.role ?? "user");
      const fields = { name: desired.name, email: desired.email, emailLower: desired.email.toLowerCase(), role, jobTitle: desired.jobTitle ?? null, timeZone: desired.timeZone ?? null, licensePdId: desired.licenseId ?? null };
      await tx.pdUser.upsert({ where: { connectionId_pdId: { connectionId, pdId } }, create: { connectionId, pdId, ...fields, firstSeenAt: at, ...seen }, update: { ...fields, ...seen } });
      await replaceGrant(tx, { ...change, userPdId: pdId, desired: { kind: "USER_ROLE_CHANGE", userId: pdId, role } }, "base_role:", { entitlement: "BASE_ROLE", entitlementKey: `base_role:${role}`, role, teamPdId: null }, at);
      return;
    }
    case "USER_DELETE":
      await tx.pdUser.updateMany({ where: { connectionId, pdId: desired.userId, removedAt: null }, data: { removedAt: at } });
      await tx.pdTeamMembership.updateMany({ where: { connectionId, userPdId: desired.userId, removedAt: null }, data: { removedAt: at } });
      await tx.pdScheduleLayerMember.updateMany({ where: { connectionId, userPdId: desired.userId, removedAt: null }, data: { removedAt: at } });
      await endGrants(tx, connectionId, desired.userId, "", at);
      return;
    case "USER_SIGN_OUT":
      return;
  }
}

async function endGrants(tx: Tx, connectionId: string, pdUserId: string, keyPrefix: string, at: Date) {
  await tx.grant.updateMany({ where: { connectionId, pdUserId, removedAt: null, entitlementKey: { startsWith: keyPrefix } }, data: { removedAt: at, activeKey: null } });
}

/** One live grant per holding: a changed role ends the old grant and starts one that points back at it. */
async function replaceGrant(
  tx: Tx,
  change: Verified,
  keyPrefix: string,
  grant: { entitlement: "TEAM_MEMBER" | "BASE_ROLE"; entitlementKey: string; role: string; teamPdId: string | null },
  at: Date,
) {
  const pdUserId = "userId" in change.desired ? change.desired.userId : change.userPdId;
  if (!pdUserId) return;
  const activeKey = `${change.connectionId}|${pdUserId}|${grant.entitlementKey}`;
  const current = await tx.grant.findFirst({ where: { connectionId: change.connectionId, pdUserId, removedAt: null, entitlementKey: { startsWith: keyPrefix } }, orderBy: { firstSeenAt: "desc" } });
  if (current?.entitlementKey === grant.entitlementKey) {
    await tx.grant.update({ where: { id: current.id }, data: { lastSeenAt: at } });
    return;
  }
  await endGrants(tx, change.connectionId, pdUserId, keyPrefix, at);
  // Restoring a prior holding (a just-in-time grant's end, an undo) gives it back the origin it had.
  let origin = ORIGIN[change.causeKind];
  let originRef: string | null = `${change.causeKind.toLowerCase()}:${change.causeId}`;
  if (change.causeKind === "EXPIRY" || change.causeKind === "UNDO") {
    const earlier = await tx.grant.findFirst({ where: { connectionId: change.connectionId, pdUserId, entitlementKey: grant.entitlementKey, removedAt: { not: null } }, orderBy: { removedAt: "desc" }, select: { origin: true, originRef: true } });
    if (earlier) ({ origin, originRef } = earlier);
  }
  await tx.grant.create({
    data: {
      id: randomUUID(),
      connectionId: change.connectionId,
      pdUserId,
      ...grant,
      origin,
      originRef,
      activeKey,
      previousGrantId: current?.id ?? null,
      firstSeenAt: at,
      lastSeenAt: at,
    },
  });
}
