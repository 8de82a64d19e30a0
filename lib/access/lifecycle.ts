/**
 * Grant and end: the only two places just-in-time access touches PagerDuty, both through the one change
 * pipeline (createChanges) in the transaction of their cause, with their history event and audit event.
 *
 * Prior-state restoration: the first grant over a holding (a team membership, or the base role) records
 * what was there before; a grant over a holding another live grant already covers inherits that record.
 * When a grant ends, the holding goes back to the highest role the other live grants still need, or, when
 * it was the last one, to the recorded prior state: the previous base role; a membership removed only if
 * it did not exist before; the previous team role otherwise. Removals follow the pipeline's coverage rule
 * (automation waits for the end of the current shift, or is held for a person).
 */
import { appendAudit, type AuditActor } from "@/lib/audit";
import { createChanges, type Requester } from "@/lib/changes";
import type { Tx } from "@/lib/db";
import { Prisma, type AccessRequest } from "@/lib/generated/prisma/client";
import { currentState, describeState, grantSpec, heldRole, holdingPrefix, restoreSpec, roleRank, type CatalogTarget, type PriorState } from "./entitlement";
import { recordEvent, requestRef } from "./history";
import { notify } from "./notify";
import { formatMinutes, noticeTime, type PolicyRules } from "./policy";

export type EndReason = "EXPIRED" | "RETURNED" | "REVOKED";

const LIVE = ["APPROVED", "ACTIVE"] as const;

