import Link from "next/link";
import { AuditTable } from "@/components/audit/audit-table";
import { VerifyChainButton } from "@/components/audit/verify-chain-button";
import { EmptyState, Forbidden, PageHeader } from "@/components/ui/page";
import { can } from "@/lib/auth/access";
import { requireActor } from "@/lib/auth/session";
import { lastChainVerification, listAuditEvents, parseAuditCursor, parseAuditFilters } from "@/lib/audit/queries";
import { verifyChain } from "./actions";

export const metadata = { title: "Audit trail" };

const field = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm";

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireActor();
  if (!can(actor, "audit.read")) return <Forbidden what="The audit trail" />;
  const params = await searchParams;
  const parsed = parseAuditFilters(params);
  const filters = parsed.success ? parsed.data : {};
  const before = parseAuditCursor(params.before);
  const [{ events, nextBefore }, lastCheck] = await Promise.all([listAuditEvents(filters, { before }), lastChainVerification()]);
  const query = new URLSearchParams(Object.entries(filters).filter((e): e is [string, string] => typeof e[1] === "string"));

  return (
    <>
      <PageHeader
        title="Audit trail"
        description="Every sign-in, change and decision, append-only and hash-chained: each event carries the hash of the one before it, so any altered, removed or reordered event is detected."
        actions={
          can(actor, "audit.export") ? (
            // A POST form, not a link: each export is recorded in the audit trail, so it must never start from a GET.
            <form method="post" action="/audit/export" data-testid="audit-export">
              {[...query].map(([name, value]) => (
                <input key={name} type="hidden" name={name} value={value} />
              ))}
              <button type="submit" className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-100">
                Export CSV
              </button>
            </form>
          ) : null
        }
      />
      <section className="mb-6 flex flex-wrap items-center justify-between gap-4 rounded-lg border border-slate-200 bg-white p-4" aria-label="Chain status">
        <div className="text-sm">
          <p className="font-medium text-slate-900">Chain integrity</p>
          <p className="text-slate-600">
            {lastCheck
              ? `Last verified ${new Date(lastCheck.at).toUTCString()} by ${lastCheck.actorLabel}: ${lastCheck.result?.ok ? `intact (${lastCheck.result.events} events)` : `BROKEN at event #${lastCheck.result?.firstBreak?.seq ?? "?"}`}`
              : "Not verified yet."}
          </p>
        </div>
        {can(actor, "audit.verify") && <VerifyChainButton verify={verifyChain} />}
      </section>

      <form method="get" className="mb-4 grid gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-6" aria-label="Filter events">
        <label className="text-xs font-medium text-slate-700 lg:col-span-2">
          Search
          <input name="q" defaultValue={filters.q ?? ""} placeholder="action, target, reason, actor" className={field} />
        </label>
        <label className="text-xs font-medium text-slate-700">
          Action starts with
          <input name="action" defaultValue={filters.action ?? ""} placeholder="auth." className={field} />
        </label>
        <label className="text-xs font-medium text-slate-700">
          Actor
          <input name="actor" defaultValue={filters.actor ?? ""} placeholder="email or job" className={field} />
        </label>
        <label className="text-xs font-medium text-slate-700">
          From
          <input type="date" name="from" defaultValue={filters.from ?? ""} className={field} />
        </label>
        <label className="text-xs font-medium text-slate-700">
          To
          <input type="date" name="to" defaultValue={filters.to ?? ""} className={field} />
        </label>
        <div className="flex items-end gap-2 lg:col-span-6">
          <button type="submit" className="rounded-md bg-slate-800 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-900">
            Apply filters
          </button>
          <Link href="/audit" className="px-2 py-1.5 text-sm text-slate-600 underline">
            Clear
          </Link>
        </div>
      </form>
      {!parsed.success && (
        <p role="alert" className="mb-4 text-sm text-red-700">
          {parsed.error.issues.map((i) => i.message).join("; ")}: showing all events instead.
        </p>
      )}

      {events.length === 0 ? (
        <EmptyState title="No events match these filters">Clear the filters to see the whole trail.</EmptyState>
      ) : (
        <AuditTable events={events} />
      )}
      <nav aria-label="Pages" className="mt-4 flex justify-between text-sm">
        {before ? (
          <Link href={`/audit${query.size ? `?${query}` : ""}`} className="text-emerald-800 underline">
            ← Newest
          </Link>
        ) : (
          <span />
        )}
        {nextBefore && (
          <Link href={`/audit?${new URLSearchParams([...query, ["before", nextBefore]])}`} className="text-emerald-800 underline">
            Older events →
          </Link>
        )}
      </nav>
    </>
  );
}
