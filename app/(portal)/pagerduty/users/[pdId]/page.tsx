import Link from "next/link";
import { notFound } from "next/navigation";
import { PagerDutyFrame, pdHref, requestedConnection } from "@/components/pagerduty/frame";
import { ChangeAttribution, Entitlement, OriginBadge, utc } from "@/components/pagerduty/grant-bits";
import { EmptyState, Forbidden } from "@/components/ui/page";
import { can } from "@/lib/auth/access";
import { requireActor } from "@/lib/auth/session";
import { pickConnection } from "@/lib/pagerduty-data/connections";
import { pdUserAccess, type GrantView } from "@/lib/pagerduty-data/grants";
import { baseRoleLabel } from "@/lib/pagerduty-data/roles";

export const metadata = { title: "PagerDuty user access" };

function GrantsTable({ grants, connectionId, caption, removed }: { grants: GrantView[]; connectionId: string; caption: string; removed?: boolean }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="px-4 py-2 text-left text-sm font-semibold text-slate-900">{caption}</caption>
        <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="px-4 py-2">Access</th>
            <th scope="col" className="px-4 py-2">Origin</th>
            <th scope="col" className="px-4 py-2">{removed ? "Removed" : "Since"}</th>
            <th scope="col" className="px-4 py-2">Changed by</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {grants.map((g) => (
            <tr key={g.id} data-testid="grant-row" data-origin={g.origin}>
              <td className="px-4 py-2"><Entitlement g={g} connectionId={connectionId} /></td>
              <td className="px-4 py-2"><OriginBadge origin={g.origin} /></td>
              <td className="px-4 py-2 whitespace-nowrap">{utc(removed ? g.removedAt : g.firstSeenAt)}</td>
              <td className="px-4 py-2 text-xs"><ChangeAttribution change={g.change} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export default async function PdUserAccessPage({ params, searchParams }: { params: Promise<{ pdId: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireActor();
  if (!can(actor, "pagerduty.read")) return <Forbidden what="PagerDuty data" />;
  const { connections, current } = await pickConnection(actor, await requestedConnection(searchParams));
  const { pdId } = await params;
  const access = current ? await pdUserAccess(actor, current.id, pdId) : null;
  if (current && !access) notFound();
  const u = access?.user;
  return (
    <PagerDutyFrame tab="users" title={u ? u.name : "PagerDuty user"} description={u ? `${u.email} · ${baseRoleLabel(u.role)}${u.jobTitle ? ` · ${u.jobTitle}` : ""}` : ""} connections={connections} current={current}>
      {current && access && u && (
        <div className="space-y-4">
          <p className="text-sm">
            <Link href={pdHref("users", current.id)} className="text-slate-600 underline">All users</Link>
          </p>
          <dl className="grid gap-2 rounded-lg border border-slate-200 bg-white p-4 text-sm sm:grid-cols-3">
            <div><dt className="text-xs text-slate-500">Portal person</dt><dd data-testid="pd-user-person">{access.person ? `${access.person.name} (${access.person.via === "alias" ? "alias" : "email match"})` : "Unmatched"}</dd></div>
            <div><dt className="text-xs text-slate-500">Time zone</dt><dd>{u.timeZone ?? "—"}</dd></div>
            <div><dt className="text-xs text-slate-500">License</dt><dd>{u.licensePdId ?? "none allocated"}</dd></div>
            <div><dt className="text-xs text-slate-500">First seen</dt><dd>{utc(u.firstSeenAt)}</dd></div>
            <div><dt className="text-xs text-slate-500">Last seen</dt><dd>{utc(u.lastSeenAt)}</dd></div>
            <div><dt className="text-xs text-slate-500">Status</dt><dd>{u.removedAt ? `Removed from PagerDuty ${utc(u.removedAt)}` : u.invitationPending ? "Invitation pending" : "Active"}</dd></div>
          </dl>
          {access.grants.some((g) => g.origin === "DRIFT") && (
            <p role="note" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
              Some of this access drifted: it appeared in PagerDuty after the baseline without a portal request, policy or review.
            </p>
          )}
          {access.grants.length === 0 ? <EmptyState title="No access held" /> : <GrantsTable grants={access.grants} connectionId={current.id} caption="Access held now" />}
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table className="min-w-full divide-y divide-slate-200 text-sm">
              <caption className="px-4 py-2 text-left text-sm font-semibold text-slate-900">On-call shifts (now and upcoming)</caption>
              <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className="px-4 py-2">Schedule</th>
                  <th scope="col" className="px-4 py-2">Escalation policy · level</th>
                  <th scope="col" className="px-4 py-2">Start</th>
                  <th scope="col" className="px-4 py-2">End</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {access.shifts.length === 0 && (
                  <tr><td colSpan={4} className="px-4 py-3 text-center text-slate-600">No on-call shifts within the synced horizon.</td></tr>
                )}
                {access.shifts.map((s) => (
                  <tr key={`${s.policyPdId}|${s.level}|${s.schedulePdId}|${s.start?.toISOString()}`}>
                    <td className="px-4 py-2">{s.scheduleName ?? "Directly on the policy"}</td>
                    <td className="px-4 py-2">{s.policyName} · {s.level}</td>
                    <td className="px-4 py-2 whitespace-nowrap">{s.start ? utc(s.start) : "always"}</td>
                    <td className="px-4 py-2 whitespace-nowrap">{s.end ? utc(s.end) : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {access.past.length > 0 && <GrantsTable grants={access.past} connectionId={current.id} caption="Access held before" removed />}
        </div>
      )}
    </PagerDutyFrame>
  );
}