/** The request, locked for the rest of the transaction (null: no such request). */
export async function lockRequest(tx: Tx, id: string): Promise<AccessRequest | null> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "AccessRequest" WHERE "id" = ${id} FOR UPDATE`;
  return rows.length ? tx.accessRequest.findUnique({ where: { id } }) : null;
}

/** Other live grants over the same holding (same user, same team or base role). */
async function otherLiveGrants(tx: Tx, r: Pick<AccessRequest, "id" | "connectionId" | "pdUserId">, target: CatalogTarget, now: Date) {
  return tx.accessRequest.findMany({
    where: { id: { not: r.id }, kind: "GRANT", connectionId: r.connectionId, pdUserId: r.pdUserId, status: { in: [...LIVE] }, entitlementKey: { startsWith: holdingPrefix(target) }, endsAt: { gt: now } },
    select: { id: true, number: true, endsAt: true, priorState: true, entitlementKey: true, requestedAt: true },
    orderBy: { requestedAt: "asc" },
  });
}

const roleOfKey = (key: string): string => key.slice(key.lastIndexOf(":") + 1);

/** The highest role the given live grants need on the holding (null: none). */
const highestRole = (target: CatalogTarget, grants: readonly { entitlementKey: string }[]): string | null =>
  grants.map((o) => roleOfKey(o.entitlementKey)).sort((a, b) => roleRank(target.kind, b) - roleRank(target.kind, a))[0] ?? null;

/** Starts the grant of a fully approved request: APPROVED, ends at now + duration, the change queued. */
export async function startGrant(tx: Tx, r: AccessRequest, target: CatalogTarget, rules: PolicyRules, by: Requester, actor: AuditActor, now: Date): Promise<void> {
  const others = await otherLiveGrants(tx, r, target, now);
  const prior: PriorState | null = others.length ? (others[0]!.priorState as PriorState | null) : await currentState(tx, r.connectionId, r.pdUserId, target);
  if (!prior) throw new Error("the requester's PagerDuty user is not in the synced model");
  const endsAt = new Date(now.getTime() + r.durationMinutes * 60_000);
  // Never lower the holding below what another live grant gives (a responder grant while a manager grant lasts).
  const needed = highestRole(target, others);
  const grantRole = needed && roleRank(target.kind, needed) > roleRank(target.kind, target.role) ? needed : target.role;
  const created = await createChanges(tx, { connectionId: r.connectionId, cause: { kind: "approval", id: r.id }, requestedBy: by, changes: [{ spec: grantSpec({ ...target, role: grantRole }, r.pdUserId) }] });
  const change = created.changes[0]!;
  await tx.accessRequest.update({ where: { id: r.id }, data: { status: "APPROVED", decidedAt: now, startsAt: now, endsAt, noticeAt: noticeTime(rules, endsAt), priorState: prior as unknown as Prisma.InputJsonValue, grantChangeId: change.id } });
  const overlap = others.length ? ` Also held by ${others.map((o) => requestRef(o.number)).join(", ")}: the holding returns to its state before those grants (${describeState(target, prior)}) when the last one ends.${grantRole !== target.role ? ` It stays ${grantRole} while ${others.length > 1 ? "those grants need" : "that grant needs"} it.` : ""}` : "";
  await recordEvent(tx, r.id, "grant_requested", "portal", `Grant sent to PagerDuty through the change pipeline (${created.held ? `held by the brake: ${created.heldReason}` : change.status.toLowerCase()}); access ends ${endsAt.toISOString()} (${formatMinutes(r.durationMinutes)}).${overlap}`, now, { changeId: change.id, batchId: created.batchId, prior, endsAt });
  await appendAudit(tx, { actor, action: "access_request.granted", target: { type: "access_request", id: r.id }, accountId: r.connectionId, after: { changeId: change.id, endsAt: endsAt.toISOString(), prior } });
}

/**
 * Ends a live grant (expiry, given back, revoked): restores what the other live grants or the prior state
 * say, through the pipeline (cause EXPIRY), or ends at once when another grant still needs the holding.
 */
export async function endGrant(tx: Tx, requestId: string, reason: EndReason, target: CatalogTarget, who: { actor: AuditActor; label: string; personId: string | null }, now: Date, note = ""): Promise<"ending" | "ended" | "skipped"> {
  const r = await lockRequest(tx, requestId);
  if (!r || r.kind !== "GRANT" || !(LIVE as readonly string[]).includes(r.status)) return "skipped";
  const others = await otherLiveGrants(tx, r, target, now);
  const prior = r.priorState as PriorState | null;
  let restore: PriorState | null = null;
  let why: string;
  if (others.length) {
    const needed = highestRole(target, others)!;
    if (roleRank(target.kind, target.role) > roleRank(target.kind, needed)) restore = target.kind === "TEAM_ROLE" ? { member: true, role: needed } : { role: needed };
    why = restore
      ? `Another grant (${others.map((o) => requestRef(o.number)).join(", ")}) still needs ${needed}: the holding goes back to ${needed}.`
      : `Another grant (${others.map((o) => requestRef(o.number)).join(", ")}) still holds this until ${others.map((o) => o.endsAt?.toISOString()).join(", ")}: nothing changes in PagerDuty now.`;
  } else if (prior) {
    const current = await currentState(tx, r.connectionId, r.pdUserId, target);
    restore = prior;
    if (current && heldRole(current) === heldRole(prior) && ("member" in current ? current.member : true) === ("member" in prior ? prior.member : true)) restore = null;
    why = restore ? `Restoring the state before the grant: ${describeState(target, prior)}.` : `PagerDuty already shows the state before the grant (${describeState(target, prior)}): nothing to change.`;
  } else {
    why = "No prior state was recorded: nothing to restore.";
  }
  const endReason = reason;
  const label = reason === "EXPIRED" ? "Access expired" : reason === "RETURNED" ? "Access given back early" : "Access revoked";
  if (restore) {
    const requestedBy: Requester = { type: "system", job: `access.${reason.toLowerCase()}` };
    const created = await createChanges(tx, { connectionId: r.connectionId, cause: { kind: "expiry", id: r.id }, requestedBy, changes: [{ spec: restoreSpec(target, r.pdUserId, restore) }] });
    const change = created.changes[0]!;
    await tx.accessRequest.update({ where: { id: r.id }, data: { status: "ENDING", endReason, endedAt: now, endedById: who.personId, endChangeId: change.id } });
    await recordEvent(tx, r.id, "end_requested", who.label, `${label}. ${why} Sent through the change pipeline (${created.held ? `held by the brake: ${created.heldReason}` : change.status === "SCHEDULED" ? "scheduled after the current on-call shift, to keep it covered" : change.status.toLowerCase()}).${note ? ` ${note}` : ""}`, now, { changeId: change.id, restore, reason });
  } else {
    await tx.accessRequest.update({ where: { id: r.id }, data: { status: "ENDED", endReason, endedAt: now, endedById: who.personId } });
    await recordEvent(tx, r.id, others.length ? "superseded" : "ended", who.label, `${label}. ${why}${note ? ` ${note}` : ""}`, now, { reason });
    await notify(tx, [{ personId: r.requesterId, kind: "access_request.ended", subjectId: r.id, title: `${requestRef(r.number)}: your access ended`, body: `${label}. ${why}`, href: `/requests/${r.id}` }], now);
  }
  await appendAudit(tx, { actor: who.actor, action: "access_request.ended", target: { type: "access_request", id: r.id }, accountId: r.connectionId, before: { status: r.status, endsAt: r.endsAt?.toISOString() }, after: { reason, restore, others: others.map((o) => o.id) }, reason: note || null });
  return restore ? "ending" : "ended";
}
