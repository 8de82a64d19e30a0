/**
 * The access tick (every 5 s, durable: everything it acts on is in the database, so work that fell due
 * while the portal was down is done at the first tick after start):
 *  - expiries: live grants whose end has come are ended through the pipeline (cause EXPIRY);
 *  - undecided requests time out; unanswered ones remind their approvers, then escalate to the fallback;
 *  - the pipeline's outcome is mirrored onto the request (grant verified → ACTIVE, end verified → ENDED);
 *  - requesters hear before their access ends; drift on a live grant is recorded on the request;
 *  - notification e-mails go out.
 * All of it follows the portal's clock (accessOptions().now).
 */
import type { Db, Tx } from "@/lib/db";
import type { AccessRequest } from "@/lib/generated/prisma/client";
import { appendAudit } from "@/lib/audit";
import { holdingPrefix, roleRank } from "./entitlement";
import { recordEvent, requestRef } from "./history";
import { endGrant, lockRequest } from "./lifecycle";
import { notify, sendPendingEmails } from "./notify";
import { accessNow, accessOptions } from "./options";
import { formatMinutes } from "./policy";
import { notifyApprovers, policyOf, targetOf } from "./requests";

export const ACCESS_TICK_JOB = "access.tick";
const SYSTEM = { type: "system" as const, job: ACCESS_TICK_JOB };

export interface TickResult {
  expired: number;
  timedOut: number;
  reminded: number;
  escalated: number;
  mirrored: number;
  notices: number;
  drift: number;
  email: number;
}

export async function accessTick(db: Db, now: Date = accessNow()): Promise<TickResult> {
  const result: TickResult = { expired: 0, timedOut: 0, reminded: 0, escalated: 0, mirrored: 0, notices: 0, drift: 0, email: 0 };
  // Ends first: they are what must happen on time; the rest can wait for the next tick.
  result.expired = await expireDue(db, now);
  result.mirrored += await mirrorChanges(db, now);
  result.timedOut = await timeOutUndecided(db, now);
  const nudged = await remindAndEscalate(db, now);
  result.reminded = nudged.reminded;
  result.escalated = nudged.escalated;
  result.notices = await expiryNotices(db, now);
  result.drift = await recordDrift(db, now);
  result.email = (await sendPendingEmails(db)).email;
  return result;
}

/** Expiries ended side by side on PostgreSQL (each in its own transaction and connection of the pool). */
export const EXPIRY_CONCURRENCY = 4;
/** Grants ended per transaction on the embedded database. */
const EMBEDDED_GROUP = 20;

const embedded = new WeakMap<Db, Promise<boolean>>();
/** PGlite is one connection in this process: transactions queue there, so side by side gains nothing. */
function isEmbedded(db: Db): Promise<boolean> {
  let known = embedded.get(db);
  if (!known) {
    known = db.$queryRaw<{ v: string }[]>`SELECT version() AS v`.then((rows) => (rows[0]?.v ?? "").includes("PGlite"));
    embedded.set(db, known);
  }
  return known;
}

/**
 * Ends every live grant whose end has come, oldest end first, each in its own transaction (its end change,
 * history and audit events commit together, as before). On PostgreSQL up to EXPIRY_CONCURRENCY run at
 * once: most of an end is reads and inserts that do not contend; the audit chain's head lock orders the
 * rest. A thousand grants ending in one minute then reach the pipeline within seconds (bench:access).
 */
