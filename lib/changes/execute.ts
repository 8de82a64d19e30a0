/**
 * Executing one change: claim it (in order), apply it idempotently, verify it by reading PagerDuty again.
 *
 * Ordering: changes with the same orderingKey (one PagerDuty user) run strictly in creation order. A change
 * runs only when every earlier change of its key has settled (VERIFIED, UNVERIFIED or CANCELLED); a FAILED
 * one blocks its successors until an admin retries or cancels it, because running "remove" after a failed
 * "add" and then retrying the add would leave PagerDuty in the wrong final state. The decision is made under
 * an advisory lock on the key, and whoever settles a change enqueues the next one of its key.
 *
 * Crash safety: a change found in APPLYING was started by an attempt that died or failed ambiguously, so
 * PagerDuty is read first; if it already shows the desired state nothing is sent again.
 */
import { randomUUID } from "node:crypto";
import { appendAudit } from "@/lib/audit";
import type { Db, DbOrTx, Tx } from "@/lib/db";
import type { ChangeRequest, ChangeStatus, Prisma } from "@/lib/generated/prisma/client";
import { isPagerDutyError, type PagerDutyError } from "@/lib/pagerduty";
import { observe, type Observation } from "./observe";
import { pipelineOptions } from "./options";
import { enqueueApply, jsonOrNull, lockOrderingKey } from "./queue";
import { explainRefusal, isPermanent } from "./rules";
import { applyToSyncedModel } from "./sync-model";
import { SETTLED, type Desired, type Prior } from "./types";
import { pipelineClients, writeChange, type PipelineClients } from "./write";

export const PIPELINE_ACTOR = { type: "system", job: "changes.apply" } as const;
const ACTOR_LABEL = "job:changes.apply";

export type RunOutcome = "missing" | "not_runnable" | "not_due" | "waiting" | ChangeStatus;

