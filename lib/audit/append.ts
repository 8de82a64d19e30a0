import { randomUUID } from "node:crypto";
import type { DbOrTx, Tx } from "@/lib/db";
import { ActorType, Prisma } from "@/lib/generated/prisma/client";
import { eventHash } from "./canonical";

export type AuditActor =
  | { type: "person"; id: string; label: string }
  | { type: "system"; job: string }
  | { type: "anonymous"; label?: string };

export interface AuditInput {
  actor: AuditActor;
  /** dotted verb, e.g. "auth.sign_in", "person.roles_changed" */
  action: string;
  target: { type: string; id?: string | null };
  accountId?: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
  requestId?: string | null;
  clientIp?: string | null;
}

const jsonOrNull = (v: unknown) => (v === undefined || v === null ? Prisma.DbNull : (JSON.parse(JSON.stringify(v)) as Prisma.InputJsonValue));

/**
 * Appends one event to the hash chain. Must run inside the transaction of the change it records:
 * the row lock on AuditHead serialises writers so the chain never forks.
 */
export async function appendAudit(tx: Tx, input: AuditInput) {
  const [head] = await tx.$queryRaw<{ seq: bigint; hash: string }[]>`SELECT "seq", "hash" FROM "AuditHead" WHERE "id" = 1 FOR UPDATE`;
  if (!head) throw new Error("audit chain head is missing: run the migrations");
  const actor = input.actor;
  const fields = {
    seq: BigInt(head.seq) + 1n,
    id: randomUUID(),
    // Millisecond precision, as stored (timestamptz(3)), so the hash can be recomputed from the row.
    at: new Date(Math.floor(Date.now())),
    actorType: actor.type === "person" ? ActorType.PERSON : actor.type === "system" ? ActorType.SYSTEM : ActorType.ANONYMOUS,
    actorId: actor.type === "person" ? actor.id : null,
    actorLabel: actor.type === "person" ? actor.label : actor.type === "system" ? `job:${actor.job}` : (actor.label ?? "anonymous"),
    action: input.action,
    targetType: input.target.type,
    targetId: input.target.id ?? null,
    accountId: input.accountId ?? null,
    before: input.before === undefined ? null : JSON.parse(JSON.stringify(input.before)),
    after: input.after === undefined ? null : JSON.parse(JSON.stringify(input.after)),
    reason: input.reason ?? null,
    requestId: input.requestId ?? null,
    clientIp: input.clientIp ?? null,
  };
  const hash = eventHash(head.hash, fields);
  const event = await tx.auditEvent.create({
    data: { ...fields, before: jsonOrNull(fields.before), after: jsonOrNull(fields.after), prevHash: head.hash, hash },
  });
  await tx.$executeRaw`UPDATE "AuditHead" SET "seq" = ${fields.seq}, "hash" = ${hash} WHERE "id" = 1`;
  return event;
}

/** For a change that is nothing but the audit event (e.g. a failed sign-in). */
export async function recordAudit(db: DbOrTx, input: AuditInput) {
  if ("$transaction" in db) return db.$transaction((tx) => appendAudit(tx, input));
  return appendAudit(db, input);
}
