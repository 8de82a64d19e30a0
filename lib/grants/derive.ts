/**
 * Grants derived from the synced model: (user, base role R), (user, member of team T with role R),
 * (user, member of schedule S). Planned first (a read), so the caller can fetch attribution for drift
 * over HTTP outside any transaction, then applied in one transaction:
 *  - held grants get lastSeenAt = the run's time;
 *  - grants no longer held are removed (activeKey cleared, the removing run recorded);
 *  - new holdings become grants: BASELINE on the first successful sync, DRIFT afterwards (no other origin
 *    exists yet), with attribution. A new holding of the same team or base role kind that replaces one
 *    removed in the same run points at it (previousGrantId): a role change reads as one event.
 */
import { randomUUID } from "node:crypto";
import type { DbOrTx, Tx } from "@/lib/db";
import { upsertRows, type Row, type TableSpec } from "@/lib/sync/bulk";
import { UNKNOWN_ATTRIBUTION, type Attribution, type GrantSubject } from "./attribution";

export interface PlannedGrant extends GrantSubject {
  entitlementKey: string;
  role: string | null;
}

/** The holdings the synced model shows now ($1 = connection id). */
const DESIRED = `
  SELECT 'BASE_ROLE' AS ent, u."pdId" AS uid, 'base_role:' || u."role" AS k, u."role" AS role, NULL::text AS team, NULL::text AS sched
    FROM "PdUser" u WHERE u."connectionId" = $1 AND u."removedAt" IS NULL
  UNION ALL
  SELECT 'TEAM_MEMBER', m."userPdId", 'team:' || m."teamPdId" || ':' || m."role", m."role", m."teamPdId", NULL
    FROM "PdTeamMembership" m
    JOIN "PdUser" u ON u."connectionId" = m."connectionId" AND u."pdId" = m."userPdId" AND u."removedAt" IS NULL
    WHERE m."connectionId" = $1 AND m."removedAt" IS NULL
  UNION ALL
  SELECT DISTINCT 'SCHEDULE_MEMBER', l."userPdId", 'schedule:' || l."schedulePdId", NULL, NULL, l."schedulePdId"
    FROM "PdScheduleLayerMember" l
    JOIN "PdUser" u ON u."connectionId" = l."connectionId" AND u."pdId" = l."userPdId" AND u."removedAt" IS NULL
    WHERE l."connectionId" = $1 AND l."removedAt" IS NULL`;

const activeKeyOf = (connectionId: string, userId: string, key: string) => `${connectionId}|${userId}|${key}`;
const HELD = `g."activeKey" = $1 || '|' || d.uid || '|' || d.k`;

/** Holdings not yet held as grants. */
export async function planNewGrants(db: DbOrTx, connectionId: string): Promise<PlannedGrant[]> {
  const rows = await db.$queryRawUnsafe<{ ent: PlannedGrant["entitlement"]; uid: string; k: string; role: string | null; team: string | null; sched: string | null }[]>(
    `WITH d AS (${DESIRED}) SELECT d.* FROM d WHERE NOT EXISTS (SELECT 1 FROM "Grant" g WHERE ${HELD})`,
    connectionId,
  );
  return rows.map((r) => ({ entitlement: r.ent, pdUserId: r.uid, entitlementKey: r.k, role: r.role, teamPdId: r.team, schedulePdId: r.sched }));
}

const text = (name: string) => ({ name, type: "text" as const });
const GRANTS: TableSpec = {
  table: "Grant",
  key: ["id"],
  columns: [
    text("id"),
    text("connectionId"),
    text("pdUserId"),
    { name: "entitlement", type: "enum", enumType: "EntitlementKind" },
    text("entitlementKey"),
    text("role"),
    text("teamPdId"),
    text("schedulePdId"),
    { name: "origin", type: "enum", enumType: "GrantOrigin" },
    text("activeKey"),
    text("previousGrantId"),
    text("firstSyncRunId"),
    text("changeActorType"),
    text("changeActorId"),
    text("changeActorLabel"),
    { name: "changeMethod", type: "enum", enumType: "ChangeMethod" },
    { name: "changedAt", type: "timestamptz" },
    text("changeAuditRecordId"),
  ],
};

export interface ApplyGrantsInput {
  connectionId: string;
  runId: string;
  at: Date;
  /** True on the first successful sync: new holdings are the baseline. */
  baseline: boolean;
  planned: PlannedGrant[];
  attribution: (g: PlannedGrant) => Attribution | null;
}

