import Link from "next/link";
import { cell, DataTable } from "@/components/pagerduty/data-table";
import { PagerDutyFrame, requestedConnection } from "@/components/pagerduty/frame";
import { Forbidden } from "@/components/ui/page";
import { can } from "@/lib/auth/access";
import { requireActor } from "@/lib/auth/session";
import { pickConnection } from "@/lib/pagerduty-data/connections";
import { listPolicies } from "@/lib/pagerduty-data/schedules";

export const metadata = { title: "Escalation policies" };

export default async function PdPoliciesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireActor();
  if (!can(actor, "pagerduty.read")) return <Forbidden what="PagerDuty data" />;
  const { connections, current } = await pickConnection(actor, await requestedConnection(searchParams));
  const policies = current ? await listPolicies(actor, current.id) : [];
  return (
    <PagerDutyFrame tab="policies" title="Escalation policies" description="Each policy's levels and who (or which schedule) it escalates to." connections={connections} current={current}>
      {current && (
        <DataTable caption="Escalation policies" headers={["Policy", "Team", "Levels"]} empty={policies.length === 0 && "No escalation policies synced."}>
          {policies.map((p) => (
            <tr key={p.pdId} data-testid="pd-policy-row">
              <td className={cell}>
                <p className="font-medium text-slate-900">{p.name}</p>
                {p.numLoops ? <p className="text-xs text-slate-500">repeats {p.numLoops}×</p> : null}
              </td>
              <td className={cell}>{p.team ? <Link className="hover:underline" href={`/pagerduty/teams/${p.team.pdId}?connection=${current.id}`}>{p.team.name}</Link> : "—"}</td>
              <td className={cell}>
                <ol className="space-y-1">
                  {p.levels.map((l) => (
                    <li key={l.level}>
                      <span className="text-xs font-semibold text-slate-500">Level {l.level}{l.delayMinutes !== null ? ` · after ${l.delayMinutes} min` : ""}: </span>
                      {l.targets.map((t, i) => (
                        <span key={`${t.type}${t.pdId}`}>
                          {i > 0 && ", "}
                          {t.type === "USER" ? <Link className="hover:underline" href={`/pagerduty/users/${t.pdId}?connection=${current.id}`}>{t.name}</Link> : <>schedule {t.name}</>}
                        </span>
                      ))}
                    </li>
                  ))}
                </ol>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </PagerDutyFrame>
  );
}
