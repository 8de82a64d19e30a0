import Link from "next/link";
import { CampaignForm } from "@/components/reviews/campaign-form";
import { Forbidden, PageHeader } from "@/components/ui/page";
import { can } from "@/lib/auth/access";
import { requireActor } from "@/lib/auth/session";
import { listSyncedConnections } from "@/lib/pagerduty-data/connections";
import { listTeams } from "@/lib/pagerduty-data/teams";
import { reviewCandidates } from "@/lib/reviews/queries";
import { createCampaign } from "../actions";

export const metadata = { title: "New review campaign" };

export default async function NewCampaignPage() {
  const actor = await requireActor();
  if (!can(actor, "campaign.manage")) return <Forbidden what="Creating review campaigns" />;
  const [connections, people] = await Promise.all([listSyncedConnections(actor), reviewCandidates(actor)]);
  const live = connections.filter((c) => c.status === "ACTIVE");
  const withTeams = await Promise.all(live.map(async (c) => ({ id: c.id, name: c.name, teams: (await listTeams(actor, c.id)).map((t) => ({ pdId: t.pdId, name: t.name })) })));
  return (
    <>
      <PageHeader
        title="New review campaign"
        description="Choose what to review and who reviews it. The campaign is saved as a draft; launching it freezes the population and notifies the reviewers."
        actions={
          <Link href="/admin/campaigns" className="text-sm text-slate-600 underline">
            Back to campaigns
          </Link>
        }
      />
      <CampaignForm options={{ connections: withTeams, people }} action={createCampaign} />
    </>
  );
}