export async function expireDue(db: Db, tickNow: Date): Promise<number> {
  const lanes = (await isEmbedded(db)) ? 1 : EXPIRY_CONCURRENCY;
  let total = 0;
  for (;;) {
    // Grants that fell due while this tick was ending others are ended in this tick too, not one tick later.
    const now = new Date(Math.max(tickNow.getTime(), accessNow().getTime()));
    const due = await db.accessRequest.findMany({ where: { kind: "GRANT", status: { in: ["APPROVED", "ACTIVE"] }, endsAt: { lte: now } }, orderBy: { endsAt: "asc" }, take: accessOptions().expiryBatch, select: { id: true, catalogItemId: true } });
    if (due.length === 0) return total;
    const items = new Map((await db.accessCatalogItem.findMany({ where: { id: { in: [...new Set(due.map((d) => d.catalogItemId))] } } })).map((i) => [i.id, i]));
    // On the embedded database (one connection) a transaction per grant is mostly overhead: grants are ended
    // in groups, each group one transaction; a group that fails is ended again one grant at a time, so one
    // bad grant never holds the others back.
    const group = lanes === 1 ? EMBEDDED_GROUP : 1;
    const end = (tx: Tx, d: (typeof due)[number]) => endGrant(tx, d.id, "EXPIRED", targetOf(items.get(d.catalogItemId)!), { actor: SYSTEM, label: "portal (expiry)", personId: null }, now);
    let next = 0;
    const lane = async () => {
      while (next < due.length) {
        const chunk = due.slice(next, next + group);
        next += chunk.length;
        let outcomes: string[];
        try {
          outcomes = await db.$transaction(async (tx) => {
            const out: string[] = [];
            for (const d of chunk) out.push(await end(tx, d));
            return out;
          }, { timeout: 120_000, maxWait: 60_000 });
        } catch (error) {
          if (chunk.length === 1) throw error;
          outcomes = [];
          for (const d of chunk) outcomes.push(await db.$transaction((tx) => end(tx, d)));
        }
        total += outcomes.filter((o) => o !== "skipped").length;
      }
    };
    // Every lane finishes its transaction before a failure is reported (the next tick takes up the rest).
    const failed = (await Promise.allSettled(Array.from({ length: Math.min(lanes, due.length) }, lane))).find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
  }
}

async function timeOutUndecided(db: Db, now: Date): Promise<number> {
  const due = await db.accessRequest.findMany({ where: { status: "PENDING", decideBy: { lte: now } }, select: { id: true }, take: 500 });
  let n = 0;
  for (const { id } of due) {
    n += await db.$transaction(async (tx) => {
      const r = await tx.accessRequest.findUnique({ where: { id } });
      if (!r || r.status !== "PENDING") return 0;
      const updated = await tx.accessRequest.updateMany({ where: { id, status: "PENDING" }, data: { status: "TIMED_OUT", decidedAt: now, decisionBasis: "SYSTEM" } });
      if (updated.count === 0) return 0;
      await recordEvent(tx, id, "timed_out", "portal", `Nobody decided before ${r.decideBy.toISOString()}: the request expired undecided. Request again if you still need it.`, now);
      await appendAudit(tx, { actor: SYSTEM, action: "access_request.timed_out", target: { type: "access_request", id }, accountId: r.connectionId, after: { decideBy: r.decideBy.toISOString() } });
      await notify(tx, [{ personId: r.requesterId, kind: "access_request.timed_out", subjectId: id, title: `${requestRef(r.number)} expired undecided`, body: "Nobody decided your request in time. Request again if you still need the access.", href: `/requests/${r.kind === "EXTENSION" ? r.extendsRequestId : id}` }], now);
      return 1;
    });
  }
  return n;
}

