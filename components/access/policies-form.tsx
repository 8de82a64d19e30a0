"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useState, useTransition } from "react";
import { ResultMessage } from "@/components/connections/form-bits";
import type { PolicyRules } from "@/lib/access/policy";
import type { ActionResult } from "@/lib/auth/action";
import { BASE_ROLES, teamRoleLabel } from "@/lib/pagerduty-data/roles";
import { AccessField, buttonPrimary, CheckList, DurationField, errorsFor, FieldError, focusRing, inputClass, labelClass } from "./policies-fields";

type Errors = Record<string, string[]> | undefined;
type Person = { id: string; name: string; email: string };

export interface PolicyFormOptions {
  accounts: { id: string; name: string; synced: boolean; teams: { pdId: string; name: string }[] }[];
  groups: { id: string; name: string }[];
  /** Who may be named an approver or fallback approver (no auditors). */
  approvers: Person[];
  /** The rules a new item starts with (lib/access/policy.ts DEFAULT_RULES). */
  defaults: PolicyRules;
}

const personLabel = (p: Person) => `${p.name} (${p.email})`;

/**
 * Every rule of a policy, as controlled fields. Error keys are the server's ("rules.maxDurationMinutes",
 * "rules.deciders.0.approvers.personIds", …), shown beside the field they name.
 */
