/**
 * createChanges: the ONE way anything in the portal asks for a write to PagerDuty. It runs inside the
 * caller's transaction, next to the cause (a review decision, an approval…) and the caller's audit event,
 * so a change exists exactly when its cause commits (architecture invariant 1: an outbox, not a call).
 * Workers pick the changes up through jobs enqueued in the same transaction.
 */
import { randomUUID } from "node:crypto";
import { appendAudit, type AuditActor } from "@/lib/audit";
import { DomainError } from "@/lib/auth/errors";
import type { Tx } from "@/lib/db";
import { Prisma, type ChangeStatus } from "@/lib/generated/prisma/client";
import { brakeReason, changeSettings, type ChangeSettings } from "./brake";
import { coverageWarning, describeCoverage, type CoverageWarning } from "./coverage";
import { pipelineOptions } from "./options";
import { enqueueApply } from "./queue";
import { downgradeRole, roleAbilityProblem, roleLicenseProblem, RuleViolation } from "./rules";
import { SyncedLookup } from "./lookup";
import { causeKindOf, changeSpecSchema, describeDesired, orderingKey, userKeyOf, type Cause, type ChangeSpec, type Desired, type ParsedChangeSpec, type Prior, type Requester } from "./types";

export type CoverageDecision = { mode: "after_shift" } | { mode: "now"; reason: string };

export interface ChangeInput {
  spec: ChangeSpec;
  /** Default: derived from the cause, kind and target, so repeating a cause never doubles its changes. */
  idempotencyKey?: string;
  coverage?: CoverageDecision;
  /** For undo: the change this one reverts. */
  undoOfId?: string;
}

export interface CreateChangesInput {
  connectionId: string;
  cause: Cause;
  requestedBy: Requester;
  changes: ChangeInput[];
  /** Applies to every change without its own decision. */
  coverage?: CoverageDecision;
  now?: Date;
}

export interface CreatedChange {
  id: string;
  status: ChangeStatus;
  idempotencyKey: string;
  /** false: a change with this idempotency key already existed and is returned as is. */
  created: boolean;
  coverageWarning: CoverageWarning | null;
}

export interface CreatedChanges {
  batchId: string;
  held: boolean;
  heldReason: string | null;
  changes: CreatedChange[];
}

/** Refused at creation: nothing was written (the caller's transaction should roll back, or go on without it). */
export class ChangeRefused extends DomainError {
  constructor(message: string, fieldErrors?: Record<string, string[]>) {
    super(message, fieldErrors);
    this.name = "ChangeRefused";
  }
}

/** A person must choose: apply after the shift, or now with a reason. */
export class CoverageDecisionNeeded extends ChangeRefused {
  constructor(
    readonly warning: CoverageWarning,
    readonly target: string,
  ) {
    super(
      `${describeCoverage(warning)} Choose "apply after their current shift"${warning.shiftEnd ? ` (${warning.shiftEnd})` : " (not possible: no shift end within the horizon)"} or "apply now" with a reason. Nothing was changed.`,
      { coverage: [describeCoverage(warning)] },
    );
    this.name = "CoverageDecisionNeeded";
  }
}

export const requesterActor = (r: Requester): AuditActor => (r.type === "person" ? { type: "person", id: r.id, label: r.label } : { type: "system", job: r.job });

interface Planned {
  id: string;
  desired: Desired;
  prior: Prior | null;
  label: string;
  idempotencyKey: string;
  status: ChangeStatus;
  runAt: Date | null;
  warning: CoverageWarning | null;
  overrideReason: string | null;
  undoOfId: string | null;
  heldForCoverage: boolean;
}

