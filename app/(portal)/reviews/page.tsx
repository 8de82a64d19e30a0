import Link from "next/link";
import { Delegations } from "@/components/reviews/delegation-form";
import { Reminders } from "@/components/reviews/reminders";
import { utcDate } from "@/components/reviews/badges";
import { EmptyState, PageHeader } from "@/components/ui/page";
import { can } from "@/lib/auth/access";
import { requireActor } from "@/lib/auth/session";
import { reviewerPickerAccess } from "@/lib/reviews/candidates";
import { listDelegations, listMyReviews, myReminders } from "@/lib/reviews/queries";
import { delegateReviews, markRemindersRead, revokeDelegation } from "./actions";

export const metadata = { title: "My reviews" };

/** "My reviews": every open campaign with items this person decides (own or delegated), reminders, delegations. */
export default async function MyReviewsPage() {
  const actor = await requireActor();
  // No staff directory on this page: the delegate picker searches on the server, for those who may pick.
  const [reviews, reminders, delegations, picker] = await Promise.all([listMyReviews(actor), myReminders(actor), listDelegations(actor), reviewerPickerAccess(actor)]);
  const unread = reminders.filter((r) => !r.read);
  return (
    <>
      <PageHeader
        title="My reviews"
        description="Access you are asked to certify or revoke, across campaigns. Decisions stay drafts until you submit them; revocations are then made in PagerDuty and verified by reading it again."
        actions={
          can(actor, "evidence.read") ? (
            <Link href="/admin/campaigns" className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50">
              All campaigns
            </Link>
          ) : undefined
        }
      />
      <Reminders reminders={unread} markRead={markRemindersRead} />
      <section aria-labelledby="my-reviews-title">
        <h2 id="my-reviews-title" className="sr-only">
          Campaigns
        </h2>
        {reviews.length === 0 ? (
          <EmptyState title="Nothing to review right now">When a campaign assigns you access to review, it appears here with its due date.</EmptyState>
        ) : (
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table className="min-w-full divide-y divide-slate-200 text-sm">
              <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className="px-4 py-2">Campaign</th>
                  <th scope="col" className="px-4 py-2">Due</th>
                  <th scope="col" className="px-4 py-2 text-right">Assigned</th>
                  <th scope="col" className="px-4 py-2 text-right">Drafts</th>
                  <th scope="col" className="px-4 py-2 text-right">Remaining</th>
                  <th scope="col" className="px-4 py-2">Progress</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {reviews.map((r) => (
                  <tr key={r.campaignId} data-testid={`my-review-${r.campaignId}`}>
                    <td className="px-4 py-3">
                      <Link href={`/reviews/${r.campaignId}`} className="font-medium text-slate-900 underline decoration-slate-300 hover:decoration-slate-600">
                        {r.name}
                      </Link>
                      {r.delegatedFrom.length > 0 && <p className="text-xs text-slate-500">Also deciding for {r.delegatedFrom.join(", ")} (delegated)</p>}
                    </td>
                    <td className={`px-4 py-3 ${r.overdue ? "font-semibold text-red-700" : "text-slate-700"}`}>
                      {utcDate(r.dueAt)}
                      {r.overdue && " · overdue"}
                    </td>
                    <td className="px-4 py-3 text-right tabular-nums">{r.assigned}</td>
                    <td className="px-4 py-3 text-right tabular-nums">{r.drafts}</td>
                    <td className="px-4 py-3 text-right tabular-nums">{r.remaining}</td>
                    <td className="px-4 py-3">
                      <div className="h-2 w-32 rounded bg-slate-100" role="progressbar" aria-label={`${r.name} progress`} aria-valuemin={0} aria-valuemax={r.assigned} aria-valuenow={r.decided}>
                        <div className="h-2 rounded bg-emerald-600" style={{ width: `${r.assigned ? (r.decided / r.assigned) * 100 : 0}%` }} />
                      </div>
                      <span className="text-xs text-slate-500">
                        {r.decided} of {r.assigned} decided
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {can(actor, "review.decide") && (
        <section aria-labelledby="delegation-title" className="mt-10">
          <h2 id="delegation-title" className="text-lg font-semibold text-slate-900">
            Away? Delegate your reviews
          </h2>
          <p className="mb-3 mt-1 text-sm text-slate-600">The person you choose can decide your items for that period; the evidence shows they acted as your delegate.</p>
          <Delegations rows={delegations} canDelegate={picker !== "none"} delegate={delegateReviews} revoke={revokeDelegation} />
        </section>
      )}
    </>
  );
}
