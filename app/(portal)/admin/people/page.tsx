import Link from "next/link";
import { RoleEditor, StatusControl } from "@/components/people/person-actions";
import { EmptyState, Forbidden, PageHeader } from "@/components/ui/page";
import { can } from "@/lib/auth/access";
import { requireActor } from "@/lib/auth/session";
import { listPeople, PEOPLE_LIST_LIMIT } from "@/lib/people/queries";
import { listPeopleFilters } from "@/lib/people/schemas";
import { deactivatePerson, reactivatePerson, setPersonRoles } from "./actions";

export const metadata = { title: "People" };

const field = "mt-1 block rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm";

export default async function PeoplePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireActor();
  if (!can(actor, "person.read")) return <Forbidden what="The people directory" />;
  const params = await searchParams;
  const raw = Object.fromEntries(Object.entries(params).filter(([, v]) => typeof v === "string" && v !== ""));
  const parsed = listPeopleFilters.safeParse(raw);
  const filters = parsed.success ? parsed.data : {};
  const people = await listPeople(actor, filters);
  const manage = can(actor, "person.manage");

  return (
    <>
      <PageHeader title="People" description="Everyone who can sign in to the portal. People are created at their first sign-in, matched by verified email." />
      <form method="get" className="mb-4 flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-4" aria-label="Filter people">
        <label className="text-xs font-medium text-slate-700">
          Name or email
          <input name="query" defaultValue={filters.query ?? ""} className={field} />
        </label>
        <label className="text-xs font-medium text-slate-700">
          Role
          <select name="role" defaultValue={filters.role ?? ""} className={field}>
            <option value="">Any</option>
            <option value="ADMIN">Admin</option>
            <option value="AUDITOR">Auditor</option>
            <option value="MEMBER">Member</option>
          </select>
        </label>
        <label className="text-xs font-medium text-slate-700">
          Status
          <select name="status" defaultValue={filters.status ?? ""} className={field}>
            <option value="">Any</option>
            <option value="ACTIVE">Active</option>
            <option value="DEACTIVATED">Deactivated</option>
          </select>
        </label>
        <button type="submit" className="rounded-md bg-slate-800 px-3 py-1.5 text-sm font-medium text-white">
          Apply
        </button>
        <Link href="/admin/people" className="py-1.5 text-sm text-slate-600 underline">
          Clear
        </Link>
      </form>
      {!parsed.success && (
        <p role="alert" className="mb-4 text-sm text-red-700">
          {parsed.error.issues.map((i) => i.message).join("; ")}
        </p>
      )}
      {people.length === 0 ? (
        <EmptyState title="Nobody matches these filters" />
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <caption className="sr-only">People</caption>
            <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-4 py-2">Person</th>
                <th scope="col" className="px-4 py-2">Status</th>
                <th scope="col" className="px-4 py-2">Roles</th>
                <th scope="col" className="px-4 py-2">Sessions</th>
                {manage && <th scope="col" className="px-4 py-2">Access</th>}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {people.map((p) => (
                <tr key={p.id} data-testid={`person-row-${p.email}`} className="align-top">
                  <td className="px-4 py-3">
                    <p className="font-medium text-slate-900">{p.name}</p>
                    <p className="text-slate-600">{p.email}</p>
                  </td>
                  <td className="px-4 py-3">
                    <span
                      data-testid={`person-status-${p.email}`}
                      className={`rounded-full px-2 py-0.5 text-xs font-medium ${p.status === "ACTIVE" ? "bg-emerald-50 text-emerald-800" : "bg-slate-200 text-slate-700"}`}
                    >
                      {p.status === "ACTIVE" ? "Active" : "Deactivated"}
                    </span>
                  </td>
                  <td className="px-4 py-3">
                    {manage && p.id !== actor.personId ? (
                      <RoleEditor personId={p.id} email={p.email} roles={p.roles} save={setPersonRoles} />
                    ) : (
                      p.roles.map((r) => r.charAt(0) + r.slice(1).toLowerCase()).join(", ")
                    )}
                  </td>
                  <td className="px-4 py-3 text-slate-600">{p.activeSessions}</td>
                  {manage && (
                    <td className="px-4 py-3">
                      {p.id === actor.personId ? (
                        <span className="text-xs text-slate-500">You</span>
                      ) : (
                        <StatusControl personId={p.id} email={p.email} active={p.status === "ACTIVE"} deactivate={deactivatePerson} reactivate={reactivatePerson} />
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
          {people.length >= PEOPLE_LIST_LIMIT && <p className="px-4 py-2 text-xs text-slate-500">Showing the first {PEOPLE_LIST_LIMIT}: narrow the search to find others.</p>}
        </div>
      )}
    </>
  );
}
