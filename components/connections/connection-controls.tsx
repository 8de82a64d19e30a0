"use client";

import { useState, useTransition } from "react";
import type { ConnectionActionResult } from "@/app/(portal)/admin/connections/actions";
import type { ActionResult } from "@/lib/auth/action";
import { defaultApiBaseUrl, INSTANCE_URL_HINT, parseInstanceUrl } from "@/lib/connections/instance";
import { EndpointPreview } from "./endpoint-preview";
import { Field, inputClass, ResultMessage, text, whole } from "./form-bits";
import { SYNC_REQUESTED_EVENT } from "./sync-progress";

type Action<R = ConnectionActionResult> = (raw: unknown) => Promise<R>;

export interface ControlledConnection {
  id: string;
  name: string;
  subdomain: string;
  region: "US" | "EU";
  apiBaseUrl: string;
  oauthTokenUrl: string | null;
  instanceUrl: string;
  status: "ACTIVE" | "DISABLED" | "REMOVED";
  credentialKind: "API_KEY" | "OAUTH";
  oauthClientId: string | null;
  ownerPersonId: string;
  purpose: string;
  rotationPeriodDays: number;
  syncIntervalMinutes: number;
}

export interface ConnectionActions {
  update: Action;
  disable: Action;
  enable: Action;
  remove: Action;
  rotate: Action;
  check: Action;
  syncNow?: Action<ActionResult<unknown>>;
}

const button = "rounded-md border border-slate-300 bg-white px-2.5 py-1 text-xs font-medium text-slate-800 hover:bg-slate-50 disabled:opacity-40";
const primary = "rounded-md bg-emerald-700 px-2.5 py-1 text-xs font-medium text-white disabled:opacity-50";

type Mode = "idle" | "edit" | "rotate" | "remove";

const customApiOf = (c: Pick<ControlledConnection, "region" | "apiBaseUrl">): string | null => (c.apiBaseUrl !== defaultApiBaseUrl(c.region) ? c.apiBaseUrl : null);

/** The address fields of the edit form that differ from the connection (empty custom fields: back to the derived default). */
function addressChanges(c: ControlledConnection, f: FormData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const typed = text(f, "instanceUrl");
  if (typed !== undefined) {
    const parsed = parseInstanceUrl(typed);
    // Unparseable: sent as typed, for the server to refuse with its message.
    if ("error" in parsed || parsed.subdomain !== c.subdomain || parsed.region !== c.region) out.instanceUrl = typed;
  }
  const api = text(f, "apiBaseUrl")?.trim().replace(/\/+$/, "") ?? null;
  if (api !== customApiOf(c)) out.apiBaseUrl = api;
  if (c.credentialKind === "OAUTH") {
    const token = text(f, "oauthTokenUrl")?.trim() ?? null;
    if (token !== c.oauthTokenUrl) out.oauthTokenUrl = token;
  }
  return out;
}

