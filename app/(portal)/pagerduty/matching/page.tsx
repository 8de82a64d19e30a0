import Link from "next/link";
import { AliasEditor, RemoveAlias } from "@/components/pagerduty/alias-editor";
import { cell, DataTable } from "@/components/pagerduty/data-table";
import { PagerDutyFrame, requestedConnection } from "@/components/pagerduty/frame";
import { Forbidden } from "@/components/ui/page";
import { can } from "@/lib/auth/access";
import { requireActor } from "@/lib/auth/session";
import { pickConnection } from "@/lib/pagerduty-data/connections";
import { peopleMatching } from "@/lib/pagerduty-data/people-links";
import { baseRoleLabel } from "@/lib/pagerduty-data/roles";
import { setPagerDutyAlias } from "./actions";

export const metadata = { title: "People matching" };

const SHOWN = 200;

export default async function PdMatchingPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireActor();
  if (!can(actor, "pagerduty.read")) return <Forbidden what="PagerDuty data" />;
  const manage = can(actor, "pagerduty.manage");
  const { connections, current } = await pickConnection(actor, await requestedConnection(searchParams));
  const view = current ? await peopleMatching(actor, current.id) : null;
  return (
    <PagerDutyFrame tab="matching" title="People matching" description="Portal people and PagerDuty users are matched by email (case-insensitive), or by an alias an administrator sets when the emails differ." connections={connections} current={current}>
      {current && view && (
        <div className="space-y-6">
          <section aria-labelledby="m-summary" className="grid gap-4 sm:grid-cols-3">
            <h2 id="m-summary" className="sr-only">Summary</h2>
            {[
              ["Matched", view.matched.length],
              ["PagerDuty users without a person", view.unmatchedPdUsers.length],
              ["People without a PagerDuty user", view.unmatchedPeople.length],
            ].map(([label, n]) => (
              <div key={label} className="rounded-lg border border-slate-200 bg-white p-4">
                <p className="text-xs text-slate-500">{label}</p>
                <p className="mt-1 text-2xl font-semibold text-slate-900">{n}</p>
              </div>
            ))}
          </section>

          <section aria-labelledby="m-people" className="space-y-2">
            <h2 id="m-people" className="text-base font-semibold text-slate-900">People without a PagerDuty user</h2>
            <datalist id="unmatched-pd-users">
              {view.unmatchedPdUsers.slice(0, 2000).map((u) => (
                <option key={u.pdId} value={u.pdId}>{`${u.name} <${u.email}>`}</option>
              ))}
            </datalist>
            <DataTable caption="People without a PagerDuty user" headers={manage ? ["Person", "Alias"] : ["Person"]} empty={view.unmatchedPeople.length === 0 && "Everyone is matched."}>
              {view.unmatchedPeople.slice(0, SHOWN).map((p) => (
                <tr key={p.id} data-testid={`unmatched-person-${p.email}`}>
                  <td className={cell}><p className="font-medium">{p.name}</p><p className="text-xs text-slate-500">{p.email}</p></td>
                  {manage && <td className={cell}><AliasEditor connectionId={current.id} personId={p.id} personEmail={p.email} setAlias={setPagerDutyAlias} listId="unmatched-pd-users" /></td>}
                </tr>
              ))}
            </DataTable>
          </section>

          <section aria-labelledby="m-pd" className="space-y-2">
            <h2 id="m-pd" className="text-base font-semibold text-slate-900">PagerDuty users without a person</h2>
            <DataTable caption="PagerDuty users without a person" headers={["PagerDuty user", "Id", "Base role"]} empty={view.unmatchedPdUsers.length === 0 && "Every PagerDuty user is matched."}>
              {view.unmatchedPdUsers.slice(0, SHOWN).map((u) => (
                <tr key={u.pdId}>
                  <td className={cell}><Link href={`/pagerduty/users/${u.pdId}?connection=${current.id}`} className="font-medium hover:underline">{u.name}</Link><p className="text-xs text-slate-500">{u.email}</p></td>
                  <td className={cell}><code>{u.pdId}</code></td>
                  <td className={cell}>{baseRoleLabel(u.role)}</td>
                </tr>
              ))}
            </DataTable>
            {view.unmatchedPdUsers.length > SHOWN && <p className="text-xs text-slate-500">Showing {SHOWN} of {view.unmatchedPdUsers.length}: <Link className="underline" href={`/pagerduty/users?connection=${current.id}&unmatched=1`}>see them all on the users page</Link>.</p>}
          </section>

          <section aria-labelledby="m-matched" className="space-y-2">
            <h2 id="m-matched" className="text-base font-semibold text-slate-900">Matched</h2>
            <DataTable caption="Matched people" headers={manage ? ["Person", "PagerDuty user", "How", ""] : ["Person", "PagerDuty user", "How"]} empty={view.matched.length === 0 && "Nobody is matched yet."}>
              {view.matched.slice(0, SHOWN).map((m) => (
                <tr key={m.pdUser.pdId} data-testid={`matched-${m.person.email}`}>
                  <td className={cell}>{m.person.name}<p className="text-xs text-slate-500">{m.person.email}</p></td>
                  <td className={cell}><Link href={`/pagerduty/users/${m.pdUser.pdId}?connection=${current.id}`} className="hover:underline">{m.pdUser.name}</Link><p className="text-xs text-slate-500">{m.pdUser.email}</p></td>
                  <td className={cell}>{m.via === "alias" ? "Alias" : "Email"}</td>
                  {manage && <td className={cell}>{m.via === "alias" && <RemoveAlias connectionId={current.id} personId={m.person.id} setAlias={setPagerDutyAlias} />}</td>}
                </tr>
              ))}
            </DataTable>
          </section>
        </div>
      )}
    </PagerDutyFrame>
  );
}
