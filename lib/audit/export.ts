import type { Actor } from "@/lib/auth/session";
import type { Db } from "@/lib/db";
import { csvStringifier } from "@/lib/export/csv";
import { appendAudit } from "./append";
import { auditWhere, toAuditDto, type AuditFilters } from "./queries";

/**
 * The columns of the audit CSV. With `id` and `actorId` every hashed field of an event is in its row, so an
 * auditor can recompute each event's hash from the file (lib/audit/canonical.ts, after undoing the cell
 * escaping of lib/export/csv.ts) and follow the chain to the head recorded on the first line.
 */
const COLUMNS = ["seq", "at", "actorType", "actorLabel", "action", "targetType", "targetId", "accountId", "reason", "requestId", "clientIp", "before", "after", "prevHash", "hash", "id", "actorId"] as const;

/**
 * The audit trail as CSV, oldest first, read in keyset pages so memory stays flat at any size.
 * The first line records the chain head at export time, and only events up to that head are written: the
 * head's hash is the hash of the last event in the file (unfiltered), whatever is appended meanwhile.
 * Callers authorize (audit.export) before calling.
 */
export function auditCsvStream(db: Db, filters: AuditFilters, pageSize = 1000): ReadableStream<Uint8Array> {
  const csv = csvStringifier({ header: true, columns: [...COLUMNS] });
  const encoder = new TextEncoder();
  let started = false;
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      csv.on("data", (chunk: Buffer | string) => controller.enqueue(typeof chunk === "string" ? encoder.encode(chunk) : new Uint8Array(chunk)));
      csv.on("end", () => controller.close());
      csv.on("error", (err) => controller.error(err));
    },
    async pull() {
      if (started) return;
      started = true;
      try {
        const head = await db.auditHead.findUnique({ where: { id: 1 } });
        const headSeq = head?.seq ?? 0n;
        csv.write({ seq: "#chain-head", at: new Date().toISOString(), actorType: "", actorLabel: `head seq ${headSeq}`, action: "export", hash: head?.hash ?? "" });
        const where = auditWhere(filters);
        let after = 0n;
        for (;;) {
          const rows = await db.auditEvent.findMany({ where: { AND: [where, { seq: { gt: after, lte: headSeq } }] }, orderBy: { seq: "asc" }, take: pageSize });
          for (const r of rows) {
            const d = toAuditDto(r);
            if (!csv.write({ ...d, before: d.before ?? "", after: d.after ?? "" })) await new Promise((res) => csv.once("drain", res));
          }
          const last = rows.at(-1);
          if (!last || rows.length < pageSize) break;
          after = last.seq;
        }
      } finally {
        csv.end();
      }
    },
  });
}

/**
 * An export of the audit trail as a person asked for it: the export is recorded in the chain first (who,
 * with which filters), then the file is streamed up to the head that includes that record. Callers
 * authorize (audit.export) and must only call this from a POST (a GET must never write).
 */
export async function exportAuditTrail(db: Db, actor: Actor, filters: AuditFilters, pageSize?: number): Promise<ReadableStream<Uint8Array>> {
  await db.$transaction((tx) => appendAudit(tx, { actor: { type: "person", id: actor.personId, label: actor.email }, action: "audit.exported", target: { type: "audit_trail" }, after: { format: "csv", filters } }));
  return auditCsvStream(db, filters, pageSize);
}
