import Link from "next/link";
import { cell, DataTable } from "@/components/pagerduty/data-table";
import { PagerDutyFrame, requestedConnection } from "@/components/pagerduty/frame";
import { Forbidden } from "@/components/ui/page";
import { can } from "@/lib/auth/access";
import { requireActor } from "@/lib/auth/session";
import { pickConnection } from "@/lib/pagerduty-data/connections";
import { teamRoleLabel } from "@/lib/pagerduty-data/roles";
import { listTeams } from "@/lib/pagerduty-data/teams";

export const metadata = { title: "PagerDuty teams" };

export default async function PdTeamsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireActor();
  if (!can(actor, "pagerduty.read")) return <Forbidden what="PagerDuty data" />;
  const { connections, current } = await pickConnection(actor, await requestedConnection(searchParams));
  const teams = current ? await listTeams(actor, current.id) : [];
  return (
    <PagerDutyFrame tab="teams" title="PagerDuty teams" description="Teams with their members and team roles (manager, responder, observer)." connections={connections} current={current}>
      {current && (
        <DataTable caption="Teams" headers={["Team", "Members", "By team role"]} empty={teams.length === 0 && (current.abilities.length > 0 && !current.abilities.includes("teams") ? "No teams: the account lacks the teams ability." : "No teams synced.")}>
          {teams.map((t) => (
            <tr key={t.pdId} data-testid="pd-team-row">
              <td className={cell}>
                <Link href={`/pagerduty/teams/${t.pdId}?connection=${current.id}`} className="font-medium text-slate-900 hover:underline">{t.name}</Link>
                {t.description && <p className="text-xs text-slate-500">{t.description}</p>}
              </td>
              <td className={cell}>{t.members}</td>
              <td className={cell}>
                {Object.entries(t.roles)
                  .sort(([a], [b]) => a.localeCompare(b))
                  .map(([role, n]) => `${n} ${teamRoleLabel(role).toLowerCase()}${n === 1 ? "" : "s"}`)
                  .join(" · ") || "—"}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </PagerDutyFrame>
  );
}