export async function createChanges(tx: Tx, input: CreateChangesInput): Promise<CreatedChanges> {
  const now = input.now ?? new Date();
  // Coverage ("on call now or within N hours") and "after their shift" follow the pipeline's clock: the
  // simulator's in the demo and tests, so a simulated shift is judged by simulated time.
  const clockNow = input.now ?? new Date(pipelineOptions().now());
  if (input.changes.length === 0) throw new ChangeRefused("No changes were given.");
  const connection = await tx.pagerDutyConnection.findUnique({ where: { id: input.connectionId }, select: { id: true, name: true, status: true, readOnly: true, accessLevel: true, abilities: true } });
  if (!connection || connection.status === "REMOVED") throw new ChangeRefused("No such PagerDuty connection: it does not exist or was removed. Nothing was changed.");
  if (connection.status !== "ACTIVE") throw new ChangeRefused(`Write-back to ${connection.name} is off: the connection is disabled. Enable it first; nothing was changed.`);
  if (connection.readOnly) {
    throw new ChangeRefused(
      `Write-back to ${connection.name} is disabled: its credential is ${connection.accessLevel === "READ_ONLY" ? "a read-only key" : "not known to be allowed to write"}, so PagerDuty would refuse the change. Rotate it to a full-access key (or an OAuth app with write scopes); nothing was changed.`,
    );
  }
  const settings = await changeSettings(tx, connection.id);

  const specs = input.changes.map((item) => {
    const parsed = changeSpecSchema.safeParse(item.spec);
    if (!parsed.success) throw new ChangeRefused(`A change is not valid: ${parsed.error.issues.map((i) => `${i.path.join(".") || "change"}: ${i.message}`).join("; ")}. Nothing was changed.`);
    return parsed.data;
  });
  const synced = new SyncedLookup(tx, connection.id);
  await synced.preload(specs);
  const resolved: { item: ChangeInput; desired: Desired; key: string }[] = [];
  for (const [i, item] of input.changes.entries()) {
    const desired = await resolveDesired(synced, connection.abilities, settings, specs[i]!);
    resolved.push({ item, desired, key: item.idempotencyKey ?? defaultKey(input.cause, desired) });
  }
  const found = await tx.changeRequest.findMany({ where: { idempotencyKey: { in: resolved.map((r) => r.key) } }, select: { id: true, status: true, coverageWarning: true, idempotencyKey: true } });
  const foundByKey = new Map(found.map((f) => [f.idempotencyKey, f]));

  const planned: Planned[] = [];
  const existing: CreatedChange[] = [];
  const plannedByKey = new Map<string, Planned>();
  for (const { item, desired, key } of resolved) {
    // Asked before (or twice in this call): the change that exists is the answer, not a second one.
    const earlier = foundByKey.get(key) ?? plannedByKey.get(key);
    if (earlier) {
      existing.push({ id: earlier.id, status: earlier.status, idempotencyKey: key, created: false, coverageWarning: ("warning" in earlier ? earlier.warning : earlier.coverageWarning) as CoverageWarning | null });
      continue;
    }
    const p = await plan(tx, synced, connection.id, settings, desired, key, item.coverage ?? input.coverage, input.requestedBy, clockNow, item.undoOfId ?? null);
    plannedByKey.set(key, p);
    planned.push(p);
  }

  const batch = await openBatch(tx, connection.id, input.cause, now);
  if (planned.length === 0) {
    return { batchId: batch.id, held: batch.status === "HELD", heldReason: batch.heldReason, changes: existing };
  }

  const requester = input.requestedBy;
  await tx.changeRequest.createMany({
    data: planned.map((p) => ({
      id: p.id,
      connectionId: connection.id,
      batchId: batch.id,
      kind: p.desired.kind,
      status: p.status,
      orderingKey: orderingKey(connection.id, p.desired),
      userPdId: "userId" in p.desired ? p.desired.userId : null,
      teamPdId: "teamId" in p.desired ? p.desired.teamId : null,
      targetLabel: p.label,
      desired: p.desired as unknown as Prisma.InputJsonValue,
      prior: p.prior === null ? Prisma.DbNull : (p.prior as unknown as Prisma.InputJsonValue),
      causeKind: causeKindOf(input.cause.kind),
      causeId: input.cause.id,
      requestedByType: requester.type,
      requestedById: requester.type === "person" ? requester.id : null,
      requestedByLabel: requester.type === "person" ? requester.label : `job:${requester.job}`,
      idempotencyKey: p.idempotencyKey,
      runAt: p.runAt,
      coverageWarning: p.warning === null ? Prisma.DbNull : (p.warning as unknown as Prisma.InputJsonValue),
      overrideReason: p.overrideReason,
      undoOfId: p.undoOfId,
      createdAt: now,
    })),
  });
  const actorLabel = requester.type === "person" ? requester.label : `job:${requester.job}`;
  await tx.changeEvent.createMany({
    data: planned.map((p) => ({
      id: randomUUID(),
      changeId: p.id,
      from: null,
      to: p.status,
      at: now,
      actor: actorLabel,
      message: p.status === "SCHEDULED" ? `Scheduled after the current shift (${p.runAt?.toISOString()}): ${describeCoverage(p.warning!)}` : p.overrideReason ? `Applied now despite a coverage warning: ${p.overrideReason}` : "Requested",
    })),
  });

  const heldReason = await assessBatch(tx, batch.id, connection.id, settings, planned.some((p) => p.heldForCoverage));
  const held = heldReason !== null;
  if (held) {
    await holdBatch(tx, batch.id, heldReason, actorLabel, now);
  } else {
    // SCHEDULED changes are released by the sweep when their time comes on the pipeline's clock.
    for (const p of planned) if (p.status === "PENDING") await enqueueApply(tx, p.id);
  }
  const final = await tx.changeRequest.findMany({ where: { id: { in: planned.map((p) => p.id) } }, select: { id: true, status: true } });
  const statusOf = new Map(final.map((c) => [c.id, c.status]));
  const created = planned.map((p) => ({ id: p.id, status: statusOf.get(p.id) ?? p.status, idempotencyKey: p.idempotencyKey, created: true, coverageWarning: p.warning }));

  await appendAudit(tx, {
    actor: requesterActor(requester),
    action: "change.requested",
    target: { type: "change_batch", id: batch.id },
    accountId: connection.id,
    after: {
      cause: input.cause,
      held,
      heldReason,
      changes: planned.map((p) => ({ id: p.id, kind: p.desired.kind, target: p.label, desired: p.desired, status: statusOf.get(p.id), runAt: p.runAt?.toISOString() ?? null })),
    },
    reason: planned.find((p) => p.overrideReason)?.overrideReason ?? null,
  });
  return { batchId: batch.id, held, heldReason, changes: [...existing, ...created] };
}

