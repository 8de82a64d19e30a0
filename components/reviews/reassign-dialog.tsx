"use client";

import { useEffect, useId, useRef, useState } from "react";
import type { ReviewerCandidate } from "@/lib/reviews/candidates";
import { PersonPicker } from "./person-picker";

/** Hands the selected items to another reviewer, with a reason (in the evidence: "why this reviewer"). */
export function ReassignDialog({ count, pending, error, onConfirm, onCancel }: { count: number | null; pending: boolean; error: string | null; onConfirm: (toPersonId: string, reason: string) => void; onCancel: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [to, setTo] = useState<ReviewerCandidate | null>(null);
  const [reason, setReason] = useState("");
  const id = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (count && !d.open) {
      setTo(null);
      setReason("");
      d.showModal();
    }
    if (!count && d.open) d.close();
  }, [count]);
  return (
    <dialog ref={ref} onClose={onCancel} aria-labelledby={`${id}-title`} data-testid="reassign-dialog" className="m-auto w-full max-w-md rounded-lg border border-slate-200 p-0 shadow-xl backdrop:bg-slate-900/30">
      {count && (
        <form
          className="space-y-3 p-5"
          onSubmit={(e) => {
            e.preventDefault();
            if (to) onConfirm(to.id, reason.trim());
          }}
        >
          <h2 id={`${id}-title`} className="text-lg font-semibold text-slate-900">
            Reassign {count === 1 ? "this item" : `${count} items`}
          </h2>
          <PersonPicker label="New reviewer" value={to} onChange={setTo} testId="reassign-to" required />
          <div>
            <label htmlFor={`${id}-why`} className="block text-xs font-medium text-slate-700">
              Reason (in the evidence and the audit trail)
            </label>
            <input id={`${id}-why`} required minLength={3} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} data-testid="reassign-reason" className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm" />
          </div>
          {error && (
            <p role="alert" className="text-sm text-red-700">
              {error}
            </p>
          )}
          <div className="flex justify-end gap-2">
            <button type="button" onClick={onCancel} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm">
              Cancel
            </button>
            <button type="submit" disabled={pending || !to || reason.trim().length < 3} data-testid="reassign-confirm" className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-50">
              {pending ? "Reassigning…" : "Reassign"}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
