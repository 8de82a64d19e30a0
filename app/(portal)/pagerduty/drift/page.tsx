import Link from "next/link";
import { cell, DataTable } from "@/components/pagerduty/data-table";
import { PagerDutyFrame, requestedConnection } from "@/components/pagerduty/frame";
import { ChangeAttribution, Entitlement, utc } from "@/components/pagerduty/grant-bits";
import { Forbidden } from "@/components/ui/page";
import { can } from "@/lib/auth/access";
import { requireActor } from "@/lib/auth/session";
import { pickConnection } from "@/lib/pagerduty-data/connections";
import { listDrift } from "@/lib/pagerduty-data/grants";

export const metadata = { title: "Drift" };

export default async function PdDriftPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireActor();
  if (!can(actor, "pagerduty.read")) return <Forbidden what="PagerDuty data" />;
  const { connections, current } = await pickConnection(actor, await requestedConnection(searchParams));
  const drift = current ? await listDrift(actor, current.id) : [];
  return (
    <PagerDutyFrame tab="drift" title="Drift" description="Access that appeared in PagerDuty after the baseline without a portal request, policy or review: who made the change, how, and when (from PagerDuty's audit records)." connections={connections} current={current}>
      {current && (
        <>
          <p className="mb-3 text-xs text-slate-500">Baseline taken {utc(current.baselineAt)}.</p>
          <DataTable caption="Drifted access" headers={["User", "Access", "Changed by", "First seen"]} empty={drift.length === 0 && "No drift: everything held now was there at the baseline or has an origin."}>
            {drift.map((g) => (
              <tr key={g.id} data-testid="drift-row">
                <td className={cell}><Link href={`/pagerduty/users/${g.pdUserId}?connection=${current.id}`} className="font-medium hover:underline">{g.userName}</Link></td>
                <td className={cell}><Entitlement g={g} connectionId={current.id} /></td>
                <td className={cell}><ChangeAttribution change={g.change} /></td>
                <td className={`${cell} whitespace-nowrap`}>{utc(g.firstSeenAt)}</td>
              </tr>
            ))}
          </DataTable>
        </>
      )}
    </PagerDutyFrame>
  );
}
