import { createHash } from "node:crypto";

/** Deterministic JSON: object keys sorted at every depth, no whitespace. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "bigint") return JSON.stringify(value.toString());
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export const GENESIS_HASH = "0".repeat(64);

export interface HashedFields {
  seq: bigint;
  id: string;
  at: Date;
  actorType: string;
  actorId: string | null;
  actorLabel: string;
  action: string;
  targetType: string;
  targetId: string | null;
  accountId: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
  requestId: string | null;
  clientIp: string | null;
}

/** hash = SHA-256(prevHash ‖ canonical(event)); the seq inside makes reordering detectable too. */
export function eventHash(prevHash: string, e: HashedFields): string {
  const body = canonicalJson({
    seq: e.seq,
    id: e.id,
    at: e.at,
    actorType: e.actorType,
    actorId: e.actorId,
    actorLabel: e.actorLabel,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    accountId: e.accountId,
    before: e.before ?? null,
    after: e.after ?? null,
    reason: e.reason,
    requestId: e.requestId,
    clientIp: e.clientIp,
  });
  return createHash("sha256").update(prevHash).update("\n").update(body).digest("hex");
}
