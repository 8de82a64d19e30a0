"use client";

import { startTransition, useActionState, useEffect, useRef, useState } from "react";
import type { ConnectionActionResult } from "@/app/(portal)/admin/connections/actions";
import { Field, inputClass, ResultMessage, text, whole } from "./form-bits";

type Create = (raw: unknown) => Promise<ConnectionActionResult>;

/** The create input from the form: only the chosen credential kind's fields are sent. */
function toInput(form: FormData) {
  const kind = form.get("credentialKind") === "OAUTH" ? "OAUTH" : "API_KEY";
  const common = {
    name: text(form, "name"),
    subdomain: text(form, "subdomain"),
    region: text(form, "region"),
    apiBaseUrl: text(form, "apiBaseUrl"),
    ownerPersonId: text(form, "ownerPersonId"),
    purpose: text(form, "purpose"),
    rotationPeriodDays: whole(form, "rotationPeriodDays"),
    syncIntervalMinutes: whole(form, "syncIntervalMinutes"),
  };
  const input = kind === "API_KEY" ? { ...common, credentialKind: kind, apiKey: text(form, "apiKey") } : { ...common, credentialKind: kind, oauthClientId: text(form, "oauthClientId"), oauthClientSecret: text(form, "oauthClientSecret") };
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
}

/** Add a PagerDuty account. The credential is checked by PagerDuty before anything is saved. */
export function AddConnectionForm({ create, owners, defaultOwnerId }: { create: Create; owners: { id: string; name: string; email: string }[]; defaultOwnerId: string }) {
  const [kind, setKind] = useState<"API_KEY" | "OAUTH">("API_KEY");
  const [result, submit, pending] = useActionState<ConnectionActionResult | null, FormData>(async (_prev, form) => create(toInput(form)), null);
  const errors = result && !result.ok ? result.fieldErrors : undefined;
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (result?.ok) formRef.current?.reset();
  }, [result]);
  // Submitted by hand, not through `action`: React would reset the form after every submit, and a
  // refused credential must leave what was typed in place to correct it.
  return (
    <form
      ref={formRef}
      onSubmit={(e) => {
        e.preventDefault();
        const form = new FormData(e.currentTarget);
        startTransition(() => submit(form));
      }}
      aria-label="Add a PagerDuty account" className="space-y-4 rounded-lg border border-slate-200 bg-white p-4" data-testid="add-connection-form">
      <h2 className="text-base font-semibold text-slate-900">Add a PagerDuty account</h2>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field name="name" label="Name" errors={errors}>
          {(p) => <input {...p} required className={inputClass} placeholder="Acme production" />}
        </Field>
        <Field name="subdomain" label="Subdomain" hint="acme for acme.pagerduty.com" errors={errors}>
          {(p) => <input {...p} required className={inputClass} placeholder="acme" />}
        </Field>
        <Field name="region" label="Region" errors={errors}>
          {(p) => (
            <select {...p} defaultValue="US" className={inputClass}>
              <option value="US">US (api.pagerduty.com)</option>
              <option value="EU">EU (api.eu.pagerduty.com)</option>
            </select>
          )}
        </Field>
        <Field name="apiBaseUrl" label="Custom API base URL (optional)" hint="For the bundled simulator or a proxy; empty: PagerDuty's API for the region." errors={errors}>
          {(p) => <input {...p} type="url" className={inputClass} placeholder="http://127.0.0.1:4500" />}
        </Field>
      </div>

      <fieldset className="space-y-3">
        <legend className="text-xs font-medium text-slate-700">Credential</legend>
        <div className="flex gap-4 text-sm">
          {(["API_KEY", "OAUTH"] as const).map((k) => (
            <label key={k} className="flex items-center gap-1">
              <input type="radio" name="credentialKind" value={k} checked={kind === k} onChange={() => setKind(k)} />
              {k === "API_KEY" ? "Account API key" : "Scoped OAuth app"}
            </label>
          ))}
        </div>
        {kind === "API_KEY" ? (
          <Field name="apiKey" label="API key" hint="Integrations → API Access Keys. A read-only key works, with write-back disabled." errors={errors}>
            {(p) => <input {...p} type="password" autoComplete="off" required className={inputClass} />}
          </Field>
        ) : (
          <div className="grid gap-4 sm:grid-cols-2">
            <Field name="oauthClientId" label="OAuth client id" errors={errors}>
              {(p) => <input {...p} autoComplete="off" required className={inputClass} />}
            </Field>
            <Field name="oauthClientSecret" label="OAuth client secret" errors={errors}>
              {(p) => <input {...p} type="password" autoComplete="off" required className={inputClass} />}
            </Field>
          </div>
        )}
      </fieldset>

      <div className="grid gap-4 sm:grid-cols-2">
        <Field name="ownerPersonId" label="Credential owner" hint="The person answerable for this credential and its rotation." errors={errors}>
          {(p) => (
            <select {...p} defaultValue={defaultOwnerId} className={inputClass}>
              {owners.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name} ({o.email})
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field name="purpose" label="Purpose" errors={errors}>
          {(p) => <input {...p} required className={inputClass} placeholder="Sync for access reviews and just-in-time access" />}
        </Field>
        <Field name="rotationPeriodDays" label="Rotation period (days)" errors={errors}>
          {(p) => <input {...p} type="number" min={1} max={730} defaultValue={90} className={inputClass} />}
        </Field>
        <Field name="syncIntervalMinutes" label="Sync every (minutes)" errors={errors}>
          {(p) => <input {...p} type="number" min={5} max={1440} defaultValue={15} className={inputClass} />}
        </Field>
      </div>

      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" disabled={pending} className="rounded-md bg-emerald-700 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-50">
          {pending ? "Checking the credential…" : "Check and save"}
        </button>
        <div data-testid="add-connection-result">
          <ResultMessage result={result} />
        </div>
      </div>
    </form>
  );
}
