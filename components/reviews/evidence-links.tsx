/**
 * Downloads of a campaign's evidence pack (administrators and auditors; the route authorizes again). A POST
 * form, not links: each download is recorded in the audit trail, so it must never start from a GET.
 */
export function EvidenceLinks({ campaignId, closed }: { campaignId: string; closed: boolean }) {
  return (
    <div className="space-y-1" data-testid="evidence-links">
      <form method="post" action={`/api/reviews/${campaignId}/evidence`} className="flex flex-wrap gap-2">
        {(["csv", "pdf", "json"] as const).map((f) => (
          <button key={f} type="submit" name="format" value={f} data-testid={`evidence-${f}`} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50">
            Evidence {f.toUpperCase()}
          </button>
        ))}
      </form>
      <p className="text-xs text-slate-500">
        {closed
          ? "The campaign is closed: its evidence is locked and every download is identical."
          : "The campaign is still open: the pack shows the decisions so far and changes as reviewers decide."}{" "}
        Each pack carries the population manifest, every decision, remediation with verified timestamps, exceptions, rubber-stamp flags, the audit-chain head and its own SHA-256.
      </p>
    </div>
  );
}
