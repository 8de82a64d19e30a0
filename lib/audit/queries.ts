import "server-only";
import { z } from "zod";
import { text } from "@/lib/validation/text";
import { authorize } from "@/lib/auth/access";
import { getDb, type Db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";

/** Filters an auditor can combine; all optional, validated like any other input. */
export const auditFilters = z.object({
  q: text().trim().max(200, "Search text is limited to 200 characters").optional(),
  action: text().trim().max(100).optional(),
  actor: text().trim().max(200).optional(),
  targetType: text().trim().max(100).optional(),
  targetId: text().trim().max(200).optional(),
  from: z.iso.date("From must be a date (YYYY-MM-DD)").optional(),
  to: z.iso.date("To must be a date (YYYY-MM-DD)").optional(),
});
export type AuditFilters = z.infer<typeof auditFilters>;

/** Empty strings from a search form mean "no filter". */
export function parseAuditFilters(raw: Record<string, string | string[] | undefined>) {
  const clean = Object.fromEntries(Object.entries(raw).filter(([, v]) => typeof v === "string" && v.trim() !== ""));
  return auditFilters.safeParse(clean);
}

const MAX_SEQ = 9_223_372_036_854_775_807n; // bigint (int64) column

/** The audit page's ?before= cursor: an event seq (1 … int64 max); anything else means "newest first". */
export function parseAuditCursor(raw: unknown): bigint | undefined {
  if (typeof raw !== "string" || !/^\d{1,19}$/.test(raw)) return undefined;
  const seq = BigInt(raw);
  return seq > 0n && seq <= MAX_SEQ ? seq : undefined;
}

export function auditWhere(f: AuditFilters): Prisma.AuditEventWhereInput {
  const and: Prisma.AuditEventWhereInput[] = [];
  if (f.action) and.push({ action: { startsWith: f.action } });
  if (f.actor) and.push({ OR: [{ actorLabel: { contains: f.actor, mode: "insensitive" } }, { actorId: f.actor }] });
  if (f.targetType) and.push({ targetType: f.targetType });
  if (f.targetId) and.push({ targetId: f.targetId });
  if (f.from) and.push({ at: { gte: new Date(`${f.from}T00:00:00Z`) } });
  if (f.to) and.push({ at: { lt: new Date(new Date(`${f.to}T00:00:00Z`).getTime() + 86_400_000) } });
  if (f.q)
    and.push({
      OR: [
        { action: { contains: f.q, mode: "insensitive" } },
        { targetId: { contains: f.q, mode: "insensitive" } },
        { targetType: { contains: f.q, mode: "insensitive" } },
        { reason: { contains: f.q, mode: "insensitive" } },
        { actorLabel: { contains: f.q, mode: "insensitive" } },
      ],
    });
  return and.length ? { AND: and } : {};
}

export interface AuditEventDto {
  seq: string;
  id: string;
  at: string;
  actorType: string;
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
  hash: string;
  prevHash: string;
}

export const toAuditDto = (e: Prisma.AuditEventGetPayload<object>): AuditEventDto => ({
  ...e,
  seq: e.seq.toString(),
  at: e.at.toISOString(),
});

/**
 * One page of events, newest first, by keyset on seq (fast at any depth).
 * `before`: show events older than this seq. Authorized here, whoever calls it.
 */
export async function listAuditEvents(filters: AuditFilters, opts: { before?: bigint; pageSize?: number } = {}, db?: Db) {
  await authorize("audit.read");
  const pageSize = Math.min(Math.max(opts.pageSize ?? 50, 1), 200);
  const where = auditWhere(filters);
  const database = db ?? (await getDb());
  const rows = await database.auditEvent.findMany({
    where: opts.before ? { AND: [where, { seq: { lt: opts.before } }] } : where,
    orderBy: { seq: "desc" },
    take: pageSize + 1,
  });
  const page = rows.slice(0, pageSize);
  const last = page.at(-1);
  return { events: page.map(toAuditDto), nextBefore: rows.length > pageSize && last ? last.seq.toString() : null };
}

/** The newest chain verification recorded in the trail itself (by the job or a person). */
export async function lastChainVerification() {
  await authorize("audit.read");
  const db = await getDb();
  const e = await db.auditEvent.findFirst({ where: { action: "audit.chain_verified" }, orderBy: { seq: "desc" } });
  return e ? { at: e.at.toISOString(), actorLabel: e.actorLabel, result: e.after as { ok?: boolean; events?: number; firstBreak?: { seq?: string; reason?: string; detail?: string } } | null } : null;
}
