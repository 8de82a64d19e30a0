"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Field, inputClass, labelClass, ResultMessage } from "@/components/connections/form-bits";
import type { ActionResult } from "@/lib/auth/action";
import { BASE_ROLES, teamRoleLabel } from "@/lib/pagerduty-data/roles";
import { ITEM_KINDS, type ItemKind, type ReviewerPolicyKind } from "@/lib/reviews/types";
import { KIND_LABEL } from "./badges";

export interface CampaignFormOptions {
  connections: { id: string; name: string; teams: { pdId: string; name: string }[] }[];
  people: { id: string; name: string; email: string }[];
}

const POLICY_LABEL: Record<ReviewerPolicyKind, string> = {
  team_managers: "The team's managers in PagerDuty (team memberships)",
  owners: "The named owners of the team or role",
  manager: "The person's manager (from the identity source)",
  people: "Named people",
};
const RECURRENCE: [string, string][] = [
  ["", "Once"],
  ["1", "Monthly"],
  ["3", "Quarterly"],
  ["6", "Every six months"],
  ["12", "Yearly"],
];
// "observer" is both a base role and a team role: one checkbox covers both.
const TEAM_ROLES = ["manager", "responder"];

function StepFields({ n, people, kind, setKind, chosen, setChosen, errors }: { n: 1 | 2; people: CampaignFormOptions["people"]; kind: ReviewerPolicyKind; setKind: (k: ReviewerPolicyKind) => void; chosen: string[]; setChosen: (ids: string[]) => void; errors?: Record<string, string[]> }) {
  const base = `policy.steps.${n - 1}`;
  return (
    <fieldset className="space-y-2 rounded-md border border-slate-200 p-3">
      <legend className="px-1 text-sm font-medium text-slate-800">{n === 1 ? "Step 1: who reviews" : "Step 2: a second, different reviewer"}</legend>
      <Field name={`${base}.kind`} label="Reviewer policy" errors={errors}>
        {(p) => (
          <select {...p} data-testid={`step${n}-kind`} value={kind} onChange={(e) => setKind(e.target.value as ReviewerPolicyKind)} className={inputClass}>
            {(Object.keys(POLICY_LABEL) as ReviewerPolicyKind[]).map((k) => (
              <option key={k} value={k}>{POLICY_LABEL[k]}</option>
            ))}
          </select>
        )}
      </Field>
      {kind === "people" && (
        <Field name={`${base}.personIds`} label="Reviewers (the first who is not the person under review gets the item)" errors={errors}>
          {(p) => (
            <select {...p} multiple data-testid={`step${n}-people`} value={chosen} onChange={(e) => setChosen([...e.target.selectedOptions].map((o) => o.value))} className={`${inputClass} h-28`}>
              {people.map((x) => (
                <option key={x.id} value={x.id}>{x.name} ({x.email})</option>
              ))}
            </select>
          )}
        </Field>
      )}
      {kind === "owners" && (
        <p className="text-xs text-slate-500">
          Owners are named on the{" "}
          <Link href="/admin/campaigns/owners" className="underline">
            Review owners
          </Link>{" "}
          page.
        </p>
      )}
      {n === 1 && kind !== "people" && <p className="text-xs text-slate-500">Items the policy finds no reviewer for, and anyone&apos;s own access, go to the fallback reviewer.</p>}
    </fieldset>
  );
}

