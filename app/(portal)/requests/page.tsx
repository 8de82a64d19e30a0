import Link from "next/link";
import { RequestStatusBadge, duration, utc } from "@/components/access/request-bits";
import { RequestForm } from "@/components/access/request-form";
import { RequestTabs } from "@/components/access/request-tabs";
import { EmptyState, PageHeader } from "@/components/ui/page";
import { catalogFor, myRequests, type CatalogEntry } from "@/lib/access/queries";
import { can } from "@/lib/auth/access";
import { requireActor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { teamRoleLabel, baseRoleLabel } from "@/lib/pagerduty-data/roles";
import { createRequest } from "./actions";

export const metadata = { title: "Requests" };

const what = (e: CatalogEntry) => (e.item.kind === "TEAM_ROLE" ? `${teamRoleLabel(e.item.role)} of team ${e.teamName ?? e.item.teamPdId}` : `Base role ${baseRoleLabel(e.item.role)}`);

function CatalogItem({ entry, mayRequest }: { entry: CatalogEntry; mayRequest: boolean }) {
  const e = entry;
  return (
    <li data-testid="catalog-item" data-item-id={e.item.id} data-item-name={e.item.name} className="rounded-lg border border-slate-200 bg-white p-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h3 className="font-semibold text-slate-900">{e.item.name}</h3>
          <p className="text-sm text-slate-700">{what(e)}</p>
          {e.item.description && <p className="mt-1 text-sm text-slate-600">{e.item.description}</p>}
        </div>
        <p className="text-right text-xs text-slate-600" data-testid="catalog-current">
          <span className="block font-medium text-slate-500">You now</span>
          <span className="text-sm text-slate-800">{e.current ?? "no PagerDuty user"}</span>
        </p>
      </div>
      <details className="mt-2 text-sm">
        <summary className="cursor-pointer text-xs font-medium text-slate-600">Policy (version {e.item.currentVersion})</summary>
        <ul className="mt-1 list-disc space-y-0.5 pl-5 text-xs text-slate-600">
          {e.policy.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      </details>
      <div className="mt-3">
        {e.openRequestId ? (
          <p className="text-sm text-slate-700">
            You have a request waiting for this.{" "}
            <Link href={`/requests/${e.openRequestId}`} className="font-medium text-emerald-800 underline">
              Follow it
            </Link>
          </p>
        ) : e.unavailable ? (
          <p role="note" data-testid="catalog-unavailable" className="rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-600">
            {e.unavailable}
          </p>
        ) : mayRequest ? (
          <RequestForm
            itemId={e.item.id}
            itemName={e.item.name}
            policy={{ defaultMinutes: e.rules.defaultDurationMinutes, maxMinutes: e.rules.maxDurationMinutes, reasonRequired: e.rules.justification.required, ticketPattern: e.rules.justification.ticketPattern }}
            create={createRequest}
          />
        ) : (
          <p className="text-sm text-slate-500">Auditors do not request access.</p>
        )}
      </div>
    </li>
  );
}

/** Requests: the catalog beside the person's current access, a request form per item, and every request made. */
export default async function RequestsPage() {
  const actor = await requireActor();
  const db = await getDb();
  const [catalog, requests] = await Promise.all([catalogFor(db, actor), myRequests(db, actor)]);
  const byAccount = new Map<string, CatalogEntry[]>();
  for (const e of catalog) byAccount.set(e.connectionName, [...(byAccount.get(e.connectionName) ?? []), e]);
  const mayRequest = can(actor, "access.request");
  return (
    <>
      <PageHeader title="Requests" description="Ask for a PagerDuty team role or base role for a limited time. An approver decides; the access is then granted in PagerDuty, verified there, and removed on time, restoring what you had before." />
      <RequestTabs current="requests" approvals={can(actor, "access.approve")} />

      <section aria-labelledby="mine-title" className="mb-10">
        <h2 id="mine-title" className="mb-3 text-lg font-semibold text-slate-900">
          My requests
        </h2>
        {requests.length === 0 ? (
          <EmptyState title="You have not requested anything yet">Pick an item of the catalog below. Every request you make stays here, with its whole history.</EmptyState>
        ) : (
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table className="min-w-full divide-y divide-slate-200 text-sm" data-testid="my-requests">
              <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className="px-4 py-2">Request</th>
                  <th scope="col" className="px-4 py-2">Access</th>
                  <th scope="col" className="px-4 py-2">Duration</th>
                  <th scope="col" className="px-4 py-2">Requested</th>
                  <th scope="col" className="px-4 py-2">Ends</th>
                  <th scope="col" className="px-4 py-2">Status</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {requests.map((r) => (
                  <tr key={r.id} data-testid="my-request" data-request-id={r.id}>
                    <td className="px-4 py-2.5">
                      <Link href={`/requests/${r.kind === "EXTENSION" && r.extendsRequestId ? r.extendsRequestId : r.id}`} className="font-medium text-slate-900 underline decoration-slate-300 hover:decoration-slate-600">
                        {r.ref}
                      </Link>
                      {r.kind === "EXTENSION" && <span className="ml-1 text-xs text-slate-500">extension</span>}
                    </td>
                    <td className="px-4 py-2.5">
                      <span className="text-slate-800">{r.itemName}</span>
                      <span className="block max-w-xs truncate text-xs text-slate-500" title={r.reason}>
                        {r.reason || "No reason given"}
                      </span>
                    </td>
                    <td className="px-4 py-2.5 tabular-nums text-slate-700">{duration(r.durationMinutes)}</td>
                    <td className="whitespace-nowrap px-4 py-2.5 text-slate-700">{utc(r.requestedAt)}</td>
                    <td className="whitespace-nowrap px-4 py-2.5 text-slate-700" title={r.status === "PENDING" ? `Expires undecided ${utc(r.decideBy)}` : undefined}>
                      {utc(r.endsAt)}
                    </td>
                    <td className="px-4 py-2.5">
                      <RequestStatusBadge status={r.status} endReason={r.endReason} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="catalog-title">
        <h2 id="catalog-title" className="text-lg font-semibold text-slate-900">
          Catalog
        </h2>
        <p className="mb-3 mt-1 text-sm text-slate-600">What can be requested in each PagerDuty account, under which policy, beside what you hold now.</p>
        {catalog.length === 0 ? (
          <EmptyState title="Nothing can be requested yet">
            An administrator offers team roles and base roles under Admin → Policies; they appear here with their policy.
          </EmptyState>
        ) : (
          [...byAccount.entries()].map(([account, entries]) => (
            <div key={account} className="mb-6">
              <h3 className="mb-2 text-sm font-semibold uppercase tracking-wide text-slate-500">{account}</h3>
              <ul className="grid gap-3 lg:grid-cols-2">
                {entries.map((e) => (
                  <CatalogItem key={e.item.id} entry={e} mayRequest={mayRequest} />
                ))}
              </ul>
            </div>
          ))
        )}
      </section>
    </>
  );
}
