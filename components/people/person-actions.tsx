"use client";

import { useState, useTransition } from "react";
import type { ActionResult } from "@/lib/auth/action";

type Action = (raw: unknown) => Promise<ActionResult>;
type Role = "ADMIN" | "AUDITOR" | "MEMBER";

function Message({ result }: { result: ActionResult | null }) {
  if (!result) return null;
  return result.ok ? (
    <p role="status" className="text-xs text-emerald-800">
      {result.message ?? "Saved."}
    </p>
  ) : (
    <p role="alert" className="text-xs text-red-700">
      {result.error}
    </p>
  );
}

/** Admin/Auditor checkboxes; Member is everyone's and cannot be removed. */
export function RoleEditor({ personId, email, roles, save }: { personId: string; email: string; roles: Role[]; save: Action }) {
  const [selected, setSelected] = useState<Set<Role>>(new Set(roles));
  const [pending, start] = useTransition();
  const [result, setResult] = useState<ActionResult | null>(null);
  const dirty = ["ADMIN", "AUDITOR"].some((r) => selected.has(r as Role) !== roles.includes(r as Role));
  const toggle = (r: Role) => setSelected((s) => (s.has(r) ? new Set([...s].filter((x) => x !== r)) : new Set([...s, r])));
  return (
    <div className="space-y-1">
      <fieldset className="flex flex-wrap gap-3 text-sm">
        <legend className="sr-only">Roles of {email}</legend>
        {(["ADMIN", "AUDITOR"] as const).map((r) => (
          <label key={r} className="flex items-center gap-1">
            <input type="checkbox" checked={selected.has(r)} onChange={() => toggle(r)} data-testid={`role-${r.toLowerCase()}-${email}`} />
            {r === "ADMIN" ? "Admin" : "Auditor"}
          </label>
        ))}
        <span className="text-slate-500">Member</span>
        <button
          type="button"
          disabled={!dirty || pending}
          onClick={() => start(async () => setResult(await save({ personId, roles: [...selected, "MEMBER"] })))}
          className="rounded border border-slate-300 px-2 py-0.5 text-xs font-medium disabled:opacity-40"
        >
          {pending ? "Saving…" : "Save roles"}
        </button>
      </fieldset>
      <Message result={result} />
    </div>
  );
}

/** Deactivate (with a required reason, ends sessions at once) or reactivate. */
export function StatusControl({ personId, email, active, deactivate, reactivate }: { personId: string; email: string; active: boolean; deactivate: Action; reactivate: Action }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [pending, start] = useTransition();
  const [result, setResult] = useState<ActionResult | null>(null);
  const run = (action: Action) =>
    start(async () => {
      const r = await action({ personId, reason });
      setResult(r);
      if (r.ok) {
        setOpen(false);
        setReason("");
      }
    });
  if (!open)
    return (
      <div className="space-y-1">
        <button
          type="button"
          onClick={() => setOpen(true)}
          data-testid={`${active ? "deactivate" : "reactivate"}-${email}`}
          className={`rounded border px-2 py-0.5 text-xs font-medium ${active ? "border-red-300 text-red-700 hover:bg-red-50" : "border-emerald-300 text-emerald-800 hover:bg-emerald-50"}`}
        >
          {active ? "Deactivate…" : "Reactivate…"}
        </button>
        <Message result={result} />
      </div>
    );
  return (
    <form
      className="space-y-2"
      onSubmit={(e) => {
        e.preventDefault();
        run(active ? deactivate : reactivate);
      }}
    >
      <label className="block text-xs font-medium text-slate-700">
        Reason ({active ? "recorded in the audit trail; their sessions end at once" : "recorded in the audit trail"})
        <input
          autoFocus
          required
          minLength={3}
          maxLength={500}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          data-testid={active ? "deactivate-reason" : "reactivate-reason"}
          className="mt-1 block w-full rounded border border-slate-300 px-2 py-1 text-sm"
        />
      </label>
      <div className="flex gap-2">
        <button type="submit" disabled={pending} data-testid={active ? "deactivate-confirm" : "reactivate-confirm"} className="rounded bg-red-700 px-2 py-1 text-xs font-medium text-white disabled:opacity-50">
          {pending ? "Working…" : active ? "Deactivate" : "Reactivate"}
        </button>
        <button type="button" onClick={() => setOpen(false)} className="rounded border border-slate-300 px-2 py-1 text-xs">
          Cancel
        </button>
      </div>
      <Message result={result} />
    </form>
  );
}
