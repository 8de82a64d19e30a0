import Link from "next/link";
import { notFound } from "next/navigation";
import { CampaignStatusBadge, utcDate } from "@/components/reviews/badges";
import { ReviewWorkspace } from "@/components/reviews/workspace";
import { PageHeader } from "@/components/ui/page";
import { requireActor } from "@/lib/auth/session";
import { reviewerPickerAccess } from "@/lib/reviews/candidates";
import { getCampaign } from "@/lib/reviews/queries";
import { bulkDecide, clearDrafts, reassignMyItems, saveDrafts, submitDecisions } from "../actions";

export const metadata = { title: "Review" };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The reviewer workspace of one campaign. */
export default async function ReviewCampaignPage({ params }: { params: Promise<{ campaignId: string }> }) {
  const actor = await requireActor();
  const { campaignId } = await params;
  if (!UUID.test(campaignId)) notFound();
  const campaign = await getCampaign(actor, campaignId);
  if (!campaign) notFound();
  // No directory on the page: the reassign dialog searches people on the server (bounded, minimal fields).
  const canReassign = campaign.can.decide && (await reviewerPickerAccess(actor)) !== "none";
  return (
    <>
      <PageHeader
        title={campaign.name}
        description={campaign.description || undefined}
        actions={
          <div className="flex flex-col items-end gap-1 text-sm">
            <CampaignStatusBadge status={campaign.status} overdue={campaign.overdue} />
            <span className="text-xs text-slate-600">Due {utcDate(campaign.dueAt)}</span>
            {(campaign.can.manage || campaign.can.exportEvidence) && (
              <Link href={`/admin/campaigns/${campaign.id}`} className="text-xs text-slate-600 underline">
                Progress and evidence
              </Link>
            )}
          </div>
        }
      />
      {campaign.status !== "ACTIVE" && (
        <p role="note" className="mb-4 rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-700">
          {campaign.status === "CLOSED" ? `Closed ${utcDate(campaign.closedAt)}${campaign.forceClosed ? ` (force-closed: ${campaign.closeReason ?? "no reason"})` : ""}: decisions are locked.` : "This campaign is not launched yet."}
        </p>
      )}
      <ReviewWorkspace
        campaignId={campaign.id}
        active={campaign.status === "ACTIVE" && campaign.can.decide}
        allowAll={campaign.can.manage || campaign.can.exportEvidence}
        justifyHighRisk={campaign.justifyHighRisk}
        canReassign={canReassign}
        actions={{ saveDrafts, bulkDecide, clearDrafts, submitDecisions, reassign: reassignMyItems }}
      />
    </>
  );
}
