"use client";

import { startTransition, useActionState, useEffect, useRef, useState } from "react";
import { INSTANCE_URL_HINT } from "@/lib/connections/instance";
import type { ConnectionActionResult } from "@/app/(portal)/admin/connections/actions";
import { EndpointPreview } from "./endpoint-preview";
import { Field, inputClass, ResultMessage, text, whole } from "./form-bits";

type Create = (raw: unknown) => Promise<ConnectionActionResult>;

/** The create input from the form: only the chosen credential kind's fields are sent. */
function toInput(form: FormData) {
  const kind = form.get("credentialKind") === "OAUTH" ? "OAUTH" : "API_KEY";
  const common = {
    name: text(form, "name"),
    instanceUrl: text(form, "instanceUrl"),
    apiBaseUrl: text(form, "apiBaseUrl"),
    oauthTokenUrl: kind === "OAUTH" ? text(form, "oauthTokenUrl") : undefined,
    ownerPersonId: text(form, "ownerPersonId"),
    purpose: text(form, "purpose"),
    rotationPeriodDays: whole(form, "rotationPeriodDays"),
    syncIntervalMinutes: whole(form, "syncIntervalMinutes"),
  };
  const input = kind === "API_KEY" ? { ...common, credentialKind: kind, apiKey: text(form, "apiKey") } : { ...common, credentialKind: kind, oauthClientId: text(form, "oauthClientId"), oauthClientSecret: text(form, "oauthClientSecret") };
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
}

/**
 * Add a PagerDuty account. The admin gives the instance URL; the API and OAuth addresses are derived from it
 * and shown as they type. A custom endpoint (proxy, simulator) is accepted only for hosts the operator
 * allow-listed. The credential is checked by PagerDuty before anything is saved.
 */
export function AddConnectionForm({ create, owners, defaultOwnerId, allowedHosts }: { create: Create; owners: { id: string; name: string; email: string }[]; defaultOwnerId: string; allowedHosts: string[] }) {
  const [kind, setKind] = useState<"API_KEY" | "OAUTH">("API_KEY");
  const [instance, setInstance] = useState("");
  const [customApi, setCustomApi] = useState("");
  const [customToken, setCustomToken] = useState("");
  const [result, submit, pending] = useActionState<ConnectionActionResult | null, FormData>(async (_prev, form) => {
    const outcome = await create(toInput(form));
    if (outcome.ok) {
      setInstance("");
      setCustomApi("");
      setCustomToken("");
    }
    return outcome;
  }, null);
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
        <Field name="instanceUrl" label="PagerDuty instance URL (or subdomain)" hint={INSTANCE_URL_HINT} errors={errors}>
          {(p) => <input {...p} required className={inputClass} placeholder="https://acme.pagerduty.com" value={instance} onChange={(e) => setInstance(e.target.value)} />}
        </Field>
      </div>
      <EndpointPreview instance={instance} apiBaseUrl={customApi} oauthTokenUrl={kind === "OAUTH" ? customToken : ""} showToken={kind === "OAUTH"} />

      <fieldset className="space-y-3 rounded-md border border-slate-200 p-3">
        <legend className="px-1 text-xs font-medium text-slate-700">Advanced: custom endpoint</legend>
        <p className="text-xs text-slate-500">
          Only for a proxy in front of PagerDuty, or the bundled simulator, that the operator has allow-listed (PAGERDUTY_ALLOWED_HOSTS). Any other address is refused before the credential is sent.{" "}
          {allowedHosts.length > 0 ? `Allow-listed here: ${allowedHosts.join(", ")}.` : "Nothing is allow-listed on this portal."}
        </p>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field name="apiBaseUrl" label="Custom API base URL (optional)" hint="Empty: PagerDuty's API for the instance's region." errors={errors}>
            {(p) => <input {...p} type="url" className={inputClass} placeholder="http://127.0.0.1:4010" value={customApi} onChange={(e) => setCustomApi(e.target.value)} />}
          </Field>
          {kind === "OAUTH" && (
            <Field name="oauthTokenUrl" label="Custom OAuth token URL (optional)" hint="Empty: PagerDuty's identity endpoint, or the custom API's /oauth/token." errors={errors}>
              {(p) => <input {...p} type="url" className={inputClass} value={customToken} onChange={(e) => setCustomToken(e.target.value)} />}
            </Field>
          )}
        </div>
      </fieldset>

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
