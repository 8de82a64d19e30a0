"use client";

import { useState, useTransition } from "react";
import type { ActionResult } from "@/lib/auth/action";

type SetAlias = (raw: unknown) => Promise<ActionResult<unknown>>;

function Outcome({ result }: { result: ActionResult<unknown> | null }) {
  if (!result) return null;
  return result.ok ? <p role="status" className="text-xs text-emerald-800">{result.message}</p> : <p role="alert" className="text-xs text-red-700">{result.error}</p>;
}

/** Set the PagerDuty user id a person is (for when the emails differ). */
export function AliasEditor({ connectionId, personId, personEmail, setAlias, listId }: { connectionId: string; personId: string; personEmail: string; setAlias: SetAlias; listId: string }) {
  const [value, setValue] = useState("");
  const [pending, start] = useTransition();
  const [result, setResult] = useState<ActionResult<unknown> | null>(null);
  return (
    <form
      className="space-y-1"
      onSubmit={(e) => {
        e.preventDefault();
        start(async () => setResult(await setAlias({ connectionId, personId, pdUserId: value.trim() })));
      }}
    >
      <div className="flex gap-2">
        <label className="sr-only" htmlFor={`alias-${personId}`}>PagerDuty user id for {personEmail}</label>
        <input id={`alias-${personId}`} list={listId} value={value} onChange={(e) => setValue(e.target.value)} placeholder="PagerDuty user id, e.g. PABC123" data-testid={`alias-input-${personEmail}`} className="w-48 rounded border border-slate-300 px-2 py-1 text-sm" />
        <button type="submit" disabled={pending || !value.trim()} className="rounded border border-slate-300 px-2 py-1 text-xs font-medium disabled:opacity-40">
          {pending ? "Saving…" : "Set alias"}
        </button>
      </div>
      <Outcome result={result} />
    </form>
  );
}

/** Remove an admin-set alias. */
export function RemoveAlias({ connectionId, personId, setAlias }: { connectionId: string; personId: string; setAlias: SetAlias }) {
  const [pending, start] = useTransition();
  const [result, setResult] = useState<ActionResult<unknown> | null>(null);
  return (
    <div>
      <button type="button" disabled={pending} onClick={() => start(async () => setResult(await setAlias({ connectionId, personId, pdUserId: null })))} className="rounded border border-slate-300 px-2 py-0.5 text-xs">
        Remove alias
      </button>
      <Outcome result={result} />
    </div>
  );
}