export function PolicyRulesFields({ rules, setRules, isTeam, teams, options, errors }: { rules: PolicyRules; setRules: (r: PolicyRules) => void; isTeam: boolean; teams: { pdId: string; name: string }[]; options: PolicyFormOptions; errors: Errors }) {
  const d = rules.deciders[0]!;
  const setDecider = (patch: Partial<typeof d>) => setRules({ ...rules, deciders: [{ ...d, ...patch }] });
  const setApprovers = (patch: Partial<typeof d.approvers>) => setDecider({ approvers: { ...d.approvers, ...patch } });
  const people = options.approvers.map((p) => ({ value: p.id, label: personLabel(p) }));
  const a = "rules.deciders.0.approvers";
  const uid = useId();
  return (
    <div className="space-y-4">
      <fieldset className="space-y-3 rounded-md border border-slate-200 p-3">
        <legend className="px-1 text-sm font-medium text-slate-800">Duration</legend>
        <div className="grid gap-4 sm:grid-cols-2">
          <DurationField label="Default duration" minutes={rules.defaultDurationMinutes} onChange={(m) => setRules({ ...rules, defaultDurationMinutes: m })} errors={errors} names={["rules.defaultDurationMinutes"]} testId="policy-default-duration" hint="Offered first when someone requests it." />
          <DurationField label="Maximum duration" minutes={rules.maxDurationMinutes} onChange={(m) => setRules({ ...rules, maxDurationMinutes: m })} errors={errors} names={["rules.maxDurationMinutes"]} testId="policy-max-duration" hint="Extensions never go past it (at most 30 days)." />
        </div>
      </fieldset>

      <fieldset className="space-y-3 rounded-md border border-slate-200 p-3">
        <legend className="px-1 text-sm font-medium text-slate-800">Justification</legend>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" className={focusRing} checked={rules.justification.required} onChange={(e) => setRules({ ...rules, justification: { ...rules.justification, required: e.target.checked } })} /> A reason is required
        </label>
        <AccessField names={["rules.justification.ticketPattern"]} label="Ticket reference pattern (optional)" hint="A regular expression the request's ticket must match, e.g. ^(INC|CHG)-[0-9]+$. Empty: no ticket asked." errors={errors}>
          {(p) => <input {...p} data-testid="policy-ticket-pattern" value={rules.justification.ticketPattern} maxLength={200} onChange={(e) => setRules({ ...rules, justification: { ...rules.justification, ticketPattern: e.target.value } })} className={`${inputClass} font-mono ${focusRing}`} />}
        </AccessField>
      </fieldset>

      <fieldset className="space-y-3 rounded-md border border-slate-200 p-3">
        <legend className="px-1 text-sm font-medium text-slate-800">Approvers</legend>
        <div>
          <label className={`flex items-center gap-2 text-sm ${isTeam ? "" : "text-slate-400"}`}>
            <input type="checkbox" className={focusRing} disabled={!isTeam} checked={isTeam && d.approvers.teamManagers} onChange={(e) => setApprovers({ teamManagers: e.target.checked })} data-testid="policy-team-managers" /> The team&apos;s managers in PagerDuty
          </label>
          {!isTeam && <p className="mt-1 text-xs text-slate-500">A base-role item has no team: name people or a group.</p>}
          <FieldError name={`${a}.teamManagers`} messages={errorsFor(errors, `${a}.teamManagers`, a)} />
        </div>
        <div className="grid gap-4 sm:grid-cols-2">
          <CheckList legend="Named approvers" options={people} value={d.approvers.personIds} onChange={(v) => setApprovers({ personIds: v })} errors={errors} names={[`${a}.personIds`]} testId="policy-approver-people" empty="No one to name yet." />
          <CheckList
            legend="Approver groups (any member approves)"
            options={options.groups.map((g) => ({ value: g.id, label: g.name }))}
            value={d.approvers.groupIds}
            onChange={(v) => setApprovers({ groupIds: v })}
            errors={errors}
            names={[`${a}.groupIds`]}
            testId="policy-approver-groups"
            empty="No portal group yet: create one under Portal groups below."
          />
        </div>
        <div className="grid gap-4 sm:grid-cols-2">
          <fieldset>
            <legend className={labelClass}>Approvals needed</legend>
            <div className="mt-1 flex gap-4 text-sm">
              {([1, 2] as const).map((n) => (
                <label key={n} className="flex items-center gap-1.5">
                  <input type="radio" className={focusRing} name={`${uid}-approvals`} checked={d.approvalsNeeded === n} onChange={() => setDecider({ approvalsNeeded: n, distinctGroups: n === 1 ? false : d.distinctGroups })} data-testid={`policy-approvals-${n}`} />
                  {n === 1 ? "One approver" : "Two different approvers"}
                </label>
              ))}
            </div>
            <FieldError name="rules.deciders.0.approvalsNeeded" messages={errorsFor(errors, "rules.deciders.0.approvalsNeeded")} />
          </fieldset>
          <div>
            <label className={`flex items-center gap-2 text-sm ${d.approvalsNeeded === 2 ? "" : "text-slate-400"}`}>
              <input type="checkbox" className={focusRing} disabled={d.approvalsNeeded !== 2} checked={d.distinctGroups} onChange={(e) => setDecider({ distinctGroups: e.target.checked })} /> The two approvals come from different groups
            </label>
            <FieldError name="rules.deciders.0.distinctGroups" messages={errorsFor(errors, "rules.deciders.0.distinctGroups")} />
          </div>
        </div>
        <p className="text-xs text-slate-500">Nobody approves their own request or one that would grant them something; auditors approve nothing.</p>
      </fieldset>

      <fieldset className="space-y-3 rounded-md border border-slate-200 p-3">
        <legend className="px-1 text-sm font-medium text-slate-800">Who may request</legend>
        <div className="flex flex-wrap gap-4 text-sm">
          <label className="flex items-center gap-1.5">
            <input type="radio" className={focusRing} name={`${uid}-requesters`} checked={rules.requesters.kind === "everyone"} onChange={() => setRules({ ...rules, requesters: { kind: "everyone" } })} /> Everyone with a PagerDuty user in this account
          </label>
          <label className="flex items-center gap-1.5">
            <input type="radio" className={focusRing} name={`${uid}-requesters`} checked={rules.requesters.kind === "team_members"} onChange={() => setRules({ ...rules, requesters: { kind: "team_members", teamPdIds: [] } })} data-testid="policy-requesters-teams" /> Members of these teams
          </label>
        </div>
        {rules.requesters.kind === "team_members" && (
          <CheckList
            legend="Teams whose members may request"
            options={teams.map((t) => ({ value: t.pdId, label: t.name }))}
            value={rules.requesters.teamPdIds}
            onChange={(v) => setRules({ ...rules, requesters: { kind: "team_members", teamPdIds: v } })}
            errors={errors}
            names={["rules.requesters.teamPdIds", "rules.requesters"]}
            empty="This account has no synced team."
          />
        )}
      </fieldset>

      <fieldset className="space-y-3 rounded-md border border-slate-200 p-3">
        <legend className="px-1 text-sm font-medium text-slate-800">Undecided requests</legend>
        <div className="grid gap-4 sm:grid-cols-3">
          <DurationField label="Remind approvers after" minutes={rules.remindAfterMinutes} onChange={(m) => setRules({ ...rules, remindAfterMinutes: m })} errors={errors} names={["rules.remindAfterMinutes"]} />
          <DurationField label="Escalate to fallback after" minutes={rules.escalateAfterMinutes} onChange={(m) => setRules({ ...rules, escalateAfterMinutes: m })} errors={errors} names={["rules.escalateAfterMinutes"]} />
          <DurationField label="Expire undecided after" minutes={rules.pendingTimeoutMinutes} onChange={(m) => setRules({ ...rules, pendingTimeoutMinutes: m })} errors={errors} names={["rules.pendingTimeoutMinutes"]} testId="policy-pending-timeout" />
        </div>
        <CheckList legend="Fallback approvers" hint="Unanswered requests go to them after the escalation time; at least one." options={people} value={rules.fallbackApproverIds} onChange={(v) => setRules({ ...rules, fallbackApproverIds: v })} errors={errors} names={["rules.fallbackApproverIds"]} testId="policy-fallback" empty="No one to name yet." />
      </fieldset>

      <fieldset className="space-y-3 rounded-md border border-slate-200 p-3">
        <legend className="px-1 text-sm font-medium text-slate-800">While access lasts</legend>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" className={focusRing} checked={rules.extensionNeedsApproval} onChange={(e) => setRules({ ...rules, extensionNeedsApproval: e.target.checked })} /> Extensions need approval again (unticked: granted at once, within the maximum)
        </label>
        <div className="sm:w-1/2">
          <DurationField label="Tell the requester before it ends" hint="0: no notice (at most 1 day)." allowZero minutes={rules.expiryNoticeMinutes} onChange={(m) => setRules({ ...rules, expiryNoticeMinutes: m })} errors={errors} names={["rules.expiryNoticeMinutes"]} />
        </div>
      </fieldset>
    </div>
  );
}

