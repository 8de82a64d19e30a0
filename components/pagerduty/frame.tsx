import Link from "next/link";
import { EmptyState, PageHeader } from "@/components/ui/page";
import type { SyncedConnection } from "@/lib/pagerduty-data/connections";
import { FreshnessBadge } from "./freshness-badge";

export const PD_TABS = [
  ["users", "Users"],
  ["teams", "Teams"],
  ["schedules", "Schedules"],
  ["policies", "Escalation policies"],
  ["drift", "Drift"],
  ["matching", "People matching"],
] as const;
export type PdTab = (typeof PD_TABS)[number][0];

/** A link to another PagerDuty page of the same connection. */
export const pdHref = (path: string, connectionId: string, extra: Record<string, string> = {}) => `/pagerduty/${path}?${new URLSearchParams({ connection: connectionId, ...extra }).toString()}`;

/**
 * The frame of every PagerDuty data page: title, the account shown (a picker when there are several),
 * how fresh its picture is, and the section's tabs. Renders the empty state instead of the page when
 * there is nothing synced to show.
 */
export function PagerDutyFrame({ tab, title, description, connections, current, children }: { tab: PdTab; title: string; description: string; connections: SyncedConnection[]; current: SyncedConnection | null; children: React.ReactNode }) {
  if (!current)
    return (
      <>
        <PageHeader title={title} description={description} />
        <EmptyState title="No PagerDuty account connected yet">
          <Link href="/admin/connections" className="font-medium text-emerald-800 underline">
            Add one on the Connections page
          </Link>{" "}
          (administrators), and its users, teams and schedules appear here after the first sync.
        </EmptyState>
      </>
    );
  return (
    <>
      <PageHeader
        title={title}
        description={description}
        actions={
          <div className="flex flex-wrap items-center gap-2 text-sm">
            {connections.length > 1 ? (
              <form method="get" className="flex items-center gap-2">
                <label htmlFor="pd-connection" className="text-xs text-slate-600">Account</label>
                <select id="pd-connection" name="connection" defaultValue={current.id} className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm">
                  {connections.map((c) => (
                    <option key={c.id} value={c.id}>{c.name}</option>
                  ))}
                </select>
                <button type="submit" className="rounded-md border border-slate-300 px-2 py-1 text-xs">Show</button>
              </form>
            ) : (
              <span className="font-medium text-slate-800">{current.name}</span>
            )}
            <FreshnessBadge freshness={current.freshness} />
          </div>
        }
      />
      <nav aria-label="PagerDuty sections" className="mb-4 border-b border-slate-200">
        <ul className="-mb-px flex flex-wrap gap-4 text-sm">
          {PD_TABS.map(([key, label]) => (
            <li key={key}>
              <Link href={pdHref(key, current.id)} aria-current={key === tab ? "page" : undefined} className={`inline-block border-b-2 px-1 pb-2 ${key === tab ? "border-emerald-600 font-medium text-emerald-800" : "border-transparent text-slate-600 hover:text-slate-900"}`}>
                {label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {current.latestRun?.warnings.map((w) => (
        <p key={w} role="note" className="mb-3 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">{w}</p>
      ))}
      {!current.lastSuccessfulSyncAt ? (
        <EmptyState title={current.latestRun?.status === "RUNNING" ? "The first sync is running" : "Not synced yet"}>
          <Link href={`/admin/connections/${current.id}`} className="underline">
            {current.latestRun?.status === "RUNNING" ? "Watch its progress" : current.latestRun?.status === "FAILED" ? `The last sync failed: ${current.latestRun.error ?? "see the connection"}` : "Start a sync from the connection page"}
          </Link>
        </EmptyState>
      ) : (
        children
      )}
    </>
  );
}

/** Reads `?connection=` from a page's search params. */
export async function requestedConnection(searchParams: Promise<Record<string, string | string[] | undefined>>): Promise<string | undefined> {
  const v = (await searchParams).connection;
  return typeof v === "string" ? v : undefined;
}
