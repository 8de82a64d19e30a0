"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { appendAudit, verifyAuditChain } from "@/lib/audit";
import { defineAction, type ActionResult } from "@/lib/auth/action";
import { getDb } from "@/lib/db";

export interface ChainCheck {
  ok: boolean;
  events: number;
  detail: string;
}

const verifyAction = defineAction({
  name: "audit.verifyChain",
  // Exactly {}: not a Date, an array, or an object with options this action does not have.
  input: z.custom<Record<string, never>>(
    (v) => typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype && Object.keys(v).length === 0,
    { error: "Verifying the chain takes no options: send an empty object." },
  ),
  permission: "audit.verify",
  run: async ({ actor, requestId, clientIp }): Promise<ChainCheck> => {
    const db = await getDb();
    const report = await verifyAuditChain(db);
    const summary = report.ok
      ? { ok: true, events: report.events, headHash: report.headHash }
      : { ok: false, events: report.events, firstBreak: { ...report.firstBreak, seq: report.firstBreak.seq.toString() } };
    // The check itself is evidence: recorded in the chain it checked.
    await db.$transaction((tx) =>
      appendAudit(tx, { actor: { type: "person", id: actor.personId, label: actor.email }, action: "audit.chain_verified", target: { type: "audit_chain" }, after: summary, requestId, clientIp }),
    );
    return {
      ok: report.ok,
      events: report.events,
      detail: report.ok ? `All ${report.events} events check out.` : `Broken at event #${report.firstBreak.seq}: ${report.firstBreak.detail}`,
    };
  },
});

/** {} (no options) → verifies the whole hash chain and records the result as an audit event. */
export async function verifyChain(raw: unknown): Promise<ActionResult<ChainCheck>> {
  const result = await verifyAction(raw);
  if (result.ok) revalidatePath("/audit");
  return result;
}
