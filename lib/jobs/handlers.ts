/**
 * Every job handler of the portal, registered in one place. Workers (embedded or `npm run worker`)
 * import this module, so a job enqueued anywhere finds its handler in every worker. A capability adds
 * its handlers by importing its module here (e.g. `import "@/lib/changes/jobs";`).
 */
import { appendAudit, verifyAuditChain } from "@/lib/audit";
import { ensureSchedule, registerJob } from "./registry";
import "@/lib/sync/jobs";
import "@/lib/changes/jobs";
import "@/lib/reviews/jobs";
import "@/lib/connections/jobs";
import "@/lib/access/jobs";

export const VERIFY_AUDIT_CHAIN = "audit.verify_chain";

/**
 * Walks the audit chain and records the outcome in the chain itself, as the system: a daily, visible
 * proof that the trail was intact (or the first broken event, for an auditor to look at).
 */
registerJob(
  VERIFY_AUDIT_CHAIN,
  async (_payload, { db }) => {
    const report = await verifyAuditChain(db);
    const outcome = report.ok
      ? { ok: true, events: report.events, headHash: report.headHash }
      : { ok: false, events: report.events, firstBreak: { ...report.firstBreak, seq: report.firstBreak.seq.toString() } };
    await db.$transaction((tx) =>
      appendAudit(tx, {
        actor: { type: "system", job: VERIFY_AUDIT_CHAIN },
        action: report.ok ? "audit.chain_verified" : "audit.chain_broken",
        target: { type: "audit_chain" },
        after: outcome,
        requestId: null,
        clientIp: null,
      }),
    );
    return outcome;
  },
  { maxAttempts: 3, backoff: { baseMs: 60_000, maxMs: 15 * 60_000 }, timeoutMs: 30 * 60_000 },
);

ensureSchedule("audit.verify_chain.daily", VERIFY_AUDIT_CHAIN, 24 * 60 * 60, {});
