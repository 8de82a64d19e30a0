"use client";

import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import type { SyncRunView, SyncStatusView } from "@/lib/pagerduty-data/sync-runs";

/** Dispatched on window when "Sync now" queued a sync: the activity panel polls fast until it shows up. */
export const SYNC_REQUESTED_EVENT = "portal:sync-requested";
const BOOST_MS = 60_000;

const PHASES = ["users", "teams", "memberships", "schedules", "policies", "licenses", "oncalls", "audit", "grants", "done"];

/** Share of the run done, 0–1: pages against the estimate, else the phase reached. */
export function runProgress(run: Pick<SyncRunView, "status" | "pagesFetched" | "estimatedPages" | "phase">): number {
  if (run.status !== "RUNNING") return 1;
  if (run.estimatedPages) return Math.min(0.99, run.pagesFetched / run.estimatedPages);
  const i = PHASES.indexOf(run.phase);
  return i < 0 ? 0.02 : Math.max(0.02, i / PHASES.length);
}

/** What each counted entity is called on the page. */
const ENTITY: Record<string, string> = {
  abilities: "abilities",
  users: "users",
  licenses: "licenses",
  licenseAllocations: "license assignments",
  teams: "teams",
  memberships: "team memberships",
  schedules: "schedules",
  layerMembers: "schedule members",
  escalationPolicies: "escalation policies",
  policies: "escalation policies",
  policyTargets: "escalation targets",
  oncallProbe: "on-call count checks",
  oncalls: "on-call shifts",
  auditRecords: "audit records",
  grants: "grants",
};
const entity = (key: string) => ENTITY[key] ?? key;

const duration = (ms: number | null) => (ms === null ? "—" : ms < 1000 ? `${ms} ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`);
const time = (iso: string) => iso.slice(0, 19).replace("T", " ") + " UTC";

function ProgressBar({ run }: { run: SyncRunView }) {
  const share = runProgress(run);
  const pct = Math.round(share * 100);
  return (
    <div>
      <div className="flex justify-between text-xs text-slate-600">
        <span>
          Phase: <strong data-testid="sync-phase">{run.phase}</strong> · {run.pagesFetched} page{run.pagesFetched === 1 ? "" : "s"} fetched
          {run.estimatedPages ? ` of about ${run.estimatedPages}` : ""} · {run.requests} requests
        </span>
        <span>{pct}%</span>
      </div>
      <div role="progressbar" aria-label="Sync progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} data-testid="sync-progress" className="mt-1 h-2.5 w-full overflow-hidden rounded-full bg-slate-200">
        <div className="h-full rounded-full bg-emerald-600 transition-[width] duration-500" style={{ width: `${pct}%` }} />
      </div>
      <p className="mt-1 text-xs text-slate-600">
        {Object.entries(run.items)
          .map(([k, n]) => `${n} ${entity(k)}`)
          .join(" · ") || "Starting…"}
      </p>
    </div>
  );
}

function changesText(changes: SyncRunView["changes"]): string {
  const parts = Object.entries(changes)
    .map(([key, c]) => {
      const bits = [c.created ? `+${c.created}` : "", c.updated ? `~${c.updated}` : "", c.removed ? `−${c.removed}` : ""].filter(Boolean);
      return bits.length ? `${entity(key)} ${bits.join(" ")}` : "";
    })
    .filter(Boolean);
  return parts.join(", ") || "no changes";
}

/**
 * Live progress of the running sync (polled every second while one runs, every 10 s otherwise) and the
 * sync history. When a run finishes, the server-rendered parts of the page are refreshed.
 */
