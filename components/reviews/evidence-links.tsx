/** Downloads of a campaign's evidence pack (administrators and auditors; the route authorizes again). */
export function EvidenceLinks({ campaignId, closed }: { campaignId: string; closed: boolean }) {
  return (
    <div className="space-y-1" data-testid="evidence-links">
      <div className="flex flex-wrap gap-2">
        {(["csv", "pdf", "json"] as const).map((f) => (
          <a key={f} href={`/api/reviews/${campaignId}/evidence?format=${f}`} download data-testid={`evidence-${f}`} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50">
            Evidence {f.toUpperCase()}
          </a>
        ))}
      </div>
      <p className="text-xs text-slate-500">
        {closed
          ? "The campaign is closed: its evidence is locked and every download is identical."
          : "The campaign is still open: the pack shows the decisions so far and changes as reviewers decide."}{" "}
        Each pack carries the population manifest, every decision, remediation with verified timestamps, exceptions, rubber-stamp flags, the audit-chain head and its own SHA-256.
      </p>
    </div>
  );
}