async function remindAndEscalate(db: Db, now: Date): Promise<{ reminded: number; escalated: number }> {
  // Only what is due, by index: remindAt/escalateAt were computed from the request's policy version.
  const open = await db.accessRequest.findMany({ where: { status: "PENDING", OR: [{ remindedAt: null, remindAt: { lte: now } }, { escalatedAt: null, escalateAt: { lte: now } }] }, take: 500, orderBy: { requestedAt: "asc" } });
  let reminded = 0;
  let escalated = 0;
  const rulesCache = new Map<string, Awaited<ReturnType<typeof policyOf>>["rules"]>();
  for (const r of open) {
    const key = `${r.catalogItemId}@${r.policyVersion}`;
    if (!rulesCache.has(key)) rulesCache.set(key, (await policyOf(db, r.catalogItemId, r.policyVersion)).rules);
    const rules = rulesCache.get(key)!;
    const waited = (now.getTime() - r.requestedAt.getTime()) / 60_000;
    if (r.escalatedAt === null && waited >= rules.escalateAfterMinutes) {
      escalated += await db.$transaction(async (tx) => {
        const fresh = await tx.accessRequest.updateMany({ where: { id: r.id, status: "PENDING", escalatedAt: null }, data: { escalatedAt: now, remindedAt: r.remindedAt ?? now } });
        if (fresh.count === 0) return 0;
        const item = await tx.accessCatalogItem.findUniqueOrThrow({ where: { id: r.catalogItemId } });
        const after: AccessRequest = { ...r, escalatedAt: now };
        const fallback = new Set(rules.fallbackApproverIds);
        const sent = await notifyApprovers(tx, after, item, rules, "access_request.escalated", now, fallback);
        await recordEvent(tx, r.id, "escalated", "portal", `Unanswered for ${formatMinutes(Math.round(waited))}: escalated to the fallback approver${rules.fallbackApproverIds.length > 1 ? "s" : ""} (${sent} notified), who may now decide it too.`, now, { fallbackApproverIds: rules.fallbackApproverIds });
        await appendAudit(tx, { actor: SYSTEM, action: "access_request.escalated", target: { type: "access_request", id: r.id }, accountId: r.connectionId, after: { fallbackApproverIds: rules.fallbackApproverIds } });
        return 1;
      });
    } else if (r.remindedAt === null && waited >= rules.remindAfterMinutes) {
      reminded += await db.$transaction(async (tx) => {
        const fresh = await tx.accessRequest.updateMany({ where: { id: r.id, status: "PENDING", remindedAt: null }, data: { remindedAt: now } });
        if (fresh.count === 0) return 0;
        const item = await tx.accessCatalogItem.findUniqueOrThrow({ where: { id: r.catalogItemId } });
        const sent = await notifyApprovers(tx, r, item, rules, "access_request.reminder", now);
        await recordEvent(tx, r.id, "reminded", "portal", `Still undecided after ${formatMinutes(Math.round(waited))}: ${sent} approver${sent === 1 ? "" : "s"} reminded.`, now);
        return 1;
      });
    }
  }
  return { reminded, escalated };
}

