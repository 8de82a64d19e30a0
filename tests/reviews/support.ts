/**
 * A small synced organisation for review tests, written as a completed sync leaves it (connection,
 * PagerDuty users, a team with its manager, team and base-role grants, a succeeded sync run), with portal
 * people matched to PagerDuty users by e-mail, and helpers to define and launch campaigns.
 */
import { randomUUID } from "node:crypto";
import type { Actor } from "@/lib/auth/session";
import type { Db } from "@/lib/db";
import type { PortalRole } from "@/lib/generated/prisma/client";
import { createCampaign, launchCampaign } from "@/lib/reviews/campaigns";
import type { CreateCampaignInput } from "@/lib/reviews/schemas";
import { insertConnection } from "../connections/support/fixtures";

process.env.DEMO_MODE ??= "true"; // the connection fixture seals its key with demo mode's fixed key

let n = 0;

export async function person(db: Db, name: string, roles: PortalRole[] = ["MEMBER"]) {
  const tag = `${Date.now().toString(36)}${++n}`;
  return db.person.create({ data: { id: `p${tag}`, email: `${name.toLowerCase().replace(/\W+/g, ".")}.${tag}@example.com`, name, roles: [...new Set<PortalRole>([...roles, "MEMBER"])], status: "ACTIVE" } });
}

export const actorOf = (p: { id: string; email: string; name: string; roles: PortalRole[] }): Actor => ({ personId: p.id, email: p.email, name: p.name, roles: [...p.roles] });

export interface World {
  connectionId: string;
  teamId: string;
  admin: Awaited<ReturnType<typeof person>>;
  auditor: Awaited<ReturnType<typeof person>>;
  manager: Awaited<ReturnType<typeof person>>;
  members: Awaited<ReturnType<typeof person>>[];
  /** PagerDuty user id of each person (by person id), plus an unmatched PagerDuty user. */
  pdOf: Map<string, string>;
  unmatchedPdId: string;
}

async function grant(db: Db, connectionId: string, pdUserId: string, kind: "BASE_ROLE" | "TEAM_MEMBER", key: string, extra: { role?: string; teamPdId?: string; origin?: "BASELINE" | "DRIFT" }, at: Date) {
  await db.grant.create({
    data: { id: randomUUID(), connectionId, pdUserId, entitlement: kind, entitlementKey: key, role: extra.role ?? null, teamPdId: extra.teamPdId ?? null, origin: extra.origin ?? "BASELINE", activeKey: `${connectionId}|${pdUserId}|${key}`, firstSeenAt: at, lastSeenAt: at },
  });
}

/**
 * One team: `manager` is its manager in PagerDuty; `members` (count) are responders; base roles "user"
 * (the first member is an admin). An unmatched PagerDuty user with a pending invitation holds a drifted
 * team membership. `apiBaseUrl`: where the connection points (a simulator when remediation runs).
 */