export function SyncActivity({ connectionId, initial }: { connectionId: string; initial: SyncStatusView }) {
  const router = useRouter();
  const [boostUntil, setBoostUntil] = useState(0);
  useEffect(() => {
    const onRequested = () => setBoostUntil(Date.now() + BOOST_MS);
    window.addEventListener(SYNC_REQUESTED_EVENT, onRequested);
    return () => window.removeEventListener(SYNC_REQUESTED_EVENT, onRequested);
  }, []);
  const { data, isError, refetch } = useQuery<SyncStatusView>({
    queryKey: ["sync-status", connectionId],
    queryFn: async () => {
      const res = await fetch(`/api/connections/${encodeURIComponent(connectionId)}/sync`, { cache: "no-store" });
      if (!res.ok) throw new Error(`sync status: ${res.status}`);
      return res.json() as Promise<SyncStatusView>;
    },
    initialData: initial,
    // Every second while a run is queued or active, or one was just requested (a worker picks it up within seconds).
    refetchInterval: (q) => (q.state.data?.active || q.state.data?.queued || Date.now() < boostUntil ? 1_000 : 10_000),
  });
  useEffect(() => {
    if (boostUntil) void refetch();
  }, [boostUntil, refetch]);
  // A run finished since the page was rendered (even one too quick to be seen running): refresh the
  // server-rendered parts (freshness badge, last sync, links to the synced data).
  const lastFinished = data.history.find((r) => r.status !== "RUNNING")?.id ?? null;
  const renderedFinished = useRef(initial.history.find((r) => r.status !== "RUNNING")?.id ?? null);
  useEffect(() => {
    if (lastFinished === renderedFinished.current) return;
    renderedFinished.current = lastFinished;
    router.refresh();
  }, [lastFinished, router]);

  return (
    <section aria-label="Sync activity" className="space-y-4">
      <div className="rounded-lg border border-slate-200 bg-white p-4" aria-live="polite">
        <h2 className="text-sm font-semibold text-slate-900">Current sync</h2>
        <div className="mt-2">
          {data.active ? (
            <ProgressBar run={data.active} />
          ) : data.queued ? (
            <p className="text-sm text-sky-800" data-testid="sync-queued">Sync queued: it starts as soon as a worker picks it up (within seconds).</p>
          ) : (
            <p className="text-sm text-slate-600" data-testid="no-active-sync">No sync is running.</p>
          )}
        </div>
        {isError && <p role="alert" className="mt-2 text-xs text-amber-700">Live updates paused: the portal did not answer.</p>}
      </div>
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <caption className="px-4 py-2 text-left text-sm font-semibold text-slate-900">Sync history</caption>
          <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
            <tr>
              {["Started", "Kind", "Status", "Duration", "Requests", "429s", "Retries", "Changes", "Notes"].map((h) => (
                <th key={h} scope="col" className="px-3 py-2">{h}</th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100" data-testid="sync-history">
            {data.history.length === 0 && (
              <tr>
                <td colSpan={9} className="px-3 py-4 text-center text-slate-600">Never synced.</td>
              </tr>
            )}
            {data.history.map((r) => (
              <tr key={r.id} className="align-top">
                <td className="whitespace-nowrap px-3 py-2">{time(r.startedAt)}</td>
                <td className="px-3 py-2">{r.kind === "FULL" ? "Full" : "Incremental"} · {r.trigger.toLowerCase()}{r.requestedBy ? ` by ${r.requestedBy}` : ""}</td>
                <td className={`px-3 py-2 font-medium ${r.status === "FAILED" ? "text-red-700" : r.status === "RUNNING" ? "text-sky-700" : "text-emerald-800"}`}>{r.status.charAt(0) + r.status.slice(1).toLowerCase()}</td>
                <td className="px-3 py-2">{duration(r.durationMs)}</td>
                <td className="px-3 py-2">{r.requests}</td>
                <td className="px-3 py-2">{r.rateLimited}</td>
                <td className="px-3 py-2">{r.retries}</td>
                <td className="px-3 py-2 text-xs">{changesText(r.changes)}</td>
                <td className="max-w-sm px-3 py-2 text-xs">
                  {r.error && <p className="text-red-700">{r.error}</p>}
                  {r.fallbackReason && <p>{r.fallbackReason}</p>}
                  {r.warnings.map((w) => (
                    <p key={w} className="text-amber-800">{w}</p>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
