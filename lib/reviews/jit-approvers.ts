/**
 * Separation of duties for just-in-time grants under review: whoever approved a grant (or an extension of
 * it) never reviews it. A light module (database reads only) so the guard's callers, the link flags and the
 * escalation can use it without the access lifecycle.
 */
import type { DbOrTx } from "@/lib/db";

/** Approvals (decision "approve") of these grant requests and of their extensions, by grant request id, oldest first. */
export async function approvalsOf(db: DbOrTx, grantIds: readonly string[]) {
  const out = new Map<string, { approverId: string | null; approverLabel: string }[]>();
  if (!grantIds.length) return out;
  const rows = await db.accessRequestApproval.findMany({
    where: { decision: "approve", OR: [{ requestId: { in: [...grantIds] } }, { request: { extendsRequestId: { in: [...grantIds] } } }] },
    select: { requestId: true, approverId: true, approverLabel: true, request: { select: { extendsRequestId: true } } },
    orderBy: { at: "asc" },
  });
  for (const r of rows) {
    const grant = r.request.extendsRequestId ?? r.requestId;
    out.set(grant, [...(out.get(grant) ?? []), { approverId: r.approverId, approverLabel: r.approverLabel }]);
  }
  return out;
}

/** For JIT_GRANT items: item id → the people who approved that grant or an extension of it. */
export async function jitApproversFor(db: DbOrTx, items: readonly { id: string; kind: string; grantId: string | null }[]): Promise<Map<string, Set<string>>> {
  const jit = items.filter((i) => i.kind === "JIT_GRANT" && i.grantId);
  const out = new Map<string, Set<string>>();
  if (!jit.length) return out;
  const approvals = await approvalsOf(db, [...new Set(jit.map((i) => i.grantId!))]);
  for (const i of jit) out.set(i.id, new Set((approvals.get(i.grantId!) ?? []).map((a) => a.approverId).filter((a): a is string => a !== null)));
  return out;
}

export const approversOf = (map: Map<string, Set<string>>, item: { id: string }): ReadonlySet<string> => map.get(item.id) ?? new Set();

/** Request ids whose grant (or an extension of it) this person approved: their JIT items never go to them. */
export async function grantsApprovedBy(db: DbOrTx, personId: string, grantIds: readonly string[]): Promise<string[]> {
  if (!grantIds.length) return [];
  const rows = await db.accessRequestApproval.findMany({
    where: { decision: "approve", approverId: personId, OR: [{ requestId: { in: [...grantIds] } }, { request: { extendsRequestId: { in: [...grantIds] } } }] },
    select: { requestId: true, request: { select: { extendsRequestId: true } } },
  });
  return [...new Set(rows.map((r) => r.request.extendsRequestId ?? r.requestId))];
}