/** Grant and end outcomes from the pipeline onto the request and its history. */
async function mirrorChanges(db: Db, now: Date): Promise<number> {
  let n = 0;
  const granting = await db.accessRequest.findMany({ where: { status: "APPROVED", kind: "GRANT", grantChangeId: { not: null } }, select: { id: true, grantChangeId: true }, take: 1000 });
  const ending = await db.accessRequest.findMany({ where: { status: "ENDING", endChangeId: { not: null } }, select: { id: true, endChangeId: true }, take: 1000 });
  const ids = [...granting.map((g) => g.grantChangeId!), ...ending.map((e) => e.endChangeId!)];
  if (ids.length === 0) return 0;
  const changes = new Map((await db.changeRequest.findMany({ where: { id: { in: ids }, status: { in: ["VERIFIED", "FAILED", "CANCELLED", "UNVERIFIED"] } }, select: { id: true, status: true, verifiedAt: true, observed: true, lastErrorMessage: true } })).map((c) => [c.id, c]));
  for (const g of granting) {
    const c = changes.get(g.grantChangeId!);
    if (!c) continue;
    n += await db.$transaction(async (tx) => {
      const to = c.status === "VERIFIED" ? "ACTIVE" : c.status === "UNVERIFIED" ? "ACTIVE" : "FAILED";
      const done = await tx.accessRequest.updateMany({ where: { id: g.id, status: "APPROVED" }, data: { status: to } });
      if (done.count === 0) return 0;
      const r = await tx.accessRequest.findUniqueOrThrow({ where: { id: g.id } });
      if (c.status === "VERIFIED") {
        await recordEvent(tx, g.id, "grant_verified", "portal", `PagerDuty shows the access (read back at ${c.verifiedAt?.toISOString()}).`, now, { changeId: c.id, observed: c.observed });
        await notify(tx, [{ personId: r.requesterId, kind: "access_request.granted", subjectId: r.id, title: `${requestRef(r.number)}: access granted`, body: `PagerDuty shows your access; it ends ${r.endsAt?.toISOString()}.`, href: `/requests/${r.id}` }], now);
      } else if (c.status === "UNVERIFIED") {
        await recordEvent(tx, g.id, "grant_failed", "portal", `The grant was written but PagerDuty did not show it when read back: treated as live until it ends (see the change).`, now, { changeId: c.id });
      } else {
        await recordEvent(tx, g.id, "grant_failed", "portal", `The grant could not be applied (${c.status.toLowerCase()}${c.lastErrorMessage ? `: ${c.lastErrorMessage}` : ""}). No access was given.`, now, { changeId: c.id });
        await notify(tx, [{ personId: r.requesterId, kind: "access_request.granted", subjectId: r.id, title: `${requestRef(r.number)}: the grant failed`, body: `PagerDuty refused the grant${c.lastErrorMessage ? `: ${c.lastErrorMessage}` : ""}.`, href: `/requests/${r.id}` }], now);
      }
      return 1;
    });
  }
  for (const e of ending) {
    const c = changes.get(e.endChangeId!);
    if (!c) continue;
    if (c.status === "FAILED" || c.status === "CANCELLED") {
      n += await endFailed(db, e.id, c, now);
      continue;
    }
    n += await db.$transaction(async (tx) => {
      const done = await tx.accessRequest.updateMany({ where: { id: e.id, status: "ENDING" }, data: { status: "ENDED" } });
      if (done.count === 0) return 0;
      const r = await tx.accessRequest.findUniqueOrThrow({ where: { id: e.id } });
      await recordEvent(tx, e.id, "end_verified", "portal", c.status === "VERIFIED" ? `PagerDuty shows the access removed (read back at ${c.verifiedAt?.toISOString()}).` : "The end was written but PagerDuty did not show it when read back (see the change).", now, { changeId: c.id, observed: c.observed, status: c.status });
      await notify(tx, [{ personId: r.requesterId, kind: "access_request.ended", subjectId: r.id, title: `${requestRef(r.number)}: your access ended`, body: `Your just-in-time access ended (${(r.endReason ?? "").toLowerCase()}) and PagerDuty shows it removed.`, href: `/requests/${r.id}` }], now);
      return 1;
    });
  }
  return n;
}

/**
 * The end's change failed or was cancelled: PagerDuty still shows the access. Said once per change on the
 * request (it stays ENDING: a retried change that verifies ends it then), with an audit event.
 */
async function endFailed(db: Db, id: string, c: { id: string; status: string; lastErrorMessage: string | null }, now: Date): Promise<number> {
  return db.$transaction(async (tx) => {
    const r = await lockRequest(tx, id);
    if (!r || r.status !== "ENDING") return 0;
    const told = await tx.accessRequestEvent.findMany({ where: { requestId: id, kind: "end_failed" }, select: { detail: true } });
    if (told.some((e) => (e.detail as { changeId?: string } | null)?.changeId === c.id)) return 0;
    const what = c.status === "CANCELLED" ? "was cancelled in the change queue" : `failed${c.lastErrorMessage ? `: ${c.lastErrorMessage}` : ""}`;
    await recordEvent(tx, id, "end_failed", "portal", `The end of this access ${what}. PagerDuty still shows the access: an admin retries the change (or removes the access) from the change queue.`, now, { changeId: c.id, status: c.status });
    await appendAudit(tx, { actor: SYSTEM, action: "access_request.end_failed", target: { type: "access_request", id }, accountId: r.connectionId, after: { changeId: c.id, status: c.status, error: c.lastErrorMessage } });
    return 1;
  });
}

