/**
 * Approving and denying requests. Each decision is one transaction: the approval row, the history event,
 * the audit event, and, when the last approval needed arrives, the grant's change request (cause APPROVAL)
 * through the pipeline: so a grant exists exactly when its approval commits. Separation of duties is
 * checked here, on the server, against the policy version the request was made under: nobody approves
 * their own request or one that grants their own PagerDuty user, nobody approves twice, two approvals come
 * from two people (and from different groups when the policy says so).
 */
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { appendAudit } from "@/lib/audit";
import type { Actor } from "@/lib/auth/session";
import type { Db, Tx } from "@/lib/db";
import { Prisma, type AccessRequest } from "@/lib/generated/prisma/client";
import { approvalRefusal, describeRight, eligibleApprovers, type ApproverRight } from "./approvers";
import { AccessRefused, actorLabel, personActor, requireActor } from "./errors";
import { recordEvent, requestRef } from "./history";
import { peopleOfPdUsers } from "./identity";
import { lockRequest, startGrant } from "./lifecycle";
import { notify } from "./notify";
import { accessNow } from "./options";
import { approvalDecider, formatMinutes } from "./policy";
import { applyExtension, policyOf, requestRefusal, targetOf } from "./requests";
import type { bulkApproveInput, decideInput } from "./schemas";

/** A bulk approval of this many requests or more asks for a second look first (as reviews do). */
export const BULK_SECOND_LOOK_AT = 5;

export type DecideOutcome = { status: "approved" | "partially_approved" | "denied"; requestId: string; number: number; approvalsNeeded: number; approvals: number };

export async function decideRequest(db: Db, actorIn: Actor | null, input: z.output<typeof decideInput>): Promise<DecideOutcome> {
  const actor = requireActor(actorIn, "access.approve");
  return auditRefusals(db, actor, () => db.$transaction((tx) => decideInTx(tx, actor, input.requestId, input.decision, input.comment, null)));
}

/** A decision refused for separation of duties: the request and why, audited after the rollback. */
class ApprovalRefused extends AccessRefused {
  constructor(
    message: string,
    readonly request: Pick<AccessRequest, "id" | "connectionId">,
    readonly decision: string,
    readonly why: string,
  ) {
    super(message);
  }
}

async function auditRefusals<T>(db: Db, actor: Actor, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ApprovalRefused) {
      await db.$transaction((tx) => appendAudit(tx, { actor: personActor(actor), action: "access_request.decision_refused", target: { type: "access_request", id: error.request.id }, accountId: error.request.connectionId, after: { decision: error.decision }, reason: error.why }));
    }
    throw error;
  }
}

export interface BulkOutcome {
  secondLook: { reason: string; count: number } | null;
  decided: DecideOutcome[];
}

/** Approves several requests in one transaction (all or none), after a second look when the batch is large. */
export async function bulkApprove(db: Db, actorIn: Actor | null, input: z.output<typeof bulkApproveInput>): Promise<BulkOutcome> {
  const actor = requireActor(actorIn, "access.approve");
  const ids = [...new Set(input.requestIds)];
  const stamp = ids.length >= BULK_SECOND_LOOK_AT ? `You are approving ${ids.length} requests at once.` : null;
  if (stamp && !input.acknowledged) {
    return { secondLook: { reason: `${stamp} Take a second look at each requester's reason and current access; if you approve anyway, each approval is flagged as part of a bulk approval.`, count: ids.length }, decided: [] };
  }
  const decided = await auditRefusals(db, actor, () =>
    db.$transaction(
      async (tx) => {
        const out: DecideOutcome[] = [];
        for (const id of ids) out.push(await decideInTx(tx, actor, id, "approve", input.comment, stamp ? { bulk: ids.length, secondLookAcknowledged: true } : { bulk: ids.length }));
        return out;
      },
      { timeout: 120_000, maxWait: 30_000 },
    ),
  );
  return { secondLook: null, decided };
}