export interface RunContext {
  /** Job attempt and its limit: the last attempt records FAILED instead of throwing for another retry. */
  attempt: number;
  maxAttempts: number;
  signal?: AbortSignal;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runChange(db: Db, changeId: string, ctx: RunContext = { attempt: 1, maxAttempts: 1 }): Promise<RunOutcome> {
  const claim = await db.$transaction((tx) => claimChange(tx, changeId));
  if (typeof claim === "string") return claim;
  const { change, resumed } = claim;
  const desired = change.desired as unknown as Desired;

  const connection = await db.pagerDutyConnection.findUnique({ where: { id: change.connectionId } });
  if (!connection || connection.status !== "ACTIVE" || connection.readOnly || !connection.secretCiphertext) {
    const why = !connection || connection.status === "REMOVED" ? "the connection was removed" : connection.status !== "ACTIVE" ? "the connection is disabled" : "its credential is read-only";
    return fail(db, change, { message: `Not applied: ${why}.`, suggestedFix: "Enable the connection or rotate to a full-access credential, then retry this change." });
  }
  const fromEmail = desired.kind === "USER_CREATE" ? await fromAddress(db, change.connectionId) : undefined;
  const clients = pipelineClients(connection, fromEmail, pipelineOptions().client);

  if (change.status !== "APPLIED") {
    const applied = await apply(db, clients, change, desired, resumed, ctx);
    if (applied !== "APPLIED") return applied;
  }
  return verify(db, clients, change, ctx);
}

/** The worker lost this job (lease expired, timeout, stop): stop before the next step; whoever took over re-reads PagerDuty. */
function ensureLive(ctx: RunContext) {
  if (ctx.signal?.aborted) throw new Error("change execution interrupted: the job was aborted");
}

/** The executor's claim is no longer current: another attempt took the change over. Nothing was written. */
export class ChangeTakenOverError extends Error {
  constructor() {
    super("change was taken over by another executor; leaving it to that one");
    this.name = "ChangeTakenOverError";
  }
}

/**
 * Fenced update: only the executor whose claim is current (same attempt count) may write the change's
 * outcome. Every outcome write goes through here (applied, verified, unverified, failed, the error of an
 * attempt that will retry), so a stale attempt (its lease lost, its process paused) can never overwrite what
 * a newer attempt recorded.
 */
async function moveOn(db: DbOrTx, change: ChangeRequest, data: Prisma.ChangeRequestUpdateManyMutationInput) {
  const moved = await db.changeRequest.updateMany({ where: { id: change.id, attempts: change.attempts }, data });
  if (moved.count === 0) throw new ChangeTakenOverError();
}

type Claim = { change: ChangeRequest; resumed: boolean };

async function claimChange(tx: Tx, changeId: string): Promise<Claim | RunOutcome> {
  const head = await tx.changeRequest.findUnique({ where: { id: changeId }, select: { orderingKey: true } });
  if (!head) return "missing";
  await lockOrderingKey(tx, head.orderingKey);
  const change = await tx.changeRequest.findUniqueOrThrow({ where: { id: changeId } });
  if (!["PENDING", "SCHEDULED", "APPLYING", "APPLIED"].includes(change.status)) return "not_runnable";
  if (change.status === "SCHEDULED" && change.runAt && change.runAt.getTime() > pipelineOptions().now()) return "not_due";
  const blocker = await tx.changeRequest.findFirst({ where: { orderingKey: change.orderingKey, seq: { lt: change.seq }, status: { notIn: [...SETTLED] } }, select: { id: true } });
  if (blocker) return "waiting";
  // Any earlier attempt (interrupted, failed ambiguously, or retried after FAILED) may have reached PagerDuty.
  const resumed = change.status === "APPLYING" || change.attempts > 0;
  const status: ChangeStatus = change.status === "APPLIED" ? "APPLIED" : "APPLYING";
  const claimed = await tx.changeRequest.update({ where: { id: changeId }, data: { status, attempts: { increment: 1 } } });
  if (change.status !== status) await event(tx, changeId, change.status, status, resumed ? "Resumed" : "Applying");
  else if (resumed) await event(tx, changeId, status, status, "Picked up again after an interrupted attempt: PagerDuty is read before anything is sent");
  return { change: claimed, resumed };
}

async function apply(db: Db, clients: PipelineClients, change: ChangeRequest, desired: Desired, resumed: boolean, ctx: RunContext): Promise<RunOutcome> {
  const options = pipelineOptions();
  let observation: Observation | null = null;
  let result: { userId?: string } = {};
  for (let attempt = 1; ; attempt++) {
    try {
      // After an interrupted or ambiguous attempt, the write may have landed: look before writing again.
      ensureLive(ctx);
      observation = resumed || attempt > 1 ? await observe(clients.read, desired) : null;
      ensureLive(ctx);
      if (observation?.matches) result = { userId: observation.userId };
      else result = await writeChange(clients.write, desired);
      break;
    } catch (error) {
      ensureLive(ctx);
      if (isPagerDutyError(error) && isPermanent(error)) return refuse(db, clients, change, desired, error);
      if (attempt < options.applyTries && !ctx.signal?.aborted) {
        await sleep(options.applyDelayMs * attempt);
        continue;
      }
      const message = error instanceof Error ? error.message : String(error);
      if (ctx.attempt >= ctx.maxAttempts) {
        return fail(db, change, { message: `Gave up after ${ctx.attempt} attempts: ${message}`, suggestedFix: "PagerDuty or the network kept failing. Check PagerDuty's status, then retry this change.", error });
      }
      await moveOn(db, change, errorFields(error, message, "Will retry with backoff (PagerDuty or the network failed)."));
      throw error;
    }
  }
  ensureLive(ctx);
  await db.$transaction(async (tx) => {
    await moveOn(tx, change, {
      status: "APPLIED", appliedAt: new Date(), userPdId: result.userId ?? change.userPdId, lastErrorStatus: null, lastErrorCode: null, lastErrorMessage: null, suggestedFix: null,
    });
    await event(tx, change.id, "APPLYING", "APPLIED", observation?.matches ? "PagerDuty already showed the desired state: nothing was sent again" : "Sent to PagerDuty");
  });
  return "APPLIED";
}

async function verify(db: Db, clients: PipelineClients, claimed: ChangeRequest, ctx: RunContext): Promise<RunOutcome> {
  const options = pipelineOptions();
  const current = await db.changeRequest.findUniqueOrThrow({ where: { id: claimed.id } });
  if (current.attempts !== claimed.attempts) throw new ChangeTakenOverError();
  // Fenced by this attempt's claim, not by whatever the row says when it is written.
  const change = { ...current, attempts: claimed.attempts };
  const desired = change.desired as unknown as Desired;
  let last: Observation | null = null;
  let readError: string | null = null;
  // PagerDuty is eventually consistent: a few bounded re-reads, then give an honest UNVERIFIED.
  for (let read = 1; read <= options.verifyReads && !ctx.signal?.aborted; read++) {
    try {
      last = await observe(clients.read, desired);
      readError = null;
      if (last.matches || last.unobservable) break;
    } catch (error) {
      readError = error instanceof Error ? error.message : String(error);
    }
    if (read < options.verifyReads) await sleep(options.verifyDelayMs * read);
  }
  ensureLive(ctx);
  const now = new Date();
  if (last?.matches) {
    await db.$transaction(async (tx) => {
      await settle(tx, change, "VERIFIED", { verifiedAt: now, observed: jsonOrNull(last.observed) }, "Verified: PagerDuty shows the desired state");
      await applyToSyncedModel(tx, { ...change, desired, prior: change.prior as Prior | null }, last, now);
      await appendAudit(tx, { actor: PIPELINE_ACTOR, action: "change.verified", target: { type: "change_request", id: change.id }, accountId: change.connectionId, after: { kind: change.kind, target: change.targetLabel, observed: last.observed } });
    });
    return "VERIFIED";
  }
  const reason = last?.unobservable
    ? "PagerDuty accepted the request, but offers no read that could show the result (OAuth delegations cannot be listed): not verifiable."
    : readError
      ? `PagerDuty could not be read to verify the change: ${readError}`
      : `PagerDuty still did not show the desired state after ${options.verifyReads} reads (it showed ${JSON.stringify(last?.observed ?? {})}).`;
  await db.$transaction(async (tx) => {
    await settle(tx, change, "UNVERIFIED", { observed: jsonOrNull(last?.observed ?? null), lastErrorMessage: reason, suggestedFix: "Check the user in PagerDuty; run a sync to refresh the portal's picture." }, reason);
    await appendAudit(tx, { actor: PIPELINE_ACTOR, action: "change.unverified", target: { type: "change_request", id: change.id }, accountId: change.connectionId, after: { kind: change.kind, target: change.targetLabel, reason } });
  });
  return "UNVERIFIED";
}

/** A permanent refusal: FAILED with PagerDuty's words and a fix, naming the blocking policies where that is the reason. */
async function refuse(db: Db, clients: PipelineClients, change: ChangeRequest, desired: Desired, error: PagerDutyError): Promise<RunOutcome> {
  const context: { blockingPolicies?: string[] } = {};
  if (desired.kind === "TEAM_MEMBER_REMOVE" && error.status === 400) {
    try {
      const policies = await clients.read.listEscalationPolicies({ teamIds: [desired.teamId], userIds: [desired.userId] }).all();
      context.blockingPolicies = policies.filter((p) => p.escalation_rules.some((r) => r.targets.some((t) => t.id === desired.userId))).map((p) => p.name);
    } catch {
      // The refusal itself is still reported; the names come from the synced model instead.
    }
    if (!context.blockingPolicies?.length) context.blockingPolicies = await syncedBlockingPolicies(db, change.connectionId, desired.teamId, desired.userId);
  }
  const refusal = explainRefusal(error, desired, context);
  return fail(db, change, { ...refusal, error });
}

async function fail(db: Db, change: ChangeRequest, f: { message: string; suggestedFix: string; error?: unknown }): Promise<RunOutcome> {
  await db.$transaction(async (tx) => {
    const current = await tx.changeRequest.findUniqueOrThrow({ where: { id: change.id }, select: { status: true } });
    await moveOn(tx, change, { status: "FAILED", ...errorFields(f.error, f.message, f.suggestedFix) });
    await event(tx, change.id, current.status, "FAILED", f.message, { suggestedFix: f.suggestedFix });
    await appendAudit(tx, { actor: PIPELINE_ACTOR, action: "change.failed", target: { type: "change_request", id: change.id }, accountId: change.connectionId, after: { kind: change.kind, target: change.targetLabel, error: f.message, suggestedFix: f.suggestedFix } });
  });
  return "FAILED";
}

function errorFields(error: unknown, message: string, suggestedFix: string) {
  const pd = isPagerDutyError(error) ? error : null;
  return { lastErrorStatus: pd?.status ?? null, lastErrorCode: pd?.code ?? null, lastErrorMessage: message.slice(0, 2000), suggestedFix };
}

/** A final state, and the next change of the same key gets its turn. */
async function settle(tx: Tx, change: ChangeRequest, to: ChangeStatus, data: Prisma.ChangeRequestUpdateManyMutationInput, message: string) {
  await lockOrderingKey(tx, change.orderingKey);
  await moveOn(tx, change, { status: to, ...data });
  await event(tx, change.id, "APPLIED", to, message);
  await releaseNext(tx, change.orderingKey);
}

/** Enqueues the first unsettled change of the key if it can run now (callers hold the key's lock). */
export async function releaseNext(tx: Tx, orderingKey: string): Promise<void> {
  const next = await tx.changeRequest.findFirst({ where: { orderingKey, status: { notIn: [...SETTLED] } }, orderBy: { seq: "asc" }, select: { id: true, status: true, runAt: true } });
  if (!next || next.status === "HELD" || next.status === "FAILED") return;
  if (next.status === "SCHEDULED" && next.runAt && next.runAt.getTime() > pipelineOptions().now()) return;
  await enqueueApply(tx, next.id);
}

export async function event(tx: Tx, changeId: string, from: ChangeStatus | null, to: ChangeStatus, message: string, detail?: Record<string, unknown>, actor = ACTOR_LABEL) {
  await tx.changeEvent.create({ data: { id: randomUUID(), changeId, from, to, actor, message, detail: jsonOrNull(detail ?? null) } });
}

/** PagerDuty needs a `From` user on POST /users: the account owner (or an admin) from the synced model. */
async function fromAddress(db: Db, connectionId: string): Promise<string | undefined> {
  const owner = await db.pdUser.findFirst({ where: { connectionId, removedAt: null, role: { in: ["owner", "admin"] } }, orderBy: [{ role: "desc" }, { pdId: "asc" }], select: { email: true } });
  return owner?.email;
}

/** The team's policies that target the user directly, per the synced model. */
async function syncedBlockingPolicies(db: Db, connectionId: string, teamId: string, userId: string): Promise<string[]> {
  const targets = await db.pdEscalationTarget.findMany({ where: { connectionId, targetType: "USER", targetPdId: userId, removedAt: null }, select: { policyPdId: true } });
  const policies = await db.pdEscalationPolicy.findMany({ where: { connectionId, teamPdId: teamId, removedAt: null, pdId: { in: targets.map((t) => t.policyPdId) } }, select: { name: true } });
  return policies.map((p) => p.name);
}