/** Team roles, and base roles one can be elevated to (PagerDuty has exactly one owner: never offered). */
const TEAM_ROLE_CHOICES = ["responder", "manager", "observer"] as const;
const BASE_ROLE_CHOICES = BASE_ROLES.filter(([v]) => v !== "owner");

/** Adds an item to an account's catalog with its first policy version. */
export function CatalogItemForm({ options, action }: { options: PolicyFormOptions; action: (raw: unknown) => Promise<ActionResult<{ itemId: string }>> }) {
  const router = useRouter();
  const synced = options.accounts.filter((a) => a.synced);
  const [pending, start] = useTransition();
  const [result, setResult] = useState<ActionResult<{ itemId: string }> | null>(null);
  const [connectionId, setConnectionId] = useState(synced.length === 1 ? synced[0]!.id : "");
  const [kind, setKind] = useState<"TEAM_ROLE" | "BASE_ROLE">("TEAM_ROLE");
  const [teamPdId, setTeamPdId] = useState("");
  const [role, setRole] = useState<string>("responder");
  const [fromRoles, setFromRoles] = useState<string[]>([]);
  const [rules, setRules] = useState<PolicyRules>(options.defaults);
  const errors = result && !result.ok ? result.fieldErrors : undefined;
  const teams = options.accounts.find((a) => a.id === connectionId)?.teams ?? [];
  const isTeam = kind === "TEAM_ROLE";
  const kindName = useId();

  if (synced.length === 0) {
    return (
      <p className="rounded-md border border-amber-200 bg-amber-50 p-4 text-sm text-amber-900" data-testid="catalog-form-unavailable">
        Items are chosen from a synced account&apos;s teams and roles, and no PagerDuty account has finished its first sync yet.{" "}
        <Link href="/admin/connections" className={`font-medium underline ${focusRing}`}>
          Connect or sync an account
        </Link>{" "}
        first.
      </p>
    );
  }

  return (
    <form
      aria-label="Add a catalog item"
      data-testid="catalog-item-form"
      className="space-y-5 rounded-lg border border-slate-200 bg-white p-5"
      onSubmit={(e) => {
        e.preventDefault();
        const formEl = e.currentTarget;
        const form = new FormData(formEl);
        const reason = String(form.get("reason") ?? "").trim();
        const input = {
          connectionId,
          kind,
          ...(isTeam && teamPdId ? { teamPdId } : {}),
          role,
          fromRoles: isTeam ? [] : fromRoles,
          name: String(form.get("name") ?? ""),
          description: String(form.get("description") ?? ""),
          rules: isTeam ? rules : { ...rules, deciders: [{ ...rules.deciders[0]!, approvers: { ...rules.deciders[0]!.approvers, teamManagers: false } }] },
          ...(reason ? { reason } : {}),
        };
        start(async () => {
          const r = await action(input);
          setResult(r);
          if (r.ok) {
            formEl.reset();
            setRules(options.defaults);
            setTeamPdId("");
            setFromRoles([]);
            router.refresh();
          }
        });
      }}
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <AccessField names={["connectionId"]} label="PagerDuty account" errors={errors}>
          {(p) => (
            <select {...p} required value={connectionId} onChange={(e) => setConnectionId(e.target.value)} data-testid="item-connection" className={`${inputClass} ${focusRing}`}>
              <option value="" disabled>
                Choose an account…
              </option>
              {synced.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          )}
        </AccessField>
        <fieldset>
          <legend className={labelClass}>What it grants</legend>
          <div className="mt-2 flex flex-wrap gap-4 text-sm">
            <label className="flex items-center gap-1.5">
              <input
                type="radio"
                name={kindName}
                className={focusRing}
                checked={isTeam}
                onChange={() => {
                  setKind("TEAM_ROLE");
                  setRole("responder");
                }}
                data-testid="item-kind-team"
              />
              Membership of a team, with a team role
            </label>
            <label className="flex items-center gap-1.5">
              <input
                type="radio"
                name={kindName}
                className={focusRing}
                checked={!isTeam}
                onChange={() => {
                  setKind("BASE_ROLE");
                  setRole("user");
                }}
                data-testid="item-kind-base"
              />
              A base-role elevation
            </label>
          </div>
        </fieldset>
      </div>

      <div className="grid gap-4 sm:grid-cols-2">
        {isTeam ? (
          <AccessField names={["teamPdId"]} label="Team" errors={errors}>
            {(p) => (
              <select {...p} required value={teamPdId} onChange={(e) => setTeamPdId(e.target.value)} data-testid="item-team" className={`${inputClass} ${focusRing}`}>
                <option value="" disabled>
                  {connectionId ? (teams.length ? "Choose a team…" : "No synced team in this account") : "Choose an account first"}
                </option>
                {teams.map((t) => (
                  <option key={t.pdId} value={t.pdId}>
                    {t.name}
                  </option>
                ))}
              </select>
            )}
          </AccessField>
        ) : (
          <CheckList
            legend="From base roles (none ticked: any lower role)"
            options={BASE_ROLE_CHOICES.filter(([v]) => v !== role).map(([v, label]) => ({ value: v, label }))}
            value={fromRoles}
            onChange={setFromRoles}
            errors={errors}
            names={["fromRoles"]}
            testId="item-from-roles"
          />
        )}
        <AccessField names={["role"]} label={isTeam ? "Team role" : "Base role granted"} errors={errors}>
          {(p) => (
            <select {...p} value={role} onChange={(e) => setRole(e.target.value)} data-testid="item-role" className={`${inputClass} ${focusRing}`}>
              {isTeam
                ? TEAM_ROLE_CHOICES.map((r) => (
                    <option key={r} value={r}>
                      {teamRoleLabel(r)}
                    </option>
                  ))
                : BASE_ROLE_CHOICES.map(([v, label]) => (
                    <option key={v} value={v}>
                      {label} ({v})
                    </option>
                  ))}
            </select>
          )}
        </AccessField>
      </div>

      <div className="grid gap-4 sm:grid-cols-2">
        <AccessField names={["name"]} label="Name (what requesters see)" errors={errors}>
          {(p) => <input {...p} name="name" required maxLength={120} data-testid="item-name" placeholder="Platform on-call manager" className={`${inputClass} ${focusRing}`} />}
        </AccessField>
        <AccessField names={["reason"]} label="Why it is offered (optional, kept in its history)" errors={errors}>
          {(p) => <input {...p} name="reason" maxLength={500} data-testid="item-reason" className={`${inputClass} ${focusRing}`} />}
        </AccessField>
      </div>
      <AccessField names={["description"]} label="Description (optional)" errors={errors}>
        {(p) => <textarea {...p} name="description" rows={2} maxLength={1000} data-testid="item-description" className={`${inputClass} ${focusRing}`} />}
      </AccessField>

      <PolicyRulesFields rules={rules} setRules={setRules} isTeam={isTeam} teams={teams} options={options} errors={errors} />

      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" disabled={pending} data-testid="item-create" className={buttonPrimary}>
          {pending ? "Adding…" : "Add to the catalog"}
        </button>
        <ResultMessage result={result} />
      </div>
    </form>
  );
}

/** Edits an item's policy: saved as a new version with a reason; refused if someone saved another version meanwhile. */
export function EditPolicyForm({ itemId, baseVersion, initial, isTeam, teams, options, action }: { itemId: string; baseVersion: number; initial: PolicyRules; isTeam: boolean; teams: { pdId: string; name: string }[]; options: PolicyFormOptions; action: (raw: unknown) => Promise<ActionResult<{ version: number }>> }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [result, setResult] = useState<ActionResult<{ version: number }> | null>(null);
  const [rules, setRules] = useState<PolicyRules>(initial);
  const errors = result && !result.ok ? result.fieldErrors : undefined;
  return (
    <form
      aria-label="Edit the policy"
      data-testid={`edit-policy-${itemId}`}
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        const formEl = e.currentTarget;
        const reason = String(new FormData(formEl).get("reason") ?? "");
        start(async () => {
          const r = await action({ itemId, baseVersion, rules, reason });
          setResult(r);
          if (r.ok) {
            formEl.reset();
            router.refresh();
          }
        });
      }}
    >
      <p className="text-xs text-slate-500">Saving creates version {baseVersion + 1}. Requests already made keep the version they were made under.</p>
      <PolicyRulesFields rules={rules} setRules={setRules} isTeam={isTeam} teams={teams} options={options} errors={errors} />
      <AccessField names={["reason"]} label="Why the policy changes (required, kept in its history)" errors={errors}>
        {(p) => <textarea {...p} name="reason" rows={2} maxLength={500} data-testid="policy-reason" className={`${inputClass} ${focusRing}`} />}
      </AccessField>
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" disabled={pending} data-testid="policy-save" className={buttonPrimary}>
          {pending ? "Saving…" : `Save as version ${baseVersion + 1}`}
        </button>
        <ResultMessage result={result} />
      </div>
    </form>
  );
}