export async function seedWorld(db: Db, opts: { members?: number; syncedAt?: Date; apiBaseUrl?: string; lastSyncFailed?: boolean; now?: Date } = {}): Promise<World> {
  const now = opts.now ?? new Date();
  const syncedAt = opts.syncedAt ?? now;
  const admin = await person(db, "Ada Admin", ["ADMIN"]);
  const auditor = await person(db, "Otto Auditor", ["AUDITOR"]);
  const manager = await person(db, "Maya Manager");
  const members = [];
  for (let i = 0; i < (opts.members ?? 3); i++) members.push(await person(db, `Member ${String.fromCharCode(65 + i)}`));
  const conn = await insertConnection(db, { ownerPersonId: admin.id, apiBaseUrl: opts.apiBaseUrl ?? "http://127.0.0.1:9" });
  const connectionId = conn.id;
  const seen = { firstSeenAt: syncedAt, lastSeenAt: syncedAt };
  const teamId = `PT${++n}`;
  await db.pdTeam.create({ data: { connectionId, pdId: teamId, name: "Platform", ...seen } });
  const pdOf = new Map<string, string>();
  const all = [manager, ...members];
  for (const [i, p] of all.entries()) {
    const pdId = `PU${n}X${i}`;
    pdOf.set(p.id, pdId);
    const role = i === 1 ? "admin" : "user";
    await db.pdUser.create({ data: { connectionId, pdId, name: p.name, email: p.email, emailLower: p.email.toLowerCase(), role, ...seen } });
    await db.pdTeamMembership.create({ data: { connectionId, teamPdId: teamId, userPdId: pdId, role: p === manager ? "manager" : "responder", ...seen } });
    await grant(db, connectionId, pdId, "BASE_ROLE", `base_role:${role}`, { role }, syncedAt);
    await grant(db, connectionId, pdId, "TEAM_MEMBER", `team:${teamId}:${p === manager ? "manager" : "responder"}`, { role: p === manager ? "manager" : "responder", teamPdId: teamId }, syncedAt);
  }
  const unmatchedPdId = `PU${n}XU`;
  await db.pdUser.create({ data: { connectionId, pdId: unmatchedPdId, name: "Ghost Contractor", email: `ghost.${n}@contractor.example`, emailLower: `ghost.${n}@contractor.example`, role: "user", invitationPending: true, ...seen } });
  await db.pdTeamMembership.create({ data: { connectionId, teamPdId: teamId, userPdId: unmatchedPdId, role: "responder", ...seen } });
  await grant(db, connectionId, unmatchedPdId, "BASE_ROLE", "base_role:user", { role: "user" }, syncedAt);
  await grant(db, connectionId, unmatchedPdId, "TEAM_MEMBER", `team:${teamId}:responder`, { role: "responder", teamPdId: teamId, origin: "DRIFT" }, syncedAt);
  const runId = randomUUID();
  await db.syncRun.create({ data: { id: runId, connectionId, kind: "FULL", trigger: "MANUAL", status: "SUCCEEDED", phase: "done", startedAt: syncedAt, progressAt: syncedAt, finishedAt: syncedAt } });
  if (opts.lastSyncFailed) {
    const later = new Date(syncedAt.getTime() + 60_000);
    await db.syncRun.create({ data: { id: randomUUID(), connectionId, kind: "INCREMENTAL", trigger: "SCHEDULE", status: "FAILED", phase: "users", error: "PagerDuty answered 500", startedAt: later, progressAt: later, finishedAt: later } });
  }
  await db.pagerDutyConnection.update({ where: { id: connectionId }, data: { lastSyncAt: syncedAt, lastSuccessfulSyncAt: syncedAt, lastFullSyncAt: syncedAt, baselineAt: syncedAt } });
  return { connectionId, teamId, admin, auditor, manager, members, pdOf, unmatchedPdId };
}

export function campaignInput(w: World, extra: Partial<CreateCampaignInput> = {}): CreateCampaignInput {
  return {
    name: "Quarterly Platform review",
    description: "",
    connectionIds: [w.connectionId],
    scope: { kinds: ["TEAM_MEMBER"] },
    policy: { steps: [{ kind: "team_managers" }] },
    fallbackReviewerId: w.admin.id,
    justifyHighRisk: false,
    dueAt: new Date(Date.now() + 14 * 86_400_000),
    recurrenceMonths: null,
    ...extra,
  };
}

/** Defines and launches a campaign as the world's admin. */
export async function launched(db: Db, w: World, extra: Partial<CreateCampaignInput> = {}, overrideReason?: string) {
  const { campaignId } = await createCampaign(db, actorOf(w.admin), campaignInput(w, extra));
  const result = await launchCampaign(db, actorOf(w.admin), { campaignId, overrideReason });
  return result;
}

/**
 * For the role matrix: a launched campaign whose first member item is reviewed by `reviewerId` (when
 * given), optionally with a draft on it.
 */
export async function campaignWithItemFor(db: Db, reviewerId: string | null, opts: { draft?: boolean } = {}) {
  const w = await seedWorld(db);
  const c = await launched(db, w);
  const item = (await db.reviewItem.findMany({ where: { campaignId: c.campaignId, subjectPersonId: w.members[0]!.id } }))[0]!;
  await db.reviewItem.update({ where: { id: item.id }, data: { reviewerId: reviewerId ?? w.manager.id, ...(opts.draft ? { draftDecision: "CERTIFY" as const, draftAt: new Date() } : {}) } });
  return { world: w, campaignId: c.campaignId, itemId: item.id };
}
