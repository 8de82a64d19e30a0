/**
 * Requesting just-in-time access: a request for an item of the catalog, under its current policy version;
 * extensions that move the end of a live grant (the clock is not restarted; the total stays within the
 * policy's maximum); withdrawing a pending request; giving access back early. Each step is one transaction
 * with its history event, audit event and notifications; a refusal writes nothing.
 */
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { appendAudit } from "@/lib/audit";
import type { Actor } from "@/lib/auth/session";
import type { Db, Tx } from "@/lib/db";
import type { AccessCatalogItem, AccessPolicyVersion, AccessRequest } from "@/lib/generated/prisma/client";
import { eligibleApprovers } from "./approvers";
import { currentState, heldRole, holdingPrefix, roleRank, type CatalogTarget, type PriorState } from "./entitlement";
import { AccessRefused, actorLabel, personActor, requireActor } from "./errors";
import { recordEvent, requestRef } from "./history";
import { pdUserOfPerson as identityOf } from "./identity";
import { endGrant, lockRequest } from "./lifecycle";
import { notify } from "./notify";
import { accessNow } from "./options";
import { formatMinutes, noticeTime, nudgeTimes, parseRules, type PolicyRules } from "./policy";
import type { createRequestInput, extendRequestInput, requestRefInput } from "./schemas";

export const targetOf = (item: Pick<AccessCatalogItem, "kind" | "teamPdId" | "role" | "fromRoles">): CatalogTarget => ({ kind: item.kind, teamPdId: item.teamPdId, role: item.role, fromRoles: item.fromRoles });

export async function policyOf(tx: Tx | Db, itemId: string, version: number): Promise<{ version: AccessPolicyVersion; rules: PolicyRules }> {
  const v = await tx.accessPolicyVersion.findUnique({ where: { catalogItemId_version: { catalogItemId: itemId, version } } });
  if (!v) throw new Error(`policy version ${version} of catalog item ${itemId} is missing`);
  return { version: v, rules: parseRules(v.rules) };
}

/** Why the person may not request this item under these rules (null: they may). */
export async function requestRefusal(tx: Tx | Db, item: AccessCatalogItem, rules: PolicyRules, pdUserId: string, input: { durationMinutes: number; reason: string; ticket: string }): Promise<{ message: string; field?: string } | null> {
  if (input.durationMinutes > rules.maxDurationMinutes) return { message: `The policy allows at most ${formatMinutes(rules.maxDurationMinutes)}; you asked for ${formatMinutes(input.durationMinutes)}.`, field: "durationMinutes" };
  if (rules.justification.required && input.reason.length < 3) return { message: "The policy needs a reason: say what you need the access for.", field: "reason" };
  if (rules.justification.ticketPattern && !new RegExp(rules.justification.ticketPattern).test(input.ticket)) return { message: `The policy needs a ticket reference matching ${rules.justification.ticketPattern}.`, field: "ticket" };
  if (rules.requesters.kind === "team_members") {
    const member = await tx.pdTeamMembership.count({ where: { connectionId: item.connectionId, userPdId: pdUserId, teamPdId: { in: rules.requesters.teamPdIds }, removedAt: null } });
    if (member === 0) return { message: "The policy offers this only to members of certain teams, and your PagerDuty user is in none of them." };
  }
  const target = targetOf(item);
  const state = await currentState(tx, item.connectionId, pdUserId, target);
  if (!state) return { message: "Your PagerDuty user is not in the synced account." };
  const held = heldRole(state);
  if (target.kind === "BASE_ROLE" && target.fromRoles.length && held && !target.fromRoles.includes(held) && roleRank("BASE_ROLE", held) < roleRank("BASE_ROLE", target.role)) {
    return { message: `This elevation is offered from the base role ${target.fromRoles.join(" or ")}; yours is ${held}.` };
  }
  if (held && roleRank(target.kind, held) >= roleRank(target.kind, target.role)) {
    // Held only through live just-in-time grants on this holding (this item or a higher role of it): a further,
    // overlapping grant is allowed (it ends on its own); what counts is the state before those grants.
    const first = await tx.accessRequest.findFirst({ where: { connectionId: item.connectionId, pdUserId, kind: "GRANT", status: { in: ["APPROVED", "ACTIVE"] }, entitlementKey: { startsWith: holdingPrefix(target) } }, orderBy: { requestedAt: "asc" }, select: { priorState: true } });
    const own = first ? heldRole(first.priorState as PriorState | null) : held;
    if (own && roleRank(target.kind, own) >= roleRank(target.kind, target.role)) return { message: `You already hold this in PagerDuty (${target.kind === "TEAM_ROLE" ? `${own} of the team` : `base role ${own}`}): there is nothing to request.` };
  }
  return null;
}

