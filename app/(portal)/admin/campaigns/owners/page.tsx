import Link from "next/link";
import { roleLabel } from "@/components/reviews/badges";
import { OwnerForm, RemoveOwner } from "@/components/reviews/owners-form";
import { EmptyState, Forbidden, PageHeader } from "@/components/ui/page";
import { can } from "@/lib/auth/access";
import { requireActor } from "@/lib/auth/session";
import { listSyncedConnections } from "@/lib/pagerduty-data/connections";
import { listTeams } from "@/lib/pagerduty-data/teams";
import { listReviewOwners, reviewCandidates } from "@/lib/reviews/queries";
import { setReviewOwner } from "../actions";

export const metadata = { title: "Review owners" };

/** Named owners of teams and base roles: the reviewers of the "owners" policy. */
export default async function ReviewOwnersPage() {
  const actor = await requireActor();
  if (!can(actor, "evidence.read")) return <Forbidden what="Review owners" />;
  const manage = can(actor, "campaign.manage");
  const [owners, connections, people] = await Promise.all([listReviewOwners(actor), listSyncedConnections(actor), manage ? reviewCandidates(actor) : []]);
  const live = connections.filter((c) => c.status === "ACTIVE");
  const withTeams = manage ? await Promise.all(live.map(async (c) => ({ id: c.id, name: c.name, teams: (await listTeams(actor, c.id)).map((t) => ({ pdId: t.pdId, name: t.name })) }))) : [];
  const accountName = new Map(connections.map((c) => [c.id, c.name]));
  return (
    <>
      <PageHeader
        title="Review owners"
        description="People answerable for a team or a base role. Campaigns whose reviewer policy is “the named owners” send them the items of what they own; anything without an owner goes to the fallback reviewer."
        actions={
          <Link href="/admin/campaigns" className="text-sm text-slate-600 underline">
            Back to campaigns
          </Link>
        }
      />
      {owners.length === 0 ? (
        <EmptyState title="No owner named yet">{manage ? "Add one below." : "Administrators name owners."}</EmptyState>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="min-w-full divide-y divide-slate-200 text-sm" data-testid="owners">
            <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-4 py-2">Owns</th>
                <th scope="col" className="px-4 py-2">Account</th>
                <th scope="col" className="px-4 py-2">Owner</th>
                {manage && <th scope="col" className="px-4 py-2"><span className="sr-only">Actions</span></th>}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {owners.map((o) => (
                <tr key={o.id}>
                  <td className="px-4 py-2">{o.subjectType === "team" ? `Team ${o.subjectName ?? o.subjectRef}` : `Base role ${roleLabel(o.subjectRef)}`}</td>
                  <td className="px-4 py-2 text-slate-600">{accountName.get(o.connectionId) ?? o.connectionId}</td>
                  <td className="px-4 py-2">{o.person.name}</td>
                  {manage && (
                    <td className="px-4 py-2 text-right">
                      <RemoveOwner input={{ connectionId: o.connectionId, subjectType: o.subjectType, subjectRef: o.subjectRef, personId: o.person.id }} action={setReviewOwner} />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {manage && (
        <section aria-labelledby="add-owner" className="mt-8">
          <h2 id="add-owner" className="mb-3 text-lg font-semibold text-slate-900">
            Add an owner
          </h2>
          {withTeams.length ? <OwnerForm options={{ connections: withTeams, people }} action={setReviewOwner} /> : <EmptyState title="No PagerDuty account connected yet" />}
        </section>
      )}
    </>
  );
}
