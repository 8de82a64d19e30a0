import type { Freshness } from "@/lib/pagerduty-data/freshness";

const STYLE: Record<Freshness["state"], string> = {
  fresh: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  stale: "bg-amber-50 text-amber-900 ring-amber-200",
  failing: "bg-red-50 text-red-800 ring-red-200",
  never: "bg-slate-100 text-slate-700 ring-slate-200",
};

/** "synced 3 min ago" / "stale" / "never synced": shown wherever synced data is. */
export function FreshnessBadge({ freshness }: { freshness: Freshness }) {
  return (
    <span data-testid="freshness" data-state={freshness.state} title={freshness.detail} className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${STYLE[freshness.state]}`}>
      {freshness.label}
      <span className="sr-only"> — {freshness.detail}</span>
    </span>
  );
}