export async function createRequest(db: Db, actorIn: Actor | null, input: z.output<typeof createRequestInput>): Promise<{ requestId: string; number: number }> {
  const actor = requireActor(actorIn, "access.request");
  return db.$transaction(async (tx) => {
    const item = await tx.accessCatalogItem.findUnique({ where: { id: input.itemId } });
    if (!item || item.retiredAt) throw new AccessRefused("The catalog does not offer this: the item does not exist or was retired.", { itemId: ["Choose an item of the catalog."] });
    const connection = await tx.pagerDutyConnection.findUnique({ where: { id: item.connectionId }, select: { status: true, name: true } });
    if (!connection || connection.status !== "ACTIVE") throw new AccessRefused("That PagerDuty account is not active: requests are closed.");
    const me = await identityOf(tx, item.connectionId, actor.personId);
    if (!me) throw new AccessRefused(`You have no PagerDuty user in ${connection.name} (none matches your e-mail or alias): ask an admin to link one.`);
    const { rules } = await policyOf(tx, item.id, item.currentVersion);
    const refusal = await requestRefusal(tx, item, rules, me.pdId, input);
    if (refusal) throw new AccessRefused(refusal.message, refusal.field ? { [refusal.field]: [refusal.message] } : undefined);
    const open = await tx.accessRequest.findFirst({ where: { requesterId: actor.personId, catalogItemId: item.id, kind: "GRANT", status: "PENDING" }, select: { number: true } });
    if (open) throw new AccessRefused(`You already have a pending request for this (${requestRef(open.number)}): wait for its decision or withdraw it.`);
    const now = accessNow();
    const id = randomUUID();
    const created = await tx.accessRequest.create({
      data: {
        id,
        connectionId: item.connectionId,
        catalogItemId: item.id,
        kind: "GRANT",
        policyVersion: item.currentVersion,
        status: "PENDING",
        requesterId: actor.personId,
        requesterLabel: actorLabel(actor),
        pdUserId: me.pdId,
        entitlementKey: item.entitlementKey,
        durationMinutes: input.durationMinutes,
        reason: input.reason,
        ticket: input.ticket || null,
        requestedAt: now,
        decideBy: new Date(now.getTime() + rules.pendingTimeoutMinutes * 60_000),
        ...nudgeTimes(rules, now),
      },
    });
    await recordEvent(tx, id, "requested", actorLabel(actor), `Requested ${item.name} for ${formatMinutes(input.durationMinutes)}: “${input.reason}”${input.ticket ? ` (${input.ticket})` : ""}. Policy version ${item.currentVersion}.`, now);
    await appendAudit(tx, { actor: personActor(actor), action: "access_request.created", target: { type: "access_request", id }, accountId: item.connectionId, after: { item: item.id, entitlementKey: item.entitlementKey, pdUserId: me.pdId, durationMinutes: input.durationMinutes, ticket: input.ticket || null, policyVersion: item.currentVersion }, reason: input.reason });
    await notifyApprovers(tx, created, item, rules, "access_request.waiting", now);
    return { requestId: id, number: created.number };
  });
}

/** Notifies every eligible approver of a request that waits (kind: waiting, reminder or escalated). */
export async function notifyApprovers(tx: Tx, r: AccessRequest, item: AccessCatalogItem, rules: PolicyRules, kind: "access_request.waiting" | "access_request.reminder" | "access_request.escalated", now: Date, only?: ReadonlySet<string>): Promise<number> {
  const approvers = await eligibleApprovers(tx, rules, { connectionId: r.connectionId, requesterId: r.requesterId, pdUserId: r.pdUserId, teamPdId: item.teamPdId, escalated: kind === "access_request.escalated" || r.escalatedAt !== null });
  const to = [...approvers.keys()].filter((p) => !only || only.has(p));
  const what = r.kind === "EXTENSION" ? `an extension of ${formatMinutes(r.durationMinutes)} to ${item.name}` : `${item.name} for ${formatMinutes(r.durationMinutes)}`;
  const title = kind === "access_request.waiting" ? `${requestRef(r.number)} waits for your approval` : kind === "access_request.reminder" ? `Reminder: ${requestRef(r.number)} still waits for approval` : `Escalated to you: ${requestRef(r.number)} was not answered`;
  await notify(tx, to.map((personId) => ({ personId, kind, subjectId: r.id, title, body: `${r.requesterLabel} requests ${what}: “${r.reason}”. It expires undecided at ${r.decideBy.toISOString()}.`, href: `/requests/approvals?request=${r.id}` })), now);
  return to.length;
}