async function expiryNotices(db: Db, now: Date): Promise<number> {
  const live = await db.accessRequest.findMany({ where: { kind: "GRANT", status: { in: ["APPROVED", "ACTIVE"] }, expiryNoticeAt: null, noticeAt: { lte: now }, endsAt: { gt: now } }, orderBy: { noticeAt: "asc" }, take: 500 });
  let n = 0;
  for (const r of live) {
    const { rules } = await policyOf(db, r.catalogItemId, r.policyVersion);
    if (rules.expiryNoticeMinutes === 0 || r.endsAt!.getTime() - now.getTime() > rules.expiryNoticeMinutes * 60_000) continue;
    n += await db.$transaction(async (tx) => {
      const fresh = await tx.accessRequest.updateMany({ where: { id: r.id, expiryNoticeAt: null }, data: { expiryNoticeAt: now } });
      if (fresh.count === 0) return 0;
      const minutes = Math.max(1, Math.round((r.endsAt!.getTime() - now.getTime()) / 60_000));
      await notify(tx, [{ personId: r.requesterId, kind: "access_request.expiring", subjectId: `${r.id}@${r.endsAt!.toISOString()}`, title: `${requestRef(r.number)}: your access ends in ${formatMinutes(minutes)}`, body: `Your just-in-time access ends at ${r.endsAt!.toISOString()}. Extend it on the request if you still need it.`, href: `/requests/${r.id}` }], now);
      await recordEvent(tx, r.id, "expiry_notice", "portal", `Requester told the access ends in ${formatMinutes(minutes)}.`, now);
      return 1;
    });
  }
  return n;
}

/** A live grant PagerDuty no longer shows (someone removed it there): recorded once on the request. */
async function recordDrift(db: Db, now: Date): Promise<number> {
  const drifted = await db.$queryRaw<{ id: string }[]>`
    SELECT r."id" FROM "AccessRequest" r
    WHERE r."status" = 'ACTIVE' AND r."kind" = 'GRANT'
      AND NOT EXISTS (SELECT 1 FROM "Grant" g WHERE g."connectionId" = r."connectionId" AND g."pdUserId" = r."pdUserId" AND g."removedAt" IS NULL AND g."entitlementKey" = r."entitlementKey")
      AND NOT EXISTS (SELECT 1 FROM "AccessRequestEvent" e WHERE e."requestId" = r."id" AND e."kind" = 'drift')
      -- Another live grant holding its own entitlement on the same holding (an overlap) is not drift.
      AND NOT EXISTS (SELECT 1 FROM "AccessRequest" o JOIN "Grant" g ON g."connectionId" = o."connectionId" AND g."pdUserId" = o."pdUserId" AND g."entitlementKey" = o."entitlementKey" AND g."removedAt" IS NULL
                      WHERE o."connectionId" = r."connectionId" AND o."pdUserId" = r."pdUserId" AND o."kind" = 'GRANT' AND o."status" IN ('APPROVED', 'ACTIVE') AND o."id" <> r."id")
    LIMIT 200`;
  let n = 0;
  for (const { id } of drifted) {
    n += await db.$transaction(async (tx) => {
      const r = await tx.accessRequest.findUniqueOrThrow({ where: { id } });
      // The holding may show a higher role another grant gave (a manager grant over a responder grant): not drift.
      const item = await tx.accessCatalogItem.findUniqueOrThrow({ where: { id: r.catalogItemId } });
      const target = targetOf(item);
      const holding = await tx.grant.findMany({ where: { connectionId: r.connectionId, pdUserId: r.pdUserId, removedAt: null, entitlementKey: { startsWith: holdingPrefix(target) } }, select: { role: true } });
      if (holding.some((g) => g.role !== null && roleRank(target.kind, g.role) >= roleRank(target.kind, target.role))) return 0;
      // The Grant row's change* fields say who created that holding, not who removed it: not named here.
      const removed = await tx.grant.findFirst({ where: { connectionId: r.connectionId, pdUserId: r.pdUserId, entitlementKey: r.entitlementKey, removedAt: { not: null } }, orderBy: { removedAt: "desc" }, select: { removedAt: true } });
      await recordEvent(tx, id, "drift", "portal", `Drift: PagerDuty no longer shows this access${removed?.removedAt ? ` (gone at the sync of ${removed.removedAt.toISOString()})` : ""}, although the grant has not ended.`, now, { removedAt: removed?.removedAt ?? null });
      await appendAudit(tx, { actor: SYSTEM, action: "access_request.drift", target: { type: "access_request", id }, accountId: r.connectionId, after: { entitlementKey: r.entitlementKey } });
      return 1;
    });
  }
  return n;
}
