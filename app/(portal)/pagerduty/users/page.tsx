import Link from "next/link";
import { BarChart } from "@/components/pagerduty/bar-chart";
import { PagerDutyFrame, pdHref } from "@/components/pagerduty/frame";
import { PdUsersTable } from "@/components/pagerduty/users-table";
import { EmptyState, Forbidden } from "@/components/ui/page";
import { can } from "@/lib/auth/access";
import { requireActor } from "@/lib/auth/session";
import { pickConnection } from "@/lib/pagerduty-data/connections";
import { BASE_ROLES, baseRoleLabel } from "@/lib/pagerduty-data/roles";
import { pdUserFilters } from "@/lib/pagerduty-data/schemas";
import { listPdUsers, roleDistribution, teamOptions } from "@/lib/pagerduty-data/users";

export const metadata = { title: "PagerDuty users" };

const field = "mt-1 block rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm";

export default async function PdUsersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireActor();
  if (!can(actor, "pagerduty.read")) return <Forbidden what="PagerDuty data" />;
  const params = await searchParams;
  const raw = Object.fromEntries(Object.entries(params).filter(([, v]) => typeof v === "string" && v !== ""));
  const parsed = pdUserFilters.safeParse(raw);
  const filters = parsed.success ? parsed.data : {};
  const { connections, current } = await pickConnection(actor, filters.connection);
  const [rows, roles, teams] = current ? await Promise.all([listPdUsers(actor, current.id, filters), roleDistribution(actor, current.id), teamOptions(actor, current.id)]) : [[], [], []];
  const filtered = Boolean(filters.q || filters.role || filters.team || filters.unmatched);

  return (
    <PagerDutyFrame tab="users" title="PagerDuty users" description="Everyone in the PagerDuty account, with their base role, teams and the portal person they are matched to." connections={connections} current={current}>
      {current && (
        <div className="space-y-4">
          <div className="grid gap-4 lg:grid-cols-[1fr_22rem]">
            <form method="get" aria-label="Filter users" className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-4">
              <input type="hidden" name="connection" value={current.id} />
              <label className="text-xs font-medium text-slate-700">
                Name or email
                <input name="q" defaultValue={filters.q ?? ""} className={field} />
              </label>
              <label className="text-xs font-medium text-slate-700">
                Base role
                <select name="role" defaultValue={filters.role ?? ""} className={field}>
                  <option value="">Any</option>
                  {BASE_ROLES.map(([v, label]) => (
                    <option key={v} value={v}>{label}</option>
                  ))}
                </select>
              </label>
              <label className="text-xs font-medium text-slate-700">
                Team
                <select name="team" defaultValue={filters.team ?? ""} className={`${field} max-w-48`}>
                  <option value="">Any</option>
                  {teams.map((t) => (
                    <option key={t.pdId} value={t.pdId}>{t.name}</option>
                  ))}
                </select>
              </label>
              <label className="flex items-center gap-1 pb-2 text-xs font-medium text-slate-700">
                <input type="checkbox" name="unmatched" value="1" defaultChecked={filters.unmatched === "1"} />
                Unmatched only
              </label>
              <button type="submit" className="rounded-md bg-slate-800 px-3 py-1.5 text-sm font-medium text-white">Apply</button>
              <Link href={pdHref("users", current.id)} className="py-1.5 text-sm text-slate-600 underline">Clear</Link>
              <p className="w-full text-xs text-slate-500" data-testid="pd-users-count">
                {rows.length} user{rows.length === 1 ? "" : "s"}{filtered ? " match" : ""}
              </p>
            </form>
            <BarChart title="Base roles" bars={BASE_ROLES.map(([v]) => ({ label: baseRoleLabel(v), value: roles.find((r) => r.role === v)?.count ?? 0 })).filter((b) => b.value > 0)} />
          </div>
          {!parsed.success && (
            <p role="alert" className="text-sm text-red-700">{parsed.error.issues.map((i) => i.message).join("; ")}</p>
          )}
          {rows.length === 0 ? <EmptyState title={filtered ? "Nobody matches these filters" : "No users synced"} /> : <PdUsersTable rows={rows} connectionId={current.id} />}
        </div>
      )}
    </PagerDutyFrame>
  );
}