export async function extendRequest(db: Db, actorIn: Actor | null, input: z.output<typeof extendRequestInput>): Promise<{ requestId: string; status: string }> {
  const actor = requireActor(actorIn, "access.request");
  return db.$transaction(async (tx) => {
    const parent = await lockRequest(tx, input.requestId);
    if (!parent || parent.requesterId !== actor.personId) throw new AccessRefused("No such request of yours.");
    if (parent.kind !== "GRANT" || !["APPROVED", "ACTIVE"].includes(parent.status) || !parent.startsAt || !parent.endsAt) throw new AccessRefused("Only live access can be extended.");
    const item = await tx.accessCatalogItem.findUniqueOrThrow({ where: { id: parent.catalogItemId } });
    if (item.retiredAt) throw new AccessRefused("The catalog no longer offers this item: it cannot be extended.");
    const { rules } = await policyOf(tx, item.id, item.currentVersion);
    const now = accessNow();
    const newEnd = new Date(parent.endsAt.getTime() + input.minutes * 60_000);
    const total = Math.round((newEnd.getTime() - parent.startsAt.getTime()) / 60_000);
    if (total > rules.maxDurationMinutes) {
      const left = Math.max(0, rules.maxDurationMinutes - Math.round((parent.endsAt.getTime() - parent.startsAt.getTime()) / 60_000));
      throw new AccessRefused(`The policy allows at most ${formatMinutes(rules.maxDurationMinutes)} in all from the start of the grant; ${left ? `you can extend by at most ${formatMinutes(left)}` : "there is no time left to add: request again"}.`, { minutes: ["Beyond the maximum."] });
    }
    if (rules.justification.required && input.reason.length < 3) throw new AccessRefused("The policy needs a reason for the extension.", { reason: ["Give a reason."] });
    const pending = await tx.accessRequest.findFirst({ where: { extendsRequestId: parent.id, status: "PENDING" }, select: { number: true } });
    if (pending) throw new AccessRefused(`An extension is already waiting (${requestRef(pending.number)}).`);
    const id = randomUUID();
    const needsApproval = rules.extensionNeedsApproval;
    const ext = await tx.accessRequest.create({
      data: {
        id,
        connectionId: parent.connectionId,
        catalogItemId: parent.catalogItemId,
        kind: "EXTENSION",
        extendsRequestId: parent.id,
        policyVersion: item.currentVersion,
        status: "PENDING",
        requesterId: actor.personId,
        requesterLabel: actorLabel(actor),
        pdUserId: parent.pdUserId,
        entitlementKey: parent.entitlementKey,
        durationMinutes: input.minutes,
        reason: input.reason,
        requestedAt: now,
        decideBy: new Date(Math.min(now.getTime() + rules.pendingTimeoutMinutes * 60_000, parent.endsAt.getTime())),
        ...nudgeTimes(rules, now),
      },
    });
    await recordEvent(tx, parent.id, "extension_requested", actorLabel(actor), `Extension by ${formatMinutes(input.minutes)} requested (${requestRef(ext.number)}).`, now, { extensionId: id });
    await recordEvent(tx, id, "requested", actorLabel(actor), `Extension of ${requestRef(parent.number)} by ${formatMinutes(input.minutes)} requested: “${input.reason}”.`, now);
    await appendAudit(tx, { actor: personActor(actor), action: "access_request.extension_requested", target: { type: "access_request", id }, accountId: parent.connectionId, after: { extends: parent.id, minutes: input.minutes, needsApproval }, reason: input.reason || null });
    if (!needsApproval) {
      await applyExtension(tx, ext, parent, { type: "system", job: "access.extension" }, "The policy grants extensions without a new approval.", now);
      return { requestId: id, status: "APPROVED" };
    }
    await notifyApprovers(tx, ext, item, rules, "access_request.waiting", now);
    return { requestId: id, status: "PENDING" };
  });
}

