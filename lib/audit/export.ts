import { stringify } from "csv-stringify";
import type { Db } from "@/lib/db";
import { auditWhere, toAuditDto, type AuditFilters } from "./queries";

const COLUMNS = ["seq", "at", "actorType", "actorLabel", "action", "targetType", "targetId", "accountId", "reason", "requestId", "clientIp", "before", "after", "prevHash", "hash"] as const;

/**
 * The audit trail as CSV, oldest first, read in keyset pages so memory stays flat at any size.
 * The first line records the chain head at export time so an auditor can check the file against it.
 * Callers authorize (audit.export) before calling.
 */
export function auditCsvStream(db: Db, filters: AuditFilters, pageSize = 1000): ReadableStream<Uint8Array> {
  const csv = stringify({ header: true, columns: [...COLUMNS], cast: { object: (v) => JSON.stringify(v) } });
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
        csv.write({ seq: "#chain-head", at: new Date().toISOString(), actorType: "", actorLabel: `head seq ${head?.seq ?? 0}`, action: "export", hash: head?.hash ?? "" });
        const where = auditWhere(filters);
        let after = 0n;
        for (;;) {
          const rows = await db.auditEvent.findMany({ where: { AND: [where, { seq: { gt: after } }] }, orderBy: { seq: "asc" }, take: pageSize });
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
