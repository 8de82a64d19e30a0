import { randomUUID } from "node:crypto";
import type { DbOrTx, Tx } from "@/lib/db";
import { ActorType, Prisma } from "@/lib/generated/prisma/client";
import { eventHash } from "./canonical";
import { requestContext } from "./context";

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
  /** Left undefined, both are taken from the request being served (nulls outside a request). */
  requestId?: string | null;
  clientIp?: string | null;
}

const ACTION = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;

/**
 * The JSON exactly as it will read back from the jsonb column, so the hash computed now is the hash the
 * verifier recomputes later (undefined fields dropped, Dates as ISO strings, bigints as strings).
 */
function toJson(v: unknown): Prisma.InputJsonValue | null {
  if (v === undefined || v === null) return null;
  const text = JSON.stringify(v, (_key, value: unknown) => {
    if (typeof value === "bigint") return value.toString();
    // PostgreSQL's jsonb cannot store the NUL character: refuse with a clear message, not a driver error.
    if (typeof value === "string" && value.includes("\0")) throw new Error("audit before/after must not contain the NUL character");
    return value;
  });
  return JSON.parse(text) as Prisma.InputJsonValue;
}

const jsonOrNull = (v: Prisma.InputJsonValue | null) => (v === null ? Prisma.DbNull : v);

/**
 * Appends one event to the hash chain. Must run inside the transaction of the change it records:
 * the row lock on AuditHead serialises writers so the chain never forks.
 */
export async function appendAudit(tx: Tx, input: AuditInput) {
  if (!ACTION.test(input.action)) throw new Error(`audit action "${input.action}" must be a dotted lower-case verb such as "person.roles_changed"`);
  // Everything that can be prepared without the lock is prepared first: the head lock is held until
  // the caller's transaction ends, and every other writer of the portal waits on it.
  const ctx = input.requestId === undefined || input.clientIp === undefined ? await requestContext() : null;
  const before = toJson(input.before);
  const after = toJson(input.after);
  // Serialises writers: under READ COMMITTED a waiting FOR UPDATE re-reads the row once the holder
  // commits, so each writer links to the head its predecessor left, and the chain never forks. This
  // holds across processes and machines, since the lock lives in the database.
  const [head] = await tx.$queryRaw<{ seq: bigint; hash: string }[]>`SELECT "seq", "hash" FROM "AuditHead" WHERE "id" = 1 FOR UPDATE`;
  if (!head) throw new Error("audit chain head is missing: run the migrations");
  const actor = input.actor;
  const fields = {
    seq: BigInt(head.seq) + 1n,
    id: randomUUID(),
    // Millisecond precision, as stored (timestamptz(3)), so the hash can be recomputed from the row.
    at: new Date(),
    actorType: actor.type === "person" ? ActorType.PERSON : actor.type === "system" ? ActorType.SYSTEM : ActorType.ANONYMOUS,
    actorId: actor.type === "person" ? actor.id : null,
    actorLabel: actor.type === "person" ? actor.label : actor.type === "system" ? `job:${actor.job}` : (actor.label ?? "anonymous"),
    action: input.action,
    targetType: input.target.type,
    targetId: input.target.id ?? null,
    accountId: input.accountId ?? null,
    before,
    after,
    reason: input.reason ?? null,
    requestId: input.requestId !== undefined ? input.requestId : (ctx?.requestId ?? null),
    clientIp: input.clientIp !== undefined ? input.clientIp : (ctx?.clientIp ?? null),
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
