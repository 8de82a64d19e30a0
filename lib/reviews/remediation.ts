/**
 * Remediation: a submitted REVOKE or MODIFY becomes a change in the write-back pipeline (created in the
 * submission's transaction), and the item mirrors the change: pending → verified, or failed with the
 * pipeline's reason and suggested fix. Schedule memberships and the portal's own credentials cannot be
 * written by the pipeline: those items are MANUAL (an exception until someone confirms outside).
 * A revoked just-in-time grant ends through the access lifecycle (lib/reviews/jit.ts revokeJitGrant): a
 * live one through its end change, which the item mirrors like any other; one that already ended changes
 * nothing (remediation NONE: the finding is the decision itself).
 */
import type { AuditActor } from "@/lib/audit";
import type { DbOrTx, Tx } from "@/lib/db";
import { ChangeRefused, createChanges, type ChangeSpec } from "@/lib/changes";
import { revokeJitGrant } from "./jit";
import type { DecisionKind, ItemKind } from "./types";

export interface RemediationTarget {
  id: string;
  connectionId: string;
  kind: ItemKind;
  /** JIT_GRANT: the access request. */
  grantId?: string | null;
  pdUserId: string | null;
  teamPdId: string | null;
  schedulePdId: string | null;
  entitlementLabel: string;
  decision: DecisionKind;
  role: string | null;
  justification?: string | null;
}

export function changeSpecFor(t: RemediationTarget): ChangeSpec | { manual: string } {
  if (t.kind === "BASE_ROLE" && t.pdUserId) return t.decision === "MODIFY" && t.role ? { kind: "user_role_change", userId: t.pdUserId, role: t.role as never } : { kind: "user_role_remove", userId: t.pdUserId };
  if (t.kind === "TEAM_MEMBER" && t.pdUserId && t.teamPdId) return t.decision === "MODIFY" && t.role ? { kind: "team_member_put", teamId: t.teamPdId, userId: t.pdUserId, role: t.role as never } : { kind: "team_member_remove", teamId: t.teamPdId, userId: t.pdUserId };
  if (t.kind === "SCHEDULE_MEMBER") return { manual: `The portal does not edit schedules: remove the person from ${t.entitlementLabel.replace(/^Schedule /, "schedule ")} in PagerDuty; the next sync shows it.` };
  return { manual: "The portal's own credential is changed under Admin → Connections (rotate or remove it), not through the pipeline." };
}

/**
 * Creates the changes of one submission (one batch per connection, cause = the submission) and marks the
 * items. A refusal by the pipeline (read-only credential, a role the license forbids) fails those items
 * with the pipeline's message instead of failing the submission.
 */
export async function remediate(tx: Tx, submissionId: string, campaignId: string, targets: RemediationTarget[], now: Date, by?: { actor: AuditActor; label: string; personId: string }): Promise<{ changes: number; batchIds: string[] }> {
  const byConnection = new Map<string, { target: RemediationTarget; spec: ChangeSpec }[]>();
  const manual: { id: string; reason: string }[] = [];
  let jitChanges = 0;
  for (const t of targets) {
    if (t.kind === "JIT_GRANT") {
      jitChanges += await remediateJit(tx, campaignId, t, now, by);
      continue;
    }
    const spec = changeSpecFor(t);
    if ("manual" in spec) manual.push({ id: t.id, reason: spec.manual });
    else byConnection.set(t.connectionId, [...(byConnection.get(t.connectionId) ?? []), { target: t, spec }]);
  }
  for (const m of manual) await tx.reviewItem.update({ where: { id: m.id }, data: { remediation: "MANUAL", remediationError: m.reason } });
  let changes = 0;
  const batchIds: string[] = [];
  for (const [connectionId, list] of byConnection) {
    try {
      const created = await createChanges(tx, {
        connectionId,
        cause: { kind: "review_decision", id: submissionId },
        requestedBy: { type: "system", job: `reviews:${campaignId}` },
        changes: list.map((l) => ({ spec: l.spec, idempotencyKey: `review_item:${l.target.id}` })),
        now,
      });
      batchIds.push(created.batchId);
      const byKey = new Map(created.changes.map((c) => [c.idempotencyKey, c]));
      for (const l of list) {
        const c = byKey.get(`review_item:${l.target.id}`);
        if (!c) continue;
        await tx.reviewItem.update({ where: { id: l.target.id }, data: { remediation: "PENDING", changeId: c.id, remediationError: null } });
        changes++;
      }
    } catch (error) {
      if (!(error instanceof ChangeRefused)) throw error;
      await tx.reviewItem.updateMany({ where: { id: { in: list.map((l) => l.target.id) } }, data: { remediation: "FAILED", remediationError: error.message } });
    }
  }
  return { changes: changes + jitChanges, batchIds };
}

/** A revoked JIT item: ends the grant if still live (the item then mirrors the end change); 1 when a change was created. */
async function remediateJit(tx: Tx, campaignId: string, t: RemediationTarget, now: Date, by: { actor: AuditActor; label: string; personId: string } | undefined): Promise<number> {
  if (!t.grantId) {
    await tx.reviewItem.update({ where: { id: t.id }, data: { remediation: "NONE" } });
    return 0;
  }
  const who = by ?? { actor: { type: "system" as const, job: `reviews:${campaignId}` }, label: "access review", personId: null };
  const note = `Revoked in an access review (campaign ${campaignId})${t.justification ? `: ${t.justification}` : "."}`;
  const r = await revokeJitGrant(tx, t.grantId, who, note, now);
  await tx.reviewItem.update({ where: { id: t.id }, data: { remediation: r.remediation, changeId: r.changeId, remediationError: r.error } });
  return r.changeId ? 1 : 0;
}

/** Mirrors the pipeline's state onto the ACTIVE campaign's pending remediations (idempotent). */
export async function refreshRemediation(db: DbOrTx, campaignId?: string): Promise<number> {
  return db.$executeRaw`
    UPDATE "ReviewItem" i SET
      "remediation" = (CASE WHEN c."status" = 'VERIFIED' THEN 'VERIFIED' WHEN c."status" IN ('FAILED', 'UNVERIFIED', 'CANCELLED') THEN 'FAILED' ELSE 'PENDING' END)::"ReviewRemediationState",
      "remediationError" = CASE WHEN c."status" IN ('FAILED', 'UNVERIFIED', 'CANCELLED') THEN COALESCE(c."lastErrorMessage", 'The change ended ' || lower(c."status"::text)) || COALESCE(' Fix: ' || c."suggestedFix", '') ELSE NULL END,
      "appliedAt" = c."appliedAt",
      "verifiedAt" = c."verifiedAt"
    FROM "ChangeRequest" c, "ReviewCampaign" rc
    WHERE c."id" = i."changeId" AND rc."id" = i."campaignId" AND rc."status" = 'ACTIVE'
      AND i."remediation" IN ('PENDING', 'FAILED')
      AND (${campaignId ?? null}::text IS NULL OR i."campaignId" = ${campaignId ?? null}::text)
      AND (i."remediation"::text IS DISTINCT FROM (CASE WHEN c."status" = 'VERIFIED' THEN 'VERIFIED' WHEN c."status" IN ('FAILED', 'UNVERIFIED', 'CANCELLED') THEN 'FAILED' ELSE 'PENDING' END)
           OR i."appliedAt" IS DISTINCT FROM c."appliedAt" OR i."verifiedAt" IS DISTINCT FROM c."verifiedAt")`;
}
