/**
 * Attribution for drift: the account-wide audit records read by this run when the account has the audit
 * trail; otherwise the per-resource feeds (/teams/{id}/audit/records, /users/{id}/…, /schedules/{id}/…)
 * of the drifted resources, but only while that stays cheap. Beyond that, drift is "unknown actor".
 */
import { AttributionIndex } from "@/lib/grants/attribution";
import type { PlannedGrant } from "@/lib/grants/derive";
import type { AuditResourceType, PdAuditRecord } from "@/lib/pagerduty";
import type { SyncContext } from "./context";
import { readAll } from "./full";

/** Per-resource feeds read at most for this many drifted resources. */
export const PER_RESOURCE_LIMIT = 10;

export async function attributeDrift(ctx: SyncContext, planned: PlannedGrant[], records: PdAuditRecord[], since: Date | null): Promise<AttributionIndex> {
  const index = new AttributionIndex(records);
  if (ctx.abilities.has("audit_trail") || planned.length === 0) return index;
  const resources = new Map<string, [AuditResourceType, string]>();
  for (const g of planned) {
    if (g.entitlement === "TEAM_MEMBER" && g.teamPdId) resources.set(`t${g.teamPdId}`, ["teams", g.teamPdId]);
    else if (g.entitlement === "BASE_ROLE") resources.set(`u${g.pdUserId}`, ["users", g.pdUserId]);
    else if (g.schedulePdId) resources.set(`s${g.schedulePdId}`, ["schedules", g.schedulePdId]);
  }
  if (resources.size > PER_RESOURCE_LIMIT) {
    ctx.progress.warn(`Drift on ${resources.size} resources: without the account's audit trail only up to ${PER_RESOURCE_LIMIT} are looked up, so the rest shows an unknown actor.`);
    return index;
  }
  const q = since ? { since: since.toISOString(), until: ctx.seenAt.toISOString() } : {};
  for (const [type, id] of resources.values()) {
    try {
      index.add(await readAll(ctx, "auditRecords", ctx.client.listResourceAuditRecords(type, id, q)));
    } catch {
      // Attribution is best effort: a resource feed we may not read leaves that drift "unknown".
    }
  }
  return index;
}
