"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Field, inputClass, ResultMessage } from "@/components/connections/form-bits";
import type { ActionResult } from "@/lib/auth/action";
import { BASE_ROLES } from "@/lib/pagerduty-data/roles";
import type { CampaignFormOptions } from "./campaign-form";

type SetOwner = (raw: unknown) => Promise<ActionResult<{ ok: true }>>;

/** Names a person as owner of a team or a base role (reviewer policy "owners"); admins only, the server checks. */
export function OwnerForm({ options, action }: { options: CampaignFormOptions; action: SetOwner }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [result, setResult] = useState<ActionResult<{ ok: true }> | null>(null);
  const [connectionId, setConnectionId] = useState(options.connections[0]?.id ?? "");
  const [type, setType] = useState<"team" | "role">("team");
  const errors = result && !result.ok ? result.fieldErrors : undefined;
  const teams = options.connections.find((c) => c.id === connectionId)?.teams ?? [];
  return (
    <form
      aria-label="Add a review owner"
      data-testid="owner-form"
      className="grid gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-4"
      onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget);
        start(async () => {
          const r = await action({ connectionId, subjectType: type, subjectRef: String(f.get("subjectRef") ?? ""), personId: String(f.get("personId") ?? ""), owner: true });
          setResult(r.ok ? { ...r, message: "Owner saved: campaigns with the \u201cowners\u201d policy send them these items." } : r);
          if (r.ok) router.refresh();
        });
      }}
    >
      <Field name="connectionId" label="PagerDuty account" errors={errors}>
        {(p) => (
          <select {...p} value={connectionId} onChange={(e) => setConnectionId(e.target.value)} className={inputClass}>
            {options.connections.map((c) => (
              <option key={c.id} value={c.id}>{c.name}</option>
            ))}
          </select>
        )}
      </Field>
      <Field name="subjectType" label="Owner of" errors={errors}>
        {(p) => (
          <select {...p} value={type} onChange={(e) => setType(e.target.value as "team" | "role")} className={inputClass}>
            <option value="team">A team</option>
            <option value="role">A base role</option>
          </select>
        )}
      </Field>
      <Field name="subjectRef" label={type === "team" ? "Team" : "Base role"} errors={errors}>
        {(p) => (
          <select {...p} key={`${connectionId}-${type}`} required defaultValue="" className={inputClass}>
            <option value="" disabled>Choose…</option>
            {type === "team"
              ? teams.map((t) => (
                  <option key={t.pdId} value={t.pdId}>{t.name}</option>
                ))
              : BASE_ROLES.map(([v, label]) => (
                  <option key={v} value={v}>{label}</option>
                ))}
          </select>
        )}
      </Field>
      <Field name="personId" label="Owner" errors={errors}>
        {(p) => (
          <select {...p} required defaultValue="" className={inputClass}>
            <option value="" disabled>Choose a person…</option>
            {options.people.map((x) => (
              <option key={x.id} value={x.id}>{x.name} ({x.email})</option>
            ))}
          </select>
        )}
      </Field>
      <div className="flex items-center gap-3 sm:col-span-2 lg:col-span-4">
        <button type="submit" disabled={pending || !connectionId} className="rounded-md bg-emerald-700 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-50">
          {pending ? "Saving…" : "Add owner"}
        </button>
        <ResultMessage result={result} />
      </div>
    </form>
  );
}

/** Removes one owner. */
export function RemoveOwner({ input, action }: { input: { connectionId: string; subjectType: "team" | "role"; subjectRef: string; personId: string }; action: SetOwner }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  return (
    <span>
      <button
        type="button"
        disabled={pending}
        className="rounded border border-slate-300 px-2 py-0.5 text-xs disabled:opacity-50"
        onClick={() =>
          start(async () => {
            const r = await action({ ...input, owner: false });
            if (r.ok) router.refresh();
            else setError(r.error);
          })
        }
      >
        Remove
      </button>
      {error && (
        <span role="alert" className="ml-2 text-xs text-red-700">
          {error}
        </span>
      )}
    </span>
  );
}