async function decideInTx(tx: Tx, actor: Actor, requestId: string, decision: "approve" | "deny", comment: string, bulk: Record<string, unknown> | null): Promise<DecideOutcome> {
  const locked = await lockRequest(tx, requestId);
  if (!locked) throw new AccessRefused("No such request.");
  const r = { ...locked, approvals: await tx.accessRequestApproval.findMany({ where: { requestId } }) };
  const ref = requestRef(r.number);
  const item = await tx.accessCatalogItem.findUniqueOrThrow({ where: { id: r.catalogItemId } });
  const { rules } = await policyOf(tx, item.id, r.policyVersion);
  const subject = { connectionId: r.connectionId, requesterId: r.requesterId, pdUserId: r.pdUserId, teamPdId: item.teamPdId, escalated: r.escalatedAt !== null };
  const approvers = await eligibleApprovers(tx, rules, subject);
  const beneficiary = (await peopleOfPdUsers(tx, r.connectionId, [r.pdUserId])).get(r.pdUserId) ?? null;
  const refusal = approvalRefusal(actor.personId, subject, approvers.get(actor.personId), beneficiary);
  if (refusal) throw new ApprovalRefused(`${ref}: ${refusal} Nothing was changed.`, r, decision, refusal);
  if (r.status !== "PENDING") throw new AccessRefused(`${ref} is no longer waiting for a decision (it is ${r.status.toLowerCase()}). Nothing was changed.`);
  const now = accessNow();
  if (r.decideBy <= now) throw new AccessRefused(`${ref} expired undecided at ${r.decideBy.toISOString()}. Nothing was changed.`);
  if (r.approvals.some((a) => a.approverId === actor.personId)) throw new ApprovalRefused(`You already approved ${ref}: a second approval must come from someone else. Nothing was changed.`, r, decision, "a second approval by the same person");
  const rights = approvers.get(actor.personId)!;
  const decider = approvalDecider(rules);
  const label = actorLabel(actor);

  if (decision === "deny") {
    await tx.accessRequestApproval.create({ data: { id: randomUUID(), requestId: r.id, decision: "deny", approverId: actor.personId, approverLabel: label, approverRight: rightName(rights[0]!), comment: comment || null, policyVersion: r.policyVersion, at: now } });
    await tx.accessRequest.update({ where: { id: r.id }, data: { status: "DENIED", decidedAt: now, decisionBasis: "PERSON" } });
    await recordEvent(tx, r.id, "denied", label, `Denied${comment ? `: “${comment}”` : "."}`, now);
    await appendAudit(tx, { actor: personActor(actor), action: "access_request.denied", target: { type: "access_request", id: r.id }, accountId: r.connectionId, after: { policyVersion: r.policyVersion, right: rights.map((x) => rightName(x)) }, reason: comment || null });
    await notify(tx, [{ personId: r.requesterId, kind: "access_request.decided", subjectId: r.id, title: `${ref} was denied`, body: `${label} denied your request for ${item.name}${comment ? `: “${comment}”` : "."}`, href: `/requests/${r.kind === "EXTENSION" ? r.extendsRequestId : r.id}` }], now);
    return { status: "denied", requestId: r.id, number: r.number, approvalsNeeded: decider.approvalsNeeded, approvals: r.approvals.filter((a) => a.decision === "approve").length };
  }

  // Which group this approval counts for: with "different groups", one not used by an earlier approval.
  const earlier = r.approvals.filter((a) => a.decision === "approve");
  let groupId: string | null = null;
  let right: ApproverRight = rights[0]!;
  if (decider.distinctGroups) {
    const used = new Set(earlier.map((a) => a.groupId).filter((g): g is string => g !== null));
    const mine = rights.filter((x): x is Extract<ApproverRight, { right: "group" }> => x.right === "group");
    const free = mine.find((g) => !used.has(g.groupId));
    const fallback = rights.find((x) => x.right === "fallback");
    if (!free && !fallback) {
      const why = mine.length ? "the first approval already counts for your group" : "you are not in one of the approver groups";
      throw new ApprovalRefused(`${ref} needs its approvals from different groups, and ${why}. Nothing was changed.`, r, decision, `approvals must come from different groups and ${why}`);
    }
    if (free) {
      groupId = free.groupId;
      right = free;
    } else right = fallback!;
  }
  // A grant must still make sense when approved: the requester may have gained it meanwhile.
  if (r.kind === "GRANT") {
    const stillValid = await requestRefusal(tx, item, { ...rules, requesters: { kind: "everyone" }, justification: { required: false, ticketPattern: "" } }, r.pdUserId, { durationMinutes: r.durationMinutes, reason: r.reason, ticket: r.ticket ?? "" });
    if (stillValid) throw new AccessRefused(`${ref} cannot be granted any more: ${stillValid.message} Deny it instead. Nothing was changed.`);
  }
  await tx.accessRequestApproval.create({
    data: { id: randomUUID(), requestId: r.id, decision: "approve", approverId: actor.personId, approverLabel: label, approverRight: rightName(right), groupId, comment: comment || null, evidence: bulk ? (bulk as Prisma.InputJsonValue) : undefined, policyVersion: r.policyVersion, at: now },
  });
  const approvals = earlier.length + 1;
  const groupNames = new Map((await tx.portalGroup.findMany({ where: { id: { in: decider.approvers.groupIds } }, select: { id: true, name: true } })).map((g) => [g.id, g.name]));
  await recordEvent(tx, r.id, "approval", label, `Approved as ${describeRight(right, groupNames)} (${approvals} of ${decider.approvalsNeeded})${comment ? `: “${comment}”` : "."}${bulk ? ` Part of a bulk approval of ${String(bulk.bulk)}${bulk.secondLookAcknowledged ? ", after the second-look prompt" : ""}.` : ""}`, now, { right, groupId, bulk });
  await appendAudit(tx, { actor: personActor(actor), action: "access_request.approval", target: { type: "access_request", id: r.id }, accountId: r.connectionId, after: { approvals, needed: decider.approvalsNeeded, right, groupId, policyVersion: r.policyVersion, bulk }, reason: comment || null });
  if (approvals < decider.approvalsNeeded) return { status: "partially_approved", requestId: r.id, number: r.number, approvalsNeeded: decider.approvalsNeeded, approvals };

  await recordEvent(tx, r.id, "approved", label, `Approved under policy version ${r.policyVersion} (${approvals} approval${approvals > 1 ? "s" : ""}).`, now);
  await tx.accessRequest.update({ where: { id: r.id }, data: { decisionBasis: "PERSON" } });
  if (r.kind === "EXTENSION") {
    const parent = await tx.accessRequest.findUnique({ where: { id: r.extendsRequestId! } });
    if (!parent || !["APPROVED", "ACTIVE"].includes(parent.status) || !parent.endsAt) throw new AccessRefused(`${ref}: the access it extends has already ended. Nothing was changed.`);
    await applyExtension(tx, r, parent, { type: "person", id: actor.personId, label }, `Approved by ${label}.`, now);
  } else {
    await startGrant(tx, r, targetOf(item), rules, { type: "person", id: actor.personId, label }, personActor(actor), now);
    await notify(tx, [{ personId: r.requesterId, kind: "access_request.decided", subjectId: r.id, title: `${ref} was approved`, body: `${label} approved ${item.name} for ${formatMinutes(r.durationMinutes)}. It is being granted in PagerDuty now.`, href: `/requests/${r.id}` }], now);
  }
  return { status: "approved", requestId: r.id, number: r.number, approvalsNeeded: decider.approvalsNeeded, approvals };
}

const rightName = (r: ApproverRight): string => (r.right === "group" ? `group:${r.groupId}` : r.right);