/** Defines a campaign (a draft: nothing is frozen until it is launched). */
export function CampaignForm({ options, action }: { options: CampaignFormOptions; action: (raw: unknown) => Promise<ActionResult<{ campaignId: string }>> }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [result, setResult] = useState<ActionResult<{ campaignId: string }> | null>(null);
  const [connections, setConnections] = useState<string[]>(options.connections.length === 1 ? [options.connections[0]!.id] : []);
  const [kinds, setKinds] = useState<ItemKind[]>(["BASE_ROLE", "TEAM_MEMBER"]);
  const [teams, setTeams] = useState<string[]>([]);
  const [roles, setRoles] = useState<string[]>([]);
  const [step1, setStep1] = useState<ReviewerPolicyKind>("team_managers");
  const [people1, setPeople1] = useState<string[]>([]);
  const [second, setSecond] = useState(false);
  const [step2, setStep2] = useState<ReviewerPolicyKind>("people");
  const [people2, setPeople2] = useState<string[]>([]);
  const errors = result && !result.ok ? result.fieldErrors : undefined;
  const teamChoices = options.connections.filter((c) => connections.includes(c.id)).flatMap((c) => c.teams.map((t) => ({ ...t, label: options.connections.length > 1 ? `${t.name} (${c.name})` : t.name })));
  const toggle = <T,>(list: T[], v: T) => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);

  return (
    <form
      aria-label="New review campaign"
      data-testid="campaign-form"
      className="space-y-5 rounded-lg border border-slate-200 bg-white p-5"
      onSubmit={(e) => {
        e.preventDefault();
        const form = new FormData(e.currentTarget);
        const due = String(form.get("dueAt") ?? "");
        const recurrence = String(form.get("recurrence") ?? "");
        const step = (kind: ReviewerPolicyKind, ids: string[]) => (kind === "people" ? { kind, personIds: ids } : { kind });
        const input = {
          name: String(form.get("name") ?? ""),
          description: String(form.get("description") ?? ""),
          connectionIds: connections,
          scope: { kinds, ...(teams.length ? { teamPdIds: teams } : {}), ...(roles.length ? { roles } : {}), ...(form.get("onlyDrift") ? { onlyDrift: true } : {}) },
          policy: { steps: second ? [step(step1, people1), step(step2, people2)] : [step(step1, people1)] },
          fallbackReviewerId: String(form.get("fallbackReviewerId") ?? ""),
          justifyHighRisk: Boolean(form.get("justifyHighRisk")),
          // The end of the chosen day, UTC.
          dueAt: due ? `${due}T23:59:59.000Z` : "",
          recurrenceMonths: recurrence ? Number(recurrence) : null,
        };
        start(async () => {
          const r = await action(input);
          setResult(r);
          if (r.ok) router.push(`/admin/campaigns/${r.data.campaignId}`);
        });
      }}
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <Field name="name" label="Name" errors={errors}>
          {(p) => <input {...p} required minLength={3} maxLength={120} data-testid="campaign-name" placeholder="Q4 PagerDuty access review" className={inputClass} />}
        </Field>
        <Field name="dueAt" label="Due date" hint="Reminders go out before it; overdue items move to the fallback reviewer after it." errors={errors}>
          {(p) => <input {...p} type="date" required data-testid="campaign-due" className={inputClass} />}
        </Field>
      </div>
      <Field name="description" label="Description (optional)" errors={errors}>
        {(p) => <textarea {...p} rows={2} maxLength={2000} className={inputClass} />}
      </Field>

      <fieldset className="space-y-2">
        <legend className={labelClass}>PagerDuty accounts</legend>
        {options.connections.length === 0 && <p className="text-sm text-amber-800">No PagerDuty account is connected yet: add one on the Connections page first.</p>}
        <div className="flex flex-wrap gap-3">
          {options.connections.map((c) => (
            <label key={c.id} className="flex items-center gap-1.5 text-sm">
              <input type="checkbox" checked={connections.includes(c.id)} onChange={() => setConnections(toggle(connections, c.id))} data-testid={`campaign-connection-${c.id}`} />
              {c.name}
            </label>
          ))}
        </div>
        {errors?.connectionIds && <p className="text-xs text-red-700">{errors.connectionIds.join(" ")}</p>}
      </fieldset>

      <fieldset className="space-y-3 rounded-md border border-slate-200 p-3">
        <legend className="px-1 text-sm font-medium text-slate-800">Scope</legend>
        <div>
          <p className={labelClass}>Entitlements to review</p>
          <div className="mt-1 flex flex-wrap gap-3">
            {ITEM_KINDS.map((k) => (
              <label key={k} className="flex items-center gap-1.5 text-sm">
                <input type="checkbox" checked={kinds.includes(k)} onChange={() => setKinds(toggle(kinds, k))} data-testid={`campaign-kind-${k}`} />
                {KIND_LABEL[k]}
              </label>
            ))}
          </div>
          {kinds.includes("JIT_GRANT") && (
            <p className="mt-1 text-xs text-slate-500" data-testid="campaign-jit-hint">
              Just-in-time grants live during the period: since the previous occurrence&apos;s launch, or the last 90 days for a first campaign. Whoever approved a grant never reviews it.
            </p>
          )}
          {errors?.["scope.kinds"] && <p className="text-xs text-red-700">{errors["scope.kinds"].join(" ")}</p>}
        </div>
        <div className="grid gap-3 sm:grid-cols-2">
          <div>
            <label htmlFor="campaign-teams" className={labelClass}>Only these teams (none chosen: every team)</label>
            <select id="campaign-teams" multiple value={teams} onChange={(e) => setTeams([...e.target.selectedOptions].map((o) => o.value))} className={`${inputClass} h-28`} data-testid="campaign-teams">
              {teamChoices.map((t) => (
                <option key={t.pdId} value={t.pdId}>{t.label}</option>
              ))}
            </select>
          </div>
          <fieldset>
            <legend className={labelClass}>Only these roles (none: every role)</legend>
            <div className="mt-1 grid grid-cols-2 gap-x-3 gap-y-1">
              {[...BASE_ROLES.map(([v, label]) => [v, v === "observer" ? "Observer (base or team role)" : label] as const), ...TEAM_ROLES.map((r) => [r, `Team ${teamRoleLabel(r).toLowerCase()}`] as const)].map(([v, label]) => (
                <label key={v} className="flex items-center gap-1.5 text-xs">
                  <input type="checkbox" checked={roles.includes(v)} onChange={() => setRoles(toggle(roles, v))} />
                  {label}
                </label>
              ))}
            </div>
          </fieldset>
        </div>
        <label className="flex items-center gap-1.5 text-sm">
          <input type="checkbox" name="onlyDrift" /> Only access that came from drift (granted outside the portal)
        </label>
      </fieldset>

      <StepFields n={1} people={options.people} kind={step1} setKind={setStep1} chosen={people1} setChosen={setPeople1} errors={errors} />
      <label className="flex items-center gap-1.5 text-sm">
        <input type="checkbox" checked={second} onChange={() => setSecond(!second)} data-testid="campaign-second-step" /> Add a second step (decided by a different person)
      </label>
      {second && <StepFields n={2} people={options.people} kind={step2} setKind={setStep2} chosen={people2} setChosen={setPeople2} errors={errors} />}

      <div className="grid gap-4 sm:grid-cols-2">
        <Field name="fallbackReviewerId" label="Fallback reviewer" hint="Gets items nobody else may review (including reviewers' own access) and overdue items." errors={errors}>
          {(p) => (
            <select {...p} required defaultValue="" data-testid="campaign-fallback" className={inputClass}>
              <option value="" disabled>Choose a person…</option>
              {options.people.map((x) => (
                <option key={x.id} value={x.id}>{x.name} ({x.email})</option>
              ))}
            </select>
          )}
        </Field>
        <Field name="recurrenceMonths" label="Recurrence" hint="When this campaign closes, the next one is created with the same settings." errors={errors}>
          {(p) => (
            <select {...p} name="recurrence" defaultValue="" className={inputClass}>
              {RECURRENCE.map(([v, label]) => (
                <option key={v} value={v}>{label}</option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <label className="flex items-center gap-1.5 text-sm">
        <input type="checkbox" name="justifyHighRisk" /> Certifying a high-risk item needs a justification too
      </label>

      <div className="flex items-center gap-3">
        <button type="submit" disabled={pending} data-testid="campaign-create" className="rounded-md bg-emerald-700 px-4 py-2 text-sm font-medium text-white hover:bg-emerald-800 disabled:opacity-50">
          {pending ? "Creating…" : "Create draft campaign"}
        </button>
        <span className="text-xs text-slate-500">Nothing is frozen or sent to reviewers until you launch it.</span>
      </div>
      <ResultMessage result={result} />
    </form>
  );
}
