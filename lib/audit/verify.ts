import type { DbOrTx } from "@/lib/db";
import { GENESIS_HASH, eventHash } from "./canonical";

export type ChainBreak = {
  /** seq of the first event that does not check out (or where one is missing) */
  seq: bigint;
  id: string | null;
  reason: "hash_mismatch" | "prev_hash_mismatch" | "missing_event" | "head_mismatch";
  detail: string;
};

export type ChainReport = { ok: true; events: number; headHash: string } | { ok: false; events: number; firstBreak: ChainBreak };

/** Walks the whole chain in seq order, in pages, and names the first broken event. */
export async function verifyAuditChain(db: DbOrTx, pageSize = 2000): Promise<ChainReport> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1n;
  let count = 0;
  let after = 0n;
  for (;;) {
    const page = await db.auditEvent.findMany({ where: { seq: { gt: after } }, orderBy: { seq: "asc" }, take: pageSize });
    for (const e of page) {
      if (e.seq !== expectedSeq) {
        return { ok: false, events: count, firstBreak: { seq: expectedSeq, id: null, reason: "missing_event", detail: `expected event #${expectedSeq}, found #${e.seq}: event(s) were removed` } };
      }
      if (e.prevHash !== prevHash) {
        return { ok: false, events: count, firstBreak: { seq: e.seq, id: e.id, reason: "prev_hash_mismatch", detail: `event #${e.seq} does not link to event #${e.seq - 1n}` } };
      }
      const recomputed = eventHash(prevHash, { ...e, at: e.at });
      if (recomputed !== e.hash) {
        return { ok: false, events: count, firstBreak: { seq: e.seq, id: e.id, reason: "hash_mismatch", detail: `event #${e.seq} was altered after it was written` } };
      }
      prevHash = e.hash;
      expectedSeq += 1n;
      count += 1;
      after = e.seq;
    }
    if (page.length < pageSize) break;
  }
  const head = await db.auditHead.findUnique({ where: { id: 1 } });
  if (!head || head.seq !== expectedSeq - 1n || head.hash !== prevHash) {
    return {
      ok: false,
      events: count,
      firstBreak: { seq: expectedSeq, id: null, reason: "head_mismatch", detail: `the chain head says #${head?.seq ?? "?"} but the last event is #${expectedSeq - 1n}: the newest event(s) were removed` },
    };
  }
  return { ok: true, events: count, headHash: prevHash };
}
