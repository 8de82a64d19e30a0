import Link from "next/link";
import { AccessAccount } from "@/components/access/my-access";
import { EmptyState, PageHeader } from "@/components/ui/page";
import { myAccess } from "@/lib/access/queries";
import { accessNow } from "@/lib/access/options";
import { can } from "@/lib/auth/access";
import { requireActor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { getPerson, listPeople } from "@/lib/people/queries";

export const metadata = { title: "My access" };

const PERSON_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Everything a person holds in PagerDuty, per account, with its origin and "why"; their upcoming shifts.
 * Administrators and auditors may look at anyone's (?person=<id>); lib/access/queries.ts myAccess checks it.
 */
export default async function MyAccessPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireActor();
  const raw = (await searchParams).person;
  const asked = typeof raw === "string" && raw !== "" ? raw : null;
  const readsAnyone = can(actor, "access.read") && can(actor, "person.read");
  const db = await getDb();

  let personId = actor.personId;
  let notice: string | null = null;
  if (asked && asked !== actor.personId) {
    if (!readsAnyone) notice = "You can only see your own access; showing yours.";
    else if (!PERSON_ID.test(asked)) notice = "That is not a valid person id; showing your own access.";
    else if (!(await getPerson(actor, asked))) notice = "No such person; showing your own access.";
    else personId = asked;
  }
  const self = personId === actor.personId;
  const [accounts, person, people] = await Promise.all([myAccess(db, actor, personId), self ? null : getPerson(actor, personId), readsAnyone ? listPeople(actor, { status: "ACTIVE" }) : []]);
  const now = accessNow();

  return (
    <>
      <PageHeader
        title={self ? "My access" : `Access of ${person?.name ?? "a person"}`}
        description={self ? "Everything you hold in PagerDuty, per account, where it came from and why you have it, and your upcoming on-call shifts." : `What ${person?.name} (${person?.email}) holds in PagerDuty, where it came from, and their upcoming on-call shifts.`}
        actions={
          readsAnyone ? (
            <form method="get" action="/access" className="flex items-end gap-2" aria-label="Look at someone's access">
              <div>
                <label htmlFor="person" className="block text-xs font-medium text-slate-700">
                  Person
                </label>
                <select id="person" name="person" defaultValue={personId} className="mt-1 block w-64 rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-600" data-testid="access-person">
                  {people.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name} ({p.email})
                    </option>
                  ))}
                </select>
              </div>
              <button type="submit" className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-600">
                Show
              </button>
            </form>
          ) : undefined
        }
      />
      {notice && (
        <p role="status" className="mb-4 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="access-notice">
          {notice}
        </p>
      )}
      {accounts.length === 0 ? (
        <EmptyState title="No PagerDuty account is connected yet">
          Once an administrator connects an account and it has synced, {self ? "your" : "their"} access appears here.
          {can(actor, "connection.read") && (
            <>
              {" "}
              <Link href="/admin/connections" className="font-medium text-emerald-800 underline">
                Go to Connections
              </Link>
              .
            </>
          )}
        </EmptyState>
      ) : (
        <div className="space-y-10">
          {accounts.map((a) => (
            <AccessAccount key={a.connectionId} account={a} now={now} self={self} />
          ))}
        </div>
      )}
      {self && can(actor, "access.request") && accounts.some((a) => a.pdUser) && (
        <p className="mt-8 text-sm text-slate-600">
          Need more for a while?{" "}
          <Link href="/requests" className="font-medium text-emerald-800 underline">
            Request just-in-time access
          </Link>
          .
        </p>
      )}
    </>
  );
}