/** Moves the end of the parent grant (the clock is not restarted). */
export async function applyExtension(tx: Tx, ext: AccessRequest, parent: AccessRequest, by: { type: "system"; job: string } | { type: "person"; id: string; label: string }, why: string, now: Date): Promise<void> {
  const newEnd = new Date(parent.endsAt!.getTime() + ext.durationMinutes * 60_000);
  const { rules } = await policyOf(tx, parent.catalogItemId, parent.policyVersion);
  await tx.accessRequest.update({ where: { id: parent.id }, data: { endsAt: newEnd, noticeAt: noticeTime(rules, newEnd), expiryNoticeAt: null } });
  await tx.accessRequest.update({ where: { id: ext.id }, data: { status: "APPROVED", decidedAt: now, decisionBasis: by.type === "person" ? "PERSON" : "SYSTEM", startsAt: parent.endsAt, endsAt: newEnd } });
  const label = by.type === "person" ? by.label : "portal";
  await recordEvent(tx, parent.id, "extended", label, `Extended by ${formatMinutes(ext.durationMinutes)} (${requestRef(ext.number)}): access now ends ${newEnd.toISOString()}. ${why}`, now, { extensionId: ext.id, from: parent.endsAt, to: newEnd });
  await appendAudit(tx, { actor: by.type === "person" ? { type: "person", id: by.id, label: by.label } : by, action: "access_request.extended", target: { type: "access_request", id: parent.id }, accountId: parent.connectionId, before: { endsAt: parent.endsAt?.toISOString() }, after: { endsAt: newEnd.toISOString(), extension: ext.id } });
  await notify(tx, [{ personId: parent.requesterId, kind: "access_request.decided", subjectId: ext.id, title: `${requestRef(ext.number)}: extension approved`, body: `Your access now ends ${newEnd.toISOString()}.`, href: `/requests/${parent.id}` }], now);
}

export async function cancelRequest(db: Db, actorIn: Actor | null, input: z.output<typeof requestRefInput>): Promise<void> {
  const actor = requireActor(actorIn, "access.request");
  await db.$transaction(async (tx) => {
    const r = await lockRequest(tx, input.requestId);
    if (!r || r.requesterId !== actor.personId) throw new AccessRefused("No such request of yours.");
    if (r.status !== "PENDING") throw new AccessRefused(`Only a pending request can be withdrawn (this one is ${r.status.toLowerCase()}).`);
    const now = accessNow();
    await tx.accessRequest.update({ where: { id: r.id }, data: { status: "CANCELLED", decidedAt: now, endReason: "WITHDRAWN" } });
    await recordEvent(tx, r.id, "cancelled", actorLabel(actor), `Withdrawn by the requester.${input.reason ? ` “${input.reason}”` : ""}`, now);
    await appendAudit(tx, { actor: personActor(actor), action: "access_request.cancelled", target: { type: "access_request", id: r.id }, accountId: r.connectionId, reason: input.reason || null });
  });
}

/** Gives live access back early: the grant ends now, through the pipeline, with prior-state restoration. */
export async function returnAccess(db: Db, actorIn: Actor | null, input: z.output<typeof requestRefInput>): Promise<{ outcome: string }> {
  const actor = requireActor(actorIn, "access.request");
  return db.$transaction(async (tx) => {
    const r = await tx.accessRequest.findUnique({ where: { id: input.requestId } });
    if (!r || r.requesterId !== actor.personId) throw new AccessRefused("No such request of yours.");
    if (r.kind !== "GRANT" || !["APPROVED", "ACTIVE"].includes(r.status)) throw new AccessRefused("Only live access can be given back.");
    const item = await tx.accessCatalogItem.findUniqueOrThrow({ where: { id: r.catalogItemId } });
    const outcome = await endGrant(tx, r.id, "RETURNED", targetOf(item), { actor: personActor(actor), label: actorLabel(actor), personId: actor.personId }, accessNow(), input.reason ? `“${input.reason}”` : "");
    return { outcome };
  });
}
