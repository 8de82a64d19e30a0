"use client";

import { useEffect, useRef } from "react";

/**
 * The rubber-stamp signal: many certifications within seconds, or 100% of a large set certified. The
 * reviewer is asked to look again before the batch goes out; submitting anyway is allowed, and flagged
 * in the campaign's report.
 */
export function SecondLookDialog({ prompt, pending, onLookAgain, onConfirm }: { prompt: { reason: string; count: number } | null; pending: boolean; onLookAgain: () => void; onConfirm: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (prompt && !d.open) d.showModal();
    if (!prompt && d.open) d.close();
  }, [prompt]);
  return (
    <dialog ref={ref} onClose={onLookAgain} role="alertdialog" aria-labelledby="second-look-title" aria-describedby="second-look-reason" data-testid="second-look" className="m-auto w-full max-w-md rounded-lg border border-amber-300 p-0 shadow-xl backdrop:bg-slate-900/30">
      {prompt && (
        <div className="space-y-3 p-5">
          <h2 id="second-look-title" className="text-lg font-semibold text-amber-900">
            Take a second look?
          </h2>
          <p id="second-look-reason" className="text-sm text-slate-800">
            {prompt.reason}
          </p>
          <p className="text-sm text-slate-600">
            You are about to submit {prompt.count} decision{prompt.count === 1 ? "" : "s"}. Auditors look for reviews that approve everything without reading it. If you checked each item, submit; the batch is marked as confirmed after this prompt in the evidence.
          </p>
          <div className="flex justify-end gap-2">
            <button type="button" autoFocus onClick={onLookAgain} data-testid="second-look-cancel" className="rounded-md border border-slate-300 px-3 py-1.5 text-sm">
              Look again
            </button>
            <button type="button" disabled={pending} onClick={onConfirm} data-testid="second-look-confirm" className="rounded-md bg-amber-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-amber-800 disabled:opacity-50">
              {pending ? "Submitting…" : "I checked them: submit"}
            </button>
          </div>
        </div>
      )}
    </dialog>
  );
}
