import Link from "next/link";
import { notFound } from "next/navigation";
import { cell, DataTable } from "@/components/pagerduty/data-table";
import { PagerDutyFrame, pdHref, requestedConnection } from "@/components/pagerduty/frame";
import { utc } from "@/components/pagerduty/grant-bits";
import { Forbidden } from "@/components/ui/page";
import { can } from "@/lib/auth/access";
import { requireActor } from "@/lib/auth/session";
import { pickConnection } from "@/lib/pagerduty-data/connections";
import { baseRoleLabel, teamRoleLabel } from "@/lib/pagerduty-data/roles";
import { teamDetail } from "@/lib/pagerduty-data/teams";

export const metadata = { title: "PagerDuty team" };

export default async function PdTeamPage({ params, searchParams }: { params: Promise<{ pdId: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireActor();
  if (!can(actor, "pagerduty.read")) return <Forbidden what="PagerDuty data" />;
  const { connections, current } = await pickConnection(actor, await requestedConnection(searchParams));
  const { pdId } = await params;
  const detail = current ? await teamDetail(actor, current.id, pdId) : null;
  if (current && !detail) notFound();
  return (
    <PagerDutyFrame tab="teams" title={detail?.team.name ?? "Team"} description={detail?.team.description ?? "A PagerDuty team, its members and their team roles."} connections={connections} current={current}>
      {current && detail && (
        <div className="space-y-4">
          <p className="text-sm"><Link href={pdHref("teams", current.id)} className="text-slate-600 underline">All teams</Link></p>
          <DataTable caption={`Members of ${detail.team.name}`} headers={["Member", "Team role", "Base role", "Member since (first seen)"]} empty={detail.members.length === 0 && "No members."}>
            {detail.members.map((m) => (
              <tr key={m.pdId} data-testid="pd-team-member">
                <td className={cell}>
                  <Link href={`/pagerduty/users/${m.pdId}?connection=${current.id}`} className="font-medium hover:underline">{m.name}</Link>
                  <p className="text-xs text-slate-500">{m.email}</p>
                </td>
                <td className={cell}>{teamRoleLabel(m.teamRole)}</td>
                <td className={cell}>{baseRoleLabel(m.baseRole)}</td>
                <td className={cell}>{utc(m.since)}</td>
              </tr>
            ))}
          </DataTable>
          <p className="text-sm text-slate-700">
            Escalation policies of this team: {detail.policies.length ? detail.policies.map((p) => p.name).join(", ") : "none"}.
          </p>
        </div>
      )}
    </PagerDutyFrame>
  );
}