function defaultKey(cause: Cause, desired: Desired): string {
  const target = "teamId" in desired ? `${userKeyOf(desired)}@${desired.teamId}` : userKeyOf(desired);
  const value = "role" in desired && desired.role ? `:${desired.role}` : "";
  return `${cause.kind}:${cause.id}:${desired.kind}:${target}${value}`;
}

async function resolveDesired(synced: SyncedLookup, abilities: string[], settings: ChangeSettings, spec: ParsedChangeSpec): Promise<Desired> {
  try {
    switch (spec.kind) {
      case "team_member_put": {
        const user = await synced.user(spec.userId);
        if (user?.role === "read_only_user") throw new RuleViolation(`${user.name} has the read_only_user base role, which PagerDuty does not allow on teams: change the base role first.`);
        return { kind: "TEAM_MEMBER_PUT", teamId: spec.teamId, userId: spec.userId, role: spec.role };
      }
      case "team_member_remove":
        return { kind: "TEAM_MEMBER_REMOVE", teamId: spec.teamId, userId: spec.userId };
      case "user_role_remove":
        return { kind: "USER_ROLE_CHANGE", userId: spec.userId, role: downgradeRole(settings.downgradeRole, abilities) };
      case "user_role_change": {
        const problem = roleAbilityProblem(spec.role, abilities) ?? (await licenseProblem(synced, spec.userId, null, spec.role));
        if (problem) throw new RuleViolation(problem);
        return { kind: "USER_ROLE_CHANGE", userId: spec.userId, role: spec.role };
      }
      case "user_create": {
        const problem = spec.role ? (roleAbilityProblem(spec.role, abilities) ?? (await licenseProblem(synced, null, spec.licenseId ?? null, spec.role))) : null;
        if (problem) throw new RuleViolation(problem);
        return { ...spec, kind: "USER_CREATE" };
      }
      case "user_delete":
        return { kind: "USER_DELETE", userId: spec.userId };
      case "user_sign_out":
        return { kind: "USER_SIGN_OUT", userId: spec.userId, types: spec.types };
    }
  } catch (error) {
    if (error instanceof RuleViolation) throw new ChangeRefused(`${error.message} Nothing was changed.`);
    throw error;
  }
}

async function licenseProblem(synced: SyncedLookup, userId: string | null, licenseId: string | null, role: string): Promise<string | null> {
  const id = licenseId ?? (userId ? ((await synced.user(userId))?.licensePdId ?? null) : null);
  return id ? roleLicenseProblem(role, await synced.license(id)) : null;
}

async function plan(
  tx: Tx,
  synced: SyncedLookup,
  connectionId: string,
  settings: ChangeSettings,
  desired: Desired,
  key: string,
  decision: CoverageDecision | undefined,
  requester: Requester,
  now: Date,
  undoOfId: string | null,
): Promise<Planned> {
  const user = "userId" in desired ? await synced.user(desired.userId) : null;
  const team = "teamId" in desired ? await synced.team(desired.teamId) : null;
  const label = describeDesired(desired, { user: user ? `${user.name} <${user.email}>` : undefined, team: team?.name });
  const prior = await priorState(tx, synced, connectionId, desired, user);
  const warning = await coverageWarning(tx, connectionId, desired, now, settings.coverageHorizonHours);
  const base = { id: randomUUID(), desired, prior, label, idempotencyKey: key, warning, undoOfId };
  if (!warning) return { ...base, status: "PENDING", runAt: null, overrideReason: null, heldForCoverage: false };
  if (!decision) {
    // A person decides on the spot; automation takes the safe default: after the shift, or a person's approval.
    if (requester.type === "person") throw new CoverageDecisionNeeded(warning, label);
    if (warning.shiftEnd) return { ...base, status: "SCHEDULED", runAt: new Date(warning.shiftEnd), overrideReason: null, heldForCoverage: false };
    return { ...base, status: "PENDING", runAt: null, overrideReason: null, heldForCoverage: true };
  }
  if (decision.mode === "after_shift") {
    if (!warning.shiftEnd) throw new ChangeRefused(`${describeCoverage(warning)} There is no shift end to wait for: apply now with a reason, or fix the schedule first. Nothing was changed.`);
    return { ...base, status: "SCHEDULED", runAt: new Date(warning.shiftEnd), overrideReason: null, heldForCoverage: false };
  }
  if (!decision.reason.trim()) throw new ChangeRefused("Applying now despite a coverage gap needs a reason. Nothing was changed.", { reason: ["Give a reason."] });
  return { ...base, status: "PENDING", runAt: null, overrideReason: decision.reason.trim(), heldForCoverage: false };
}

