"use client";

import { useRouter } from "next/navigation";
import { useId, useState, useTransition } from "react";
import { ResultMessage } from "@/components/connections/form-bits";
import type { ActionResult } from "@/lib/auth/action";
import type { LaunchResult } from "@/lib/reviews/types";

type Action<T> = (raw: unknown) => Promise<ActionResult<T>>;

const STALE = /^The synced data is stale/;

/**
 * Launch: freezes the population. When the synced data is stale (or the last sync failed) the server
 * refuses and says why; an admin may then launch anyway with a reason, which the manifest records.
 */
export function LaunchControl({ campaignId, action }: { campaignId: string; action: Action<LaunchResult> }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [result, setResult] = useState<ActionResult<LaunchResult> | null>(null);
  const [reason, setReason] = useState("");
  const id = useId();
  const stale = result && !result.ok && STALE.test(result.error);
  const run = (overrideReason?: string) =>
    start(async () => {
      const r = await action(overrideReason ? { campaignId, overrideReason } : { campaignId });
      setResult(r);
      if (r.ok) router.refresh();
    });
  return (
    <div className="space-y-2" data-testid="launch-control">
      {!stale ? (
        <button type="button" disabled={pending} onClick={() => run()} data-testid="launch" className="rounded-md bg-emerald-700 px-4 py-2 text-sm font-medium text-white hover:bg-emerald-800 disabled:opacity-50">
          {pending ? "Freezing the population…" : "Launch campaign"}
        </button>
      ) : (
        <form
          className="max-w-lg space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3"
          onSubmit={(e) => {
            e.preventDefault();
            run(reason);
          }}
        >
          <p role="alert" className="text-sm font-medium text-amber-900" data-testid="stale-warning">
            {result.error}
          </p>
          <label htmlFor={`${id}-reason`} className="block text-xs font-medium text-amber-900">
            Launch anyway: the reason (recorded in the manifest and the audit trail)
          </label>
          <input id={`${id}-reason`} required minLength={3} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} data-testid="override-reason" className="block w-full rounded-md border border-amber-300 bg-white px-2 py-1.5 text-sm" />
          <div className="flex gap-2">
            <button type="submit" disabled={pending} data-testid="launch-override" className="rounded-md bg-amber-700 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-50">
              {pending ? "Launching…" : "Launch on stale data"}
            </button>
            <button type="button" onClick={() => setResult(null)} className="rounded-md border border-amber-300 px-3 py-1.5 text-sm">
              Cancel
            </button>
          </div>
        </form>
      )}
      {result && (result.ok || !stale) && (
        <ResultMessage result={result.ok ? { ...result, message: result.message ?? `Launched: ${result.data.itemCount} items frozen, SHA-256 ${result.data.sha256.slice(0, 16)}…` } : result} />
      )}
    </div>
  );
}

/** Close (every item decided and remediation verified) or force-close with a reason (undecided items become exceptions). */
export function CloseControls({ campaignId, close, forceClose }: { campaignId: string; close: Action<{ closed: true }>; forceClose: Action<{ exceptions: number }> }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [result, setResult] = useState<ActionResult<unknown> | null>(null);
  const [forcing, setForcing] = useState(false);
  const [reason, setReason] = useState("");
  const id = useId();
  return (
    <div className="space-y-2" data-testid="close-controls">
      <div className="flex flex-wrap gap-2">
        <button
          type="button"
          disabled={pending}
          data-testid="close-campaign"
          onClick={() =>
            start(async () => {
              const r = await close({ campaignId });
              setResult(r.ok ? { ...r, message: r.message ?? "Closed: the campaign and its evidence are now locked." } : r);
              if (r.ok) router.refresh();
            })
          }
          className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50 disabled:opacity-50"
        >
          Close campaign
        </button>
        {!forcing && (
          <button type="button" onClick={() => setForcing(true)} data-testid="force-close" className="rounded-md border border-red-300 px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50">
            Force-close…
          </button>
        )}
      </div>
      {forcing && (
        <form
          className="max-w-lg space-y-2 rounded-md border border-red-200 bg-red-50 p-3"
          onSubmit={(e) => {
            e.preventDefault();
            start(async () => {
              const r = await forceClose({ campaignId, reason });
              setResult(r.ok ? { ...r, message: r.message ?? `Force-closed: ${r.data.exceptions} item${r.data.exceptions === 1 ? "" : "s"} recorded as exceptions.` } : r);
              if (r.ok) {
                setForcing(false);
                router.refresh();
              }
            });
          }}
        >
          <p className="text-sm text-red-900">Undecided items and unverified remediation become documented exceptions in the evidence pack. This cannot be undone.</p>
          <label htmlFor={`${id}-reason`} className="block text-xs font-medium text-red-900">
            Reason (recorded in the evidence and the audit trail)
          </label>
          <input id={`${id}-reason`} required minLength={3} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} data-testid="force-close-reason" className="block w-full rounded-md border border-red-300 bg-white px-2 py-1.5 text-sm" />
          <div className="flex gap-2">
            <button type="submit" disabled={pending} data-testid="force-close-confirm" className="rounded-md bg-red-700 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-50">
              {pending ? "Closing…" : "Force-close"}
            </button>
            <button type="button" onClick={() => setForcing(false)} className="rounded-md border border-red-300 px-3 py-1.5 text-sm">
              Back
            </button>
          </div>
        </form>
      )}
      <ResultMessage result={result} />
    </div>
  );
}
