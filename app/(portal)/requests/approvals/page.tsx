import { ApprovalQueue } from "@/components/access/approval-queue";
import { toWire } from "@/components/access/request-bits";
import { RequestTabs } from "@/components/access/request-tabs";
import { PageHeader } from "@/components/ui/page";
import { approvalQueue } from "@/lib/access/queries";
import { queueFilter } from "@/lib/access/schemas";
import { can } from "@/lib/auth/access";
import { requireActor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { isUuid } from "@/lib/http/route";
import { bulkApprove, decideRequest } from "../actions";

export const metadata = { title: "Approvals" };

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** The approver's queue: what waits for this person's decision, with the context to decide it. */
export default async function ApprovalsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireActor();
  const params = await searchParams;
  const header = <PageHeader title="Approvals" description="Requests you may decide now, oldest first, with the requester's current access, on-call status and past requests. Nobody approves their own request, or one that would grant them something." />;
  if (!can(actor, "access.approve")) {
    return (
      <>
        {header}
        <RequestTabs current="approvals" approvals={false} />
        <p role="note" className="rounded-md border border-slate-200 bg-white px-4 py-3 text-sm text-slate-700">
          Auditors stay independent: they read requests and their history, and decide none.
        </p>
      </>
    );
  }
  const filter = queueFilter.safeParse({ q: one(params.q) || undefined });
  const q = filter.success ? (filter.data.q ?? "") : "";
  const highlight = one(params.request);
  const initial = await approvalQueue(await getDb(), actor, { q: q || undefined, limit: 50 });
  return (
    <>
      {header}
      <RequestTabs current="approvals" approvals />
      {!filter.success && (
        <p role="alert" className="mb-3 text-sm text-red-700">
          The search in the address could not be used (it holds characters that cannot be searched for): showing everything.
        </p>
      )}
      <ApprovalQueue initial={toWire(initial)} initialQuery={q} highlight={highlight && isUuid(highlight) ? highlight : null} actions={{ decide: decideRequest, bulkApprove }} />
    </>
  );
}
