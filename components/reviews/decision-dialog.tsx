"use client";

import { useEffect, useId, useRef, useState } from "react";

export type DecisionKind = "CERTIFY" | "REVOKE" | "MODIFY";

export const DECISION_LABEL: Record<DecisionKind, string> = { CERTIFY: "Certify", REVOKE: "Revoke", MODIFY: "Modify" };

export interface ModifyOption {
  value: string;
  label: string;
}

export interface DecisionRequest {
  decision: DecisionKind;
  /** How many items the decision applies to (1, or the selection). */
  count: number;
  /** What the item(s) are, for the dialog's heading: "Dana Lee — Global Admin". */
  subject: string;
  justificationRequired: boolean;
  /** Roles the access can be changed to (Modify only). */
  modifyOptions: ModifyOption[];
}

/**
 * Asks for the justification of a decision (required for revoke and modify, and for certifying
 * high-risk items when the campaign says so) and, for Modify, the new role. Nothing is saved until
 * the person confirms; Escape or Cancel leaves everything as it was.
 */
export function DecisionDialog({ request, onConfirm, onCancel, pending, error }: { request: DecisionRequest | null; onConfirm: (justification: string, modifyTo: string | null) => void; onCancel: () => void; pending: boolean; error: string | null }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [justification, setJustification] = useState("");
  const [modifyTo, setModifyTo] = useState("");
  const id = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (request && !d.open) {
      setJustification("");
      setModifyTo(request.modifyOptions[0]?.value ?? "");
      d.showModal();
    }
    if (!request && d.open) d.close();
  }, [request]);
  const tone = request?.decision === "REVOKE" ? "bg-red-700 hover:bg-red-800" : request?.decision === "MODIFY" ? "bg-amber-700 hover:bg-amber-800" : "bg-emerald-700 hover:bg-emerald-800";
  const tooShort = Boolean(request?.justificationRequired) && justification.trim().length < 3;
  return (
    <dialog ref={ref} onClose={onCancel} aria-labelledby={`${id}-title`} data-testid="decision-dialog" className="m-auto w-full max-w-md rounded-lg border border-slate-200 p-0 shadow-xl backdrop:bg-slate-900/30">
      {request && (
        <form
          className="space-y-3 p-5"
          onSubmit={(e) => {
            e.preventDefault();
            if (tooShort) return;
            onConfirm(justification.trim(), request.decision === "MODIFY" ? modifyTo : null);
          }}
        >
          <h2 id={`${id}-title`} className="text-lg font-semibold text-slate-900">
            {DECISION_LABEL[request.decision]} {request.count === 1 ? request.subject : `${request.count} items`}
          </h2>
          {request.decision === "MODIFY" &&
            (request.modifyOptions.length ? (
              <div>
                <label htmlFor={`${id}-to`} className="block text-xs font-medium text-slate-700">
                  Change the access to
                </label>
                <select id={`${id}-to`} data-testid="modify-to" value={modifyTo} onChange={(e) => setModifyTo(e.target.value)} className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm">
                  {request.modifyOptions.map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
                </select>
              </div>
            ) : (
              <p role="note" className="text-sm text-amber-800">
                This access has no lesser role to change to: revoke it instead, or certify it.
              </p>
            ))}
          <div>
            <label htmlFor={`${id}-why`} className="block text-xs font-medium text-slate-700">
              Justification {request.justificationRequired ? "(required, in the evidence pack)" : "(optional, in the evidence pack)"}
            </label>
            <textarea
              id={`${id}-why`}
              data-testid="justification"
              autoFocus
              rows={3}
              maxLength={2000}
              required={request.justificationRequired}
              aria-invalid={tooShort && justification.length > 0}
              value={justification}
              onChange={(e) => setJustification(e.target.value)}
              className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm"
            />
            {request.justificationRequired && <p className="mt-1 text-xs text-slate-500">At least 3 characters: why this access should {request.decision === "CERTIFY" ? "stay" : "change"}.</p>}
          </div>
          {error && (
            <p role="alert" className="text-sm text-red-700">
              {error}
            </p>
          )}
          <p className="text-xs text-slate-500">Saved as a draft: nothing changes in PagerDuty until you submit the batch.</p>
          <div className="flex justify-end gap-2">
            <button type="button" onClick={onCancel} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm">
              Cancel
            </button>
            <button
              type="submit"
              data-testid="decision-confirm"
              disabled={pending || tooShort || (request.decision === "MODIFY" && !modifyTo)}
              className={`rounded-md px-3 py-1.5 text-sm font-medium text-white disabled:opacity-50 ${tone}`}
            >
              {pending ? "Saving…" : `${DECISION_LABEL[request.decision]}${request.count > 1 ? ` ${request.count} items` : ""}`}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
