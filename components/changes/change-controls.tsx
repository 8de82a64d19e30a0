"use client";

import { useId, useState, useTransition } from "react";
import type { ActionResult } from "@/lib/auth/action";

type Action = (raw: unknown) => Promise<ActionResult>;

const TONES = {
  primary: "border-emerald-300 text-emerald-800 hover:bg-emerald-50",
  danger: "border-red-300 text-red-700 hover:bg-red-50",
  neutral: "border-slate-300 text-slate-700 hover:bg-slate-50",
} as const;

function Message({ result }: { result: ActionResult | null }) {
  if (!result) return null;
  return result.ok ? (
    <p role="status" className="text-xs text-emerald-800">
      {result.message ?? "Done."}
    </p>
  ) : (
    <p role="alert" className="text-xs text-red-700">
      {result.error}
    </p>
  );
}

/** One click, no reason (retry). */
export function QuickAction({ label, input, action, tone = "neutral", testId }: { label: string; input: Record<string, unknown>; action: Action; tone?: keyof typeof TONES; testId?: string }) {
  const [pending, start] = useTransition();
  const [result, setResult] = useState<ActionResult | null>(null);
  return (
    <div className="space-y-1">
      <button type="button" disabled={pending} data-testid={testId} onClick={() => start(async () => setResult(await action(input)))} className={`rounded border px-2 py-0.5 text-xs font-medium disabled:opacity-50 ${TONES[tone]}`}>
        {pending ? "Working…" : label}
      </button>
      <Message result={result} />
    </div>
  );
}

/**
 * A button that opens a small form asking for a reason (recorded in the audit trail), then runs the action.
 * `coverageChoice` adds "if this leaves an on-call gap" options (undo).
 */
export function ReasonAction({
  label,
  confirmLabel,
  input,
  action,
  tone = "neutral",
  reasonRequired = true,
  hint,
  coverageChoice = false,
  testId,
}: {
  label: string;
  confirmLabel: string;
  input: Record<string, unknown>;
  action: Action;
  tone?: keyof typeof TONES;
  reasonRequired?: boolean;
  hint?: string;
  coverageChoice?: boolean;
  testId?: string;
}) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [coverage, setCoverage] = useState<"" | "after_shift" | "now">("");
  const [pending, start] = useTransition();
  const [result, setResult] = useState<ActionResult | null>(null);
  const idBase = useId();
  if (!open)
    return (
      <div className="space-y-1">
        <button type="button" data-testid={testId} onClick={() => setOpen(true)} className={`rounded border px-2 py-0.5 text-xs font-medium ${TONES[tone]}`}>
          {label}…
        </button>
        <Message result={result} />
      </div>
    );
  return (
    <form
      className="w-64 space-y-2"
      onSubmit={(e) => {
        e.preventDefault();
        start(async () => {
          const payload: Record<string, unknown> = { ...input };
          if (reason.trim() || reasonRequired) payload.reason = reason;
          if (coverage) payload.coverage = coverage;
          const r = await action(payload);
          setResult(r);
          if (r.ok) {
            setOpen(false);
            setReason("");
          }
        });
      }}
      onKeyDown={(e) => {
        if (e.key === "Escape") setOpen(false);
      }}
    >
      <label htmlFor={`${idBase}-reason`} className="block text-xs font-medium text-slate-700">
        Reason {reasonRequired ? "(recorded in the audit trail)" : "(optional, recorded in the audit trail)"}
      </label>
      <input
        id={`${idBase}-reason`}
        autoFocus
        required={reasonRequired}
        minLength={reasonRequired ? 3 : undefined}
        maxLength={500}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        data-testid={testId ? `${testId}-reason` : undefined}
        className="block w-full rounded border border-slate-300 px-2 py-1 text-sm"
      />
      {hint && <p className="text-xs text-slate-500">{hint}</p>}
      {coverageChoice && (
        <fieldset className="space-y-1 text-xs text-slate-700">
          <legend className="font-medium">If this leaves an on-call gap</legend>
          {(
            [
              ["", "Ask me (refuse and explain)"],
              ["after_shift", "Apply after their current shift"],
              ["now", "Apply now (the reason above is recorded)"],
            ] as const
          ).map(([value, text]) => (
            <label key={value} className="flex items-center gap-1">
              <input type="radio" name={`${idBase}-coverage`} value={value} checked={coverage === value} onChange={() => setCoverage(value)} />
              {text}
            </label>
          ))}
        </fieldset>
      )}
      <div className="flex gap-2">
        <button type="submit" disabled={pending} data-testid={testId ? `${testId}-confirm` : undefined} className="rounded bg-slate-800 px-2 py-1 text-xs font-medium text-white disabled:opacity-50">
          {pending ? "Working…" : confirmLabel}
        </button>
        <button type="button" onClick={() => setOpen(false)} className="rounded border border-slate-300 px-2 py-1 text-xs">
          Back
        </button>
      </div>
      <Message result={result} />
    </form>
  );
}