/** What PagerDuty showed before, per the synced model: what undo puts back. */
async function priorState(tx: Tx, synced: SyncedLookup, connectionId: string, desired: Desired, user: { name: string; email: string; role: string; licensePdId: string | null } | null): Promise<Prior | null> {
  switch (desired.kind) {
    case "TEAM_MEMBER_PUT":
    case "TEAM_MEMBER_REMOVE": {
      const m = await synced.membership(desired.teamId, desired.userId);
      return m && !m.removedAt ? { member: true, role: m.role } : { member: false };
    }
    case "USER_ROLE_CHANGE":
      return user ? { role: user.role } : null;
    case "USER_CREATE":
      return { absent: true };
    case "USER_DELETE": {
      if (!user) return null;
      const teams = await tx.pdTeamMembership.findMany({ where: { connectionId, userPdId: desired.userId, removedAt: null }, select: { teamPdId: true, role: true } });
      return { user: { name: user.name, email: user.email, role: user.role, licenseId: user.licensePdId, teams: teams.map((t) => ({ teamId: t.teamPdId, role: t.role })) } };
    }
    case "USER_SIGN_OUT":
      return null;
  }
}

/** All changes of one cause share a batch; lifecycle events share one per connection and minute. */
async function openBatch(tx: Tx, connectionId: string, cause: Cause, now: Date) {
  const causeKind = causeKindOf(cause.kind);
  const causeId = cause.kind === "lifecycle_event" ? `minute:${now.toISOString().slice(0, 16)}` : cause.id;
  await tx.changeBatch.createMany({ data: [{ id: randomUUID(), connectionId, causeKind, causeId, status: "RELEASED", createdAt: now }], skipDuplicates: true });
  // Serialises writers of one batch, so the brake counts every change of it.
  const [row] = await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "ChangeBatch" WHERE "connectionId" = ${connectionId} AND "causeKind"::text = ${causeKind} AND "causeId" = ${causeId} FOR UPDATE`;
  if (!row) throw new Error("change batch vanished");
  return tx.changeBatch.findUniqueOrThrow({ where: { id: row.id } });
}

/** Re-counts the whole batch (it may grow) and says why it must be held, or null. */
async function assessBatch(tx: Tx, batchId: string, connectionId: string, settings: ChangeSettings, coverageHold: boolean): Promise<string | null> {
  const changes = await tx.changeRequest.findMany({ where: { batchId }, select: { desired: true, kind: true } });
  const users = new Set(changes.map((c) => userKeyOf(c.desired as unknown as Desired)));
  const deletions = changes.filter((c) => c.kind === "USER_DELETE").length;
  const accountUsers = await tx.pdUser.count({ where: { connectionId, removedAt: null } });
  await tx.changeBatch.update({ where: { id: batchId }, data: { changeCount: changes.length, usersTouched: users.size, deletions, accountUsers } });
  const reason = brakeReason({ usersTouched: users.size, deletions, accountUsers }, settings);
  if (reason) return reason;
  return coverageHold ? "Held for approval: a change would leave a schedule layer or escalation level without anyone, and no shift end was found to wait for." : null;
}

async function holdBatch(tx: Tx, batchId: string, reason: string, actor: string, now: Date) {
  await tx.changeBatch.update({ where: { id: batchId }, data: { status: "HELD", heldReason: reason, decidedAt: null, decidedById: null } });
  const waiting = await tx.changeRequest.findMany({ where: { batchId, status: { in: ["PENDING", "SCHEDULED"] } }, select: { id: true, status: true } });
  await tx.changeRequest.updateMany({ where: { id: { in: waiting.map((c) => c.id) } }, data: { status: "HELD" } });
  await tx.changeEvent.createMany({ data: waiting.map((c) => ({ id: randomUUID(), changeId: c.id, from: c.status, to: "HELD" as const, at: now, actor, message: reason })) });
}
