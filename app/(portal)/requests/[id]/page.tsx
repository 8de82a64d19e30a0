import Link from "next/link";
import { notFound } from "next/navigation";
import { toWire } from "@/components/access/request-bits";
import { RequestDetailView } from "@/components/access/request-detail";
import { PageHeader } from "@/components/ui/page";
import { requestDetail } from "@/lib/access/queries";
import { can } from "@/lib/auth/access";
import { requireActor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { isUuid } from "@/lib/http/route";
import { cancelRequest, decideRequest, extendRequest, returnAccess } from "../actions";

export const metadata = { title: "Request" };

/** One request: its status followed live, its changes in PagerDuty, approvals, policy version and history. */
export default async function RequestPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireActor();
  const { id } = await params;
  if (!isUuid(id)) notFound();
  const detail = await requestDetail(await getDb(), actor, id);
  if (!detail) notFound();
  const mine = detail.requesterLabel.endsWith(`<${actor.email}>`);
  return (
    <>
      <PageHeader
        title={`${detail.ref} · ${detail.itemName}`}
        description={`${detail.kind === "EXTENSION" ? "Extension requested" : "Requested"} by ${mine ? "you" : detail.requesterLabel} in ${detail.connectionName}.`}
        actions={
          <div className="flex gap-3 text-sm">
            {detail.extendsRequestId && (
              <Link href={`/requests/${detail.extendsRequestId}`} className="text-slate-600 underline">
                The access it extends
              </Link>
            )}
            <Link href={mine ? "/requests" : "/requests/approvals"} className="text-slate-600 underline">
              {mine ? "All my requests" : "Approvals"}
            </Link>
          </div>
        }
      />
      <RequestDetailView initial={toWire(detail)} canSeeChanges={can(actor, "change.read")} actions={{ cancel: cancelRequest, extend: extendRequest, giveBack: returnAccess, decide: decideRequest }} />
    </>
  );
}
