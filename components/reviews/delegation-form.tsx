"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Field, inputClass, ResultMessage } from "@/components/connections/form-bits";
import type { ActionResult } from "@/lib/auth/action";
import type { ReviewerCandidate } from "@/lib/reviews/candidates";
import type { DelegationRow } from "@/lib/reviews/types";
import { utcDate } from "./badges";
import { PersonPicker } from "./person-picker";

type Action<T> = (raw: unknown) => Promise<ActionResult<T>>;

/** While away: hand one's reviews to someone else for a time (audited), and see or end delegations. */
export function Delegations({ rows, canDelegate, delegate, revoke }: { rows: DelegationRow[]; canDelegate: boolean; delegate: Action<{ delegationId: string }>; revoke: Action<{ ok: true }> }) {
  const router = useRouter();
  const [to, setTo] = useState<ReviewerCandidate | null>(null);
  const [pending, start] = useTransition();
  const [result, setResult] = useState<ActionResult<unknown> | null>(null);
  const errors = result && !result.ok ? result.fieldErrors : undefined;
  return (
    <div className="space-y-4">
      {rows.length > 0 && (
        <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm" data-testid="delegations">
          {rows.map((d) => (
            <li key={d.id} className="flex flex-wrap items-center justify-between gap-2 px-4 py-2">
              <span>
                <strong className="font-medium">{d.from.name}</strong> → <strong className="font-medium">{d.to.name}</strong> · {utcDate(d.startsAt)} to {utcDate(d.endsAt)}
                <span className="block text-xs text-slate-500">{d.reason}</span>
              </span>
              {d.active && (
                <button
                  type="button"
                  disabled={pending}
                  className="rounded border border-slate-300 px-2 py-0.5 text-xs"
                  onClick={() =>
                    start(async () => {
                      const r = await revoke({ delegationId: d.id });
                      setResult(r.ok ? { ...r, message: "Delegation ended." } : r);
                      if (r.ok) router.refresh();
                    })
                  }
                >
                  End now
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {!canDelegate ? (
        <p role="note" className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-700" data-testid="delegation-unavailable">
          You have no reviews to hand over right now. When a campaign assigns you items, you can delegate them here.
        </p>
      ) : (
        <form
          aria-label="Delegate my reviews"
          className="grid gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2"
          onSubmit={(e) => {
            e.preventDefault();
            const f = new FormData(e.currentTarget);
            const day = (name: string, end: boolean) => {
              const v = String(f.get(name) ?? "");
              return v ? `${v}T${end ? "23:59:59" : "00:00:00"}.000Z` : "";
            };
            start(async () => {
              const r = await delegate({ toPersonId: String(f.get("toPersonId") ?? ""), startsAt: day("startsAt", false), endsAt: day("endsAt", true), reason: String(f.get("reason") ?? "") });
              setResult(r.ok ? { ...r, message: "Delegation saved: they can decide your items in that period." } : r);
              if (r.ok) router.refresh();
            });
          }}
        >
          <div>
            <PersonPicker label="Delegate to" value={to} onChange={setTo} name="toPersonId" testId="delegate-to" required />
            {errors?.toPersonId?.map((m) => (
              <p key={m} className="mt-1 text-xs text-red-700">
                {m}
              </p>
            ))}
          </div>
          <Field name="reason" label="Reason" errors={errors}>
            {(p) => <input {...p} required minLength={3} maxLength={500} placeholder="On leave" className={inputClass} />}
          </Field>
          <Field name="startsAt" label="From" errors={errors}>
            {(p) => <input {...p} type="date" required className={inputClass} />}
          </Field>
          <Field name="endsAt" label="Until (at most 90 days)" errors={errors}>
            {(p) => <input {...p} type="date" required className={inputClass} />}
          </Field>
          <div className="flex items-center gap-3 sm:col-span-2">
            <button type="submit" disabled={pending} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50 disabled:opacity-50">
              Delegate
            </button>
            <ResultMessage result={result} />
          </div>
        </form>
      )}
    </div>
  );
}