/** Check now, Sync now, edit, rotate, disable/enable, remove — every one through its server action. */
export function ConnectionControls({ connection: c, actions, owners }: { connection: ControlledConnection; actions: ConnectionActions; owners: { id: string; name: string }[] }) {
  const [mode, setMode] = useState<Mode>("idle");
  const [pending, start] = useTransition();
  const [result, setResult] = useState<ActionResult<unknown> | null>(null);
  const run = (action: Action<ActionResult<unknown>>, input: unknown, after?: () => void) =>
    start(async () => {
      const r = await action(input);
      setResult(r);
      if (r.ok) after?.();
    });
  const errors = result && !result.ok ? result.fieldErrors : undefined;
  const [instance, setInstance] = useState(c.instanceUrl);
  const [customApi, setCustomApi] = useState(customApiOf(c) ?? "");
  const [customToken, setCustomToken] = useState(c.oauthTokenUrl ?? "");
  const secretField = c.credentialKind === "API_KEY" ? "apiKey" : "oauthClientSecret";
  const live = c.status !== "REMOVED";
  if (!live) return null;

  return (
    <div className="space-y-3" data-testid={`controls-${c.name}`}>
      <div className="flex flex-wrap gap-2">
        {actions.syncNow && c.status === "ACTIVE" && (
          <button type="button" className={primary} disabled={pending} onClick={() => run(actions.syncNow!, { connectionId: c.id }, () => window.dispatchEvent(new Event(SYNC_REQUESTED_EVENT)))}>
            Sync now
          </button>
        )}
        <button type="button" className={button} disabled={pending} onClick={() => run(actions.check, { connectionId: c.id })}>
          Check now
        </button>
        <button type="button" className={button} aria-expanded={mode === "edit"} onClick={() => setMode(mode === "edit" ? "idle" : "edit")}>
          Edit…
        </button>
        <button type="button" className={button} aria-expanded={mode === "rotate"} onClick={() => setMode(mode === "rotate" ? "idle" : "rotate")}>
          Rotate credential…
        </button>
        {c.status === "ACTIVE" ? (
          <button type="button" className={button} disabled={pending} onClick={() => run(actions.disable, { connectionId: c.id })}>
            Disable
          </button>
        ) : (
          <button type="button" className={button} disabled={pending} onClick={() => run(actions.enable, { connectionId: c.id })}>
            Enable
          </button>
        )}
        <button type="button" className={`${button} border-red-300 text-red-700`} aria-expanded={mode === "remove"} onClick={() => setMode(mode === "remove" ? "idle" : "remove")}>
          Remove…
        </button>
      </div>

      {mode === "edit" && (
        <form
          aria-label={`Edit ${c.name}`}
          className="grid gap-3 rounded-md border border-slate-200 bg-slate-50 p-3 sm:grid-cols-2"
          onSubmit={(e) => {
            e.preventDefault();
            const f = new FormData(e.currentTarget);
            const next: Record<string, unknown> = {
              name: text(f, "name"),
              ownerPersonId: text(f, "ownerPersonId"),
              purpose: text(f, "purpose"),
              rotationPeriodDays: whole(f, "rotationPeriodDays"),
              syncIntervalMinutes: whole(f, "syncIntervalMinutes"),
            };
            // Only what changed.
            const changed: Record<string, unknown> = Object.fromEntries(Object.entries(next).filter(([k, v]) => v !== undefined && v !== (c as unknown as Record<string, unknown>)[k]));
            const address = addressChanges(c, f);
            Object.assign(changed, address);
            // A new address goes with the secret entered again (a stored one never follows an address change).
            const secret = text(f, secretField);
            if (Object.keys(address).length > 0 && secret !== undefined) changed[secretField] = secret;
            run(actions.update, { connectionId: c.id, ...changed }, () => setMode("idle"));
          }}
        >
          <Field name="name" label="Name" errors={errors}>{(p) => <input {...p} defaultValue={c.name} className={inputClass} />}</Field>
          <Field name="instanceUrl" label="PagerDuty instance URL" hint={INSTANCE_URL_HINT} errors={errors}>
            {(p) => <input {...p} value={instance} onChange={(e) => setInstance(e.target.value)} className={inputClass} />}
          </Field>
          <Field name="apiBaseUrl" label="Advanced: custom API base URL (allow-listed hosts only; empty: PagerDuty's)" errors={errors}>
            {(p) => <input {...p} value={customApi} onChange={(e) => setCustomApi(e.target.value)} className={inputClass} />}
          </Field>
          {c.credentialKind === "OAUTH" && (
            <Field name="oauthTokenUrl" label="Advanced: custom OAuth token URL (empty: the default)" errors={errors}>
              {(p) => <input {...p} value={customToken} onChange={(e) => setCustomToken(e.target.value)} className={inputClass} />}
            </Field>
          )}
          <div className="sm:col-span-2">
            <EndpointPreview instance={instance} apiBaseUrl={customApi} oauthTokenUrl={customToken} showToken={c.credentialKind === "OAUTH"} />
          </div>
          <Field
            name={secretField}
            label={c.credentialKind === "API_KEY" ? "API key (only to change the address)" : "OAuth client secret (only to change the address)"}
            hint="Changing the instance URL or a custom endpoint needs the credential entered again: a stored credential is never sent to an address it was not entered for."
            errors={errors}
          >
            {(p) => <input {...p} type="password" autoComplete="off" className={inputClass} />}
          </Field>
          <Field name="ownerPersonId" label="Credential owner" errors={errors}>
            {(p) => (
              <select {...p} defaultValue={c.ownerPersonId} className={inputClass}>
                {owners.map((o) => (
                  <option key={o.id} value={o.id}>{o.name}</option>
                ))}
              </select>
            )}
          </Field>
          <Field name="purpose" label="Purpose" errors={errors}>{(p) => <input {...p} defaultValue={c.purpose} className={inputClass} />}</Field>
          <Field name="rotationPeriodDays" label="Rotation period (days)" errors={errors}>{(p) => <input {...p} type="number" defaultValue={c.rotationPeriodDays} className={inputClass} />}</Field>
          <Field name="syncIntervalMinutes" label="Sync every (minutes)" errors={errors}>{(p) => <input {...p} type="number" defaultValue={c.syncIntervalMinutes} className={inputClass} />}</Field>
          <div className="flex gap-2 sm:col-span-2">
            <button type="submit" disabled={pending} className={primary}>{pending ? "Saving…" : "Save"}</button>
            <button type="button" className={button} onClick={() => setMode("idle")}>Cancel</button>
          </div>
        </form>
      )}

      {mode === "rotate" && (
        <form
          aria-label={`Rotate the credential of ${c.name}`}
          className="space-y-3 rounded-md border border-slate-200 bg-slate-50 p-3"
          onSubmit={(e) => {
            e.preventDefault();
            const f = new FormData(e.currentTarget);
            const input = c.credentialKind === "API_KEY" ? { connectionId: c.id, apiKey: text(f, "apiKey") } : { connectionId: c.id, oauthClientSecret: text(f, "oauthClientSecret"), ...(text(f, "oauthClientId") ? { oauthClientId: text(f, "oauthClientId") } : {}) };
            run(actions.rotate, input, () => setMode("idle"));
          }}
        >
          <p className="text-xs text-slate-600">The new credential is checked by PagerDuty before it replaces the old one; if it is refused, nothing changes.</p>
          {c.credentialKind === "API_KEY" ? (
            <Field name="apiKey" label="New API key" errors={errors}>{(p) => <input {...p} type="password" autoComplete="off" required className={inputClass} />}</Field>
          ) : (
            <>
              <Field name="oauthClientId" label="OAuth client id (if it changed)" errors={errors}>{(p) => <input {...p} defaultValue={c.oauthClientId ?? ""} className={inputClass} />}</Field>
              <Field name="oauthClientSecret" label="New OAuth client secret" errors={errors}>{(p) => <input {...p} type="password" autoComplete="off" required className={inputClass} />}</Field>
            </>
          )}
          <div className="flex gap-2">
            <button type="submit" disabled={pending} className={primary}>{pending ? "Checking…" : "Check and rotate"}</button>
            <button type="button" className={button} onClick={() => setMode("idle")}>Cancel</button>
          </div>
        </form>
      )}

      {mode === "remove" && (
        <form
          aria-label={`Remove ${c.name}`}
          className="space-y-3 rounded-md border border-red-200 bg-red-50 p-3"
          onSubmit={(e) => {
            e.preventDefault();
            const f = new FormData(e.currentTarget);
            run(actions.remove, { connectionId: c.id, confirmName: text(f, "confirmName") ?? "", ...(text(f, "reason") ? { reason: text(f, "reason") } : {}) }, () => setMode("idle"));
          }}
        >
          <p className="text-xs text-red-800">The stored credential is destroyed and syncs stop; the history is kept. Revoke the key in PagerDuty too.</p>
          <Field name="confirmName" label={`Type "${c.name}" to confirm`} errors={errors}>{(p) => <input {...p} required className={inputClass} />}</Field>
          <Field name="reason" label="Reason (optional, recorded in the audit trail)" errors={errors}>{(p) => <input {...p} className={inputClass} />}</Field>
          <div className="flex gap-2">
            <button type="submit" disabled={pending} className="rounded-md bg-red-700 px-2.5 py-1 text-xs font-medium text-white disabled:opacity-50">Remove</button>
            <button type="button" className={button} onClick={() => setMode("idle")}>Cancel</button>
          </div>
        </form>
      )}
      <div aria-live="polite">
        <ResultMessage result={result} />
      </div>
    </div>
  );
}
