"use client";

import { useRouter } from "next/navigation";
import { useId, useState, useTransition } from "react";
import type { ActionResult } from "@/lib/auth/action";
import { button, duration, field, label, ResultLine } from "./request-bits";

export type CreateRequestAction = (raw: { itemId: string; durationMinutes: number; reason: string; ticket: string }) => Promise<ActionResult<{ requestId: string; number: number }>>;

export interface RequestFormPolicy {
  defaultMinutes: number;
  maxMinutes: number;
  reasonRequired: boolean;
  /** The ticket reference pattern the policy asks for ("" when none). */
  ticketPattern: string;
}

/**
 * Asks for one item of the catalog: how long (the policy's default, at most its maximum), why, and the
 * ticket when the policy asks for one. The server checks all of it again; on success the request's page
 * opens, where its status is followed live.
 */
export function RequestForm({ itemId, itemName, policy, create }: { itemId: string; itemName: string; policy: RequestFormPolicy; create: CreateRequestAction }) {
  const router = useRouter();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [minutes, setMinutes] = useState(String(policy.defaultMinutes));
  const [reason, setReason] = useState("");
  const [ticket, setTicket] = useState("");
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, start] = useTransition();
  const n = Number(minutes);
  const tooLong = Number.isFinite(n) && n > policy.maxMinutes;

  if (!open)
    return (
      <button type="button" className={button.primary} onClick={() => setOpen(true)} aria-label={`Request ${itemName}`}>
        Request…
      </button>
    );
  return (
    <form
      data-testid="request-form"
      aria-label={`Request ${itemName}`}
      className="mt-3 space-y-3 rounded-md border border-slate-200 bg-slate-50 p-3"
      onSubmit={(e) => {
        e.preventDefault();
        start(async () => {
          const r = await create({ itemId, durationMinutes: n, reason: reason.trim(), ticket: ticket.trim() });
          if (!r.ok) {
            setErrors(r.fieldErrors ?? {});
            setResult({ ok: false, text: r.error });
            return;
          }
          setResult({ ok: true, text: r.message ?? "Request sent." });
          router.push(`/requests/${r.data.requestId}`);
        });
      }}
    >
      <div className="grid gap-3 sm:grid-cols-[12rem_minmax(0,1fr)]">
        <div>
          <label htmlFor={`${id}-minutes`} className={label}>
            Duration (minutes)
          </label>
          <input
            id={`${id}-minutes`}
            type="number"
            min={5}
            max={policy.maxMinutes}
            step={5}
            required
            value={minutes}
            onChange={(e) => setMinutes(e.target.value)}
            aria-invalid={tooLong || Boolean(errors.durationMinutes)}
            aria-describedby={`${id}-minutes-hint`}
            className={field}
          />
          <p id={`${id}-minutes-hint`} className={`mt-1 text-xs ${tooLong ? "text-red-700" : "text-slate-500"}`}>
            {Number.isFinite(n) && n > 0 ? `${duration(n)}. ` : ""}Default {duration(policy.defaultMinutes)}, at most {duration(policy.maxMinutes)}.
          </p>
        </div>
        <div>
          <label htmlFor={`${id}-reason`} className={label}>
            Reason {policy.reasonRequired ? "(required)" : "(optional)"}
          </label>
          <textarea id={`${id}-reason`} rows={2} maxLength={2000} required={policy.reasonRequired} value={reason} onChange={(e) => setReason(e.target.value)} aria-invalid={Boolean(errors.reason)} className={field} placeholder="What you need the access for" />
        </div>
      </div>
      {policy.ticketPattern && (
        <div className="max-w-xs">
          <label htmlFor={`${id}-ticket`} className={label}>
            Ticket (required)
          </label>
          <input id={`${id}-ticket`} required maxLength={100} value={ticket} onChange={(e) => setTicket(e.target.value)} aria-invalid={Boolean(errors.ticket)} className={field} />
          <p className="mt-1 text-xs text-slate-500">
            Matching <code className="rounded bg-white px-1">{policy.ticketPattern}</code>
          </p>
        </div>
      )}
      <ResultLine result={result} testId="request-form-result" />
      <div className="flex gap-2">
        <button type="submit" disabled={pending || tooLong} className={button.primary}>
          {pending ? "Sending…" : "Send request"}
        </button>
        <button type="button" className={button.secondary} onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