export interface GrantChanges {
  created: number;
  removed: number;
  drift: { id: string; pdUserId: string; entitlementKey: string; actor: string; method: string; changedAt: string | null }[];
}

/**
 * The first successful sync: every holding becomes a BASELINE grant, in one statement (no attribution to
 * look up, nothing to replace; tens of thousands of rows need not travel through the application).
 */
export async function applyBaselineGrants(tx: Tx, input: Pick<ApplyGrantsInput, "connectionId" | "runId" | "at">): Promise<GrantChanges> {
  const created = await tx.$executeRawUnsafe(
    `WITH d AS (${DESIRED})
     INSERT INTO "Grant" ("id", "connectionId", "pdUserId", "entitlement", "entitlementKey", "role", "teamPdId", "schedulePdId", "origin", "activeKey", "firstSyncRunId", "firstSeenAt", "lastSeenAt")
     SELECT gen_random_uuid()::text, $1, d.uid, d.ent::"EntitlementKind", d.k, d.role, d.team, d.sched, 'BASELINE'::"GrantOrigin", $1 || '|' || d.uid || '|' || d.k, $2, $3::timestamptz, $3::timestamptz
     FROM d WHERE NOT EXISTS (SELECT 1 FROM "Grant" g WHERE ${HELD})`,
    input.connectionId,
    input.runId,
    input.at.toISOString(),
  );
  return { created, removed: 0, drift: [] };
}

export async function applyGrants(tx: Tx, input: ApplyGrantsInput): Promise<GrantChanges> {
  const { connectionId: c, at, runId } = input;
  await tx.$executeRawUnsafe(`WITH d AS (${DESIRED}) UPDATE "Grant" g SET "lastSeenAt" = $2::timestamptz FROM d WHERE ${HELD}`, c, at.toISOString());
  // Every grant still held was just stamped with this run's time: the others are no longer held. (No anti-join
  // against the holdings: without table statistics — PGlite has no autovacuum — it ran as a nested loop.)
  const removed = await tx.$queryRawUnsafe<{ id: string; pdUserId: string; entitlement: string; teamPdId: string | null }[]>(
    `UPDATE "Grant" g SET "removedAt" = $2::timestamptz, "activeKey" = NULL, "removedSyncRunId" = $3
     WHERE g."connectionId" = $1 AND g."activeKey" IS NOT NULL AND g."lastSeenAt" IS DISTINCT FROM $2::timestamptz
     RETURNING g."id", g."pdUserId", g."entitlement"::text AS entitlement, g."teamPdId"`,
    c,
    at.toISOString(),
    runId,
  );
  const replaced = new Map<string, string>();
  for (const r of removed) if (r.entitlement !== "SCHEDULE_MEMBER") replaced.set(`${r.entitlement}|${r.pdUserId}|${r.teamPdId ?? ""}`, r.id);

  const drift: GrantChanges["drift"] = [];
  const rows: Row[] = input.planned.map((g) => {
    const id = randomUUID();
    const a = input.baseline ? null : (input.attribution(g) ?? UNKNOWN_ATTRIBUTION);
    if (a) drift.push({ id, pdUserId: g.pdUserId, entitlementKey: g.entitlementKey, actor: a.actorLabel ?? a.actorId ?? a.actorType, method: a.method, changedAt: a.changedAt?.toISOString() ?? null });
    return {
      id,
      connectionId: c,
      pdUserId: g.pdUserId,
      entitlement: g.entitlement,
      entitlementKey: g.entitlementKey,
      role: g.role,
      teamPdId: g.teamPdId,
      schedulePdId: g.schedulePdId,
      origin: input.baseline ? "BASELINE" : "DRIFT",
      activeKey: activeKeyOf(c, g.pdUserId, g.entitlementKey),
      previousGrantId: replaced.get(`${g.entitlement}|${g.pdUserId}|${g.teamPdId ?? ""}`) ?? null,
      firstSyncRunId: runId,
      changeActorType: a?.actorType ?? null,
      changeActorId: a?.actorId ?? null,
      changeActorLabel: a?.actorLabel ?? null,
      changeMethod: a?.method ?? null,
      changedAt: a?.changedAt ?? null,
      changeAuditRecordId: a?.auditRecordId ?? null,
    };
  });
  await upsertRows(tx, GRANTS, rows, at);
  return { created: rows.length, removed: removed.length, drift };
}
