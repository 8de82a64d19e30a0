import Link from "next/link";
import { CampaignStatusBadge, utcDate } from "@/components/reviews/badges";
import { EmptyState, Forbidden, PageHeader } from "@/components/ui/page";
import { can } from "@/lib/auth/access";
import { requireActor } from "@/lib/auth/session";
import { listCampaigns } from "@/lib/reviews/queries";

export const metadata = { title: "Review campaigns" };

/** Every access review campaign (administrators manage them; auditors read them and download evidence). */
export default async function CampaignsPage() {
  const actor = await requireActor();
  if (!can(actor, "evidence.read")) return <Forbidden what="Review campaigns" />;
  const campaigns = await listCampaigns(actor);
  const manage = can(actor, "campaign.manage");
  return (
    <>
      <PageHeader
        title="Review campaigns"
        description="User access reviews of PagerDuty: who holds what, certified or revoked by the right reviewer, with revocations verified in PagerDuty and an evidence pack per campaign."
        actions={
          <div className="flex items-center gap-3">
            <Link href="/admin/campaigns/owners" className="text-sm text-slate-700 underline">
              Review owners
            </Link>
            {manage && (
              <Link href="/admin/campaigns/new" data-testid="new-campaign" className="rounded-md bg-emerald-700 px-4 py-2 text-sm font-medium text-white hover:bg-emerald-800">
                New campaign
              </Link>
            )}
          </div>
        }
      />
      {campaigns.length === 0 ? (
        <EmptyState title="No campaign yet">{manage ? "Create one: choose the accounts and access to review, who reviews it, and a due date." : "Administrators create campaigns; they appear here once created."}</EmptyState>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-4 py-2">Campaign</th>
                <th scope="col" className="px-4 py-2">Status</th>
                <th scope="col" className="px-4 py-2">Due</th>
                <th scope="col" className="px-4 py-2 text-right">Items</th>
                <th scope="col" className="px-4 py-2 text-right">Decided</th>
                <th scope="col" className="px-4 py-2 text-right">Exceptions</th>
                <th scope="col" className="px-4 py-2">Recurs</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {campaigns.map((c) => (
                <tr key={c.id} data-testid={`campaign-row-${c.id}`}>
                  <td className="px-4 py-3">
                    <Link href={`/admin/campaigns/${c.id}`} className="font-medium text-slate-900 underline decoration-slate-300 hover:decoration-slate-600">
                      {c.name}
                    </Link>
                    <p className="text-xs text-slate-500">Created {utcDate(c.createdAt)}{c.launchedAt ? ` · launched ${utcDate(c.launchedAt)}` : ""}</p>
                  </td>
                  <td className="px-4 py-3">
                    <CampaignStatusBadge status={c.status} overdue={c.overdue} />
                  </td>
                  <td className="px-4 py-3 text-slate-700">{utcDate(c.dueAt)}</td>
                  <td className="px-4 py-3 text-right tabular-nums">{c.itemCount}</td>
                  <td className="px-4 py-3 text-right tabular-nums">{c.decided}</td>
                  <td className="px-4 py-3 text-right tabular-nums">{c.exceptions}</td>
                  <td className="px-4 py-3 text-xs text-slate-600">{c.recurrenceMonths ? `every ${c.recurrenceMonths} month${c.recurrenceMonths === 1 ? "" : "s"}` : "once"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
