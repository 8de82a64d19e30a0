import type { DbOrTx } from "@/lib/db";
import { GENESIS_HASH, eventHash } from "./canonical";

export type ChainBreakReason =
  /** the row's content no longer matches its own hash: it was edited after it was written */
  | "hash_mismatch"
  /** the row does not link to its predecessor, and no other row does either: a row was edited or forged */
  | "prev_hash_mismatch"
  /** the row that should follow its predecessor exists, but at another position: rows were swapped */
  | "reordered"
  /** a gap in seq: the event(s) at this position were deleted */
  | "missing_event"
  /** the chain head (AuditHead) disagrees with the last event: the newest event(s) were deleted */
  | "head_mismatch";

export type ChainBreak = {
  /** seq of the first event that does not check out (or where one is missing) */
  seq: bigint;
  id: string | null;
  reason: ChainBreakReason;
  detail: string;
};

export type ChainReport = { ok: true; events: number; headHash: string } | { ok: false; events: number; firstBreak: ChainBreak };

/**
 * Walks the chain in seq order, in pages, and names the first broken event.
 *
 * The head is read first: appends update the head and insert the event in one transaction, so every
 * event up to that head is committed and visible. Events appended while the walk runs (seq above the
 * snapshot) are ignored, so verifying a busy chain never reports a false "head_mismatch".
 */
export async function verifyAuditChain(db: DbOrTx, pageSize = 2000): Promise<ChainReport> {
  const head = await db.auditHead.findUnique({ where: { id: 1 } });
  const headSeq = head?.seq ?? 0n;
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1n;
  let count = 0;
  let after = 0n;
  const broken = (firstBreak: ChainBreak): ChainReport => ({ ok: false, events: count, firstBreak });

  for (;;) {
    const page = await db.auditEvent.findMany({ where: { seq: { gt: after, lte: headSeq } }, orderBy: { seq: "asc" }, take: pageSize });
    for (const e of page) {
      if (e.seq !== expectedSeq) {
        return broken({ seq: expectedSeq, id: null, reason: "missing_event", detail: `expected event #${expectedSeq}, found #${e.seq}: event(s) #${expectedSeq}…#${e.seq - 1n} were removed` });
      }
      const linked = e.prevHash === prevHash;
      const intact = eventHash(e.prevHash, e) === e.hash;
      if (!linked || !intact) {
        // Before blaming this row's content, ask whether the row that really follows its predecessor
        // sits elsewhere: then rows were moved (content or seq swapped), not merely edited.
        const successor = await db.auditEvent.findFirst({ where: { prevHash, seq: { not: e.seq } }, select: { seq: true } });
        if (successor) {
          return broken({ seq: e.seq, id: e.id, reason: "reordered", detail: `event #${e.seq} is out of place: the event that follows #${e.seq - 1n} is stored at #${successor.seq}` });
        }
        if (!intact) return broken({ seq: e.seq, id: e.id, reason: "hash_mismatch", detail: `event #${e.seq} was altered after it was written` });
        return broken({ seq: e.seq, id: e.id, reason: "prev_hash_mismatch", detail: `event #${e.seq} does not link to event #${e.seq - 1n}` });
      }
      prevHash = e.hash;
      expectedSeq += 1n;
      count += 1;
      after = e.seq;
    }
    if (page.length < pageSize) break;
  }

  if (!head || headSeq !== expectedSeq - 1n || head.hash !== prevHash) {
    return broken({
      seq: expectedSeq - 1n < headSeq ? expectedSeq : headSeq,
      id: null,
      reason: "head_mismatch",
      detail: head
        ? `the chain head says #${headSeq} (${head.hash.slice(0, 12)}…) but the last event found is #${expectedSeq - 1n}: the newest event(s) were removed or the head was rewritten`
        : "the chain head row is missing",
    });
  }
  return { ok: true, events: count, headHash: prevHash };
}
