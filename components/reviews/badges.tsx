/** Small labels of the review screens: risk, decision, item state, remediation, campaign status. */
import { baseRoleLabel, BASE_ROLES, teamRoleLabel } from "@/lib/pagerduty-data/roles";
import { RISK_LABELS, type ItemKind, type Risk } from "@/lib/reviews/types";

export const KIND_LABEL: Record<ItemKind, string> = { BASE_ROLE: "Base role", TEAM_MEMBER: "Team membership", SCHEDULE_MEMBER: "Schedule membership", CREDENTIAL: "Portal credential", JIT_GRANT: "Just-in-time grant" };
const BASE = new Set<string>(BASE_ROLES.map(([v]) => v));
/** A base role or a team role in PagerDuty's words. */
export const roleLabel = (role: string) => (BASE.has(role) ? baseRoleLabel(role) : teamRoleLabel(role));

const RISK_HINT: Record<Risk, string> = {
  admin_or_owner: "Holds PagerDuty's Global Admin or Account Owner role",
  team_manager: "Manages a PagerDuty team",
  no_oncall_90d: "No on-call shift in the last 90 days",
  unmatched_identity: "No portal person is linked to this PagerDuty user",
  pending_invitation: "Invited to PagerDuty, never accepted",
  drift: "Granted in PagerDuty outside the portal, with no origin",
  api_only: "A user that only acts through the API",
};

/** Labels that fit a table cell; the full label is the tooltip. */
const RISK_SHORT: Record<Risk, string> = {
  admin_or_owner: "Admin/owner",
  team_manager: "Team manager",
  no_oncall_90d: "No on-call 90d",
  unmatched_identity: "Unmatched",
  pending_invitation: "Invited",
  drift: "Drift",
  api_only: "API-only",
};

export function RiskBadge({ risk, short = false }: { risk: string; short?: boolean }) {
  const full = RISK_LABELS[risk as Risk] ?? risk.replaceAll("_", " ");
  const r = { label: short ? (RISK_SHORT[risk as Risk] ?? full) : full, hint: short ? `${full}: ${RISK_HINT[risk as Risk] ?? risk}` : (RISK_HINT[risk as Risk] ?? risk) };
  const strong = risk === "admin_or_owner" || risk === "drift" || risk === "unmatched_identity";
  return (
    <span title={r.hint} className={`whitespace-nowrap rounded-full px-1.5 py-0.5 text-[11px] font-medium ${strong ? "bg-red-50 text-red-800 ring-1 ring-inset ring-red-200" : "bg-amber-50 text-amber-800"}`}>
      {r.label}
    </span>
  );
}

export function RiskBadges({ risks, max, short = false }: { risks: string[]; max?: number; short?: boolean }) {
  if (!risks.length) return <span className="text-xs text-slate-400">—</span>;
  const shown = max ? risks.slice(0, max) : risks;
  return (
    <span className="flex flex-wrap gap-1">
      {shown.map((r) => (
        <RiskBadge key={r} risk={r} short={short} />
      ))}
      {risks.length > shown.length && <span className="text-[11px] text-slate-500" title={risks.slice(shown.length).map((r) => RISK_LABELS[r as Risk] ?? r).join(", ")}>+{risks.length - shown.length}</span>}
    </span>
  );
}

const DECISION_STYLE: Record<string, string> = {
  CERTIFY: "bg-emerald-50 text-emerald-800",
  REVOKE: "bg-red-50 text-red-800",
  MODIFY: "bg-amber-50 text-amber-800",
};
const DECISION_WORD: Record<string, string> = { CERTIFY: "Certified", REVOKE: "Revoked", MODIFY: "Modified" };

/** A decision, marked "draft" while it is not submitted. */
export function DecisionBadge({ decision, draft }: { decision: string | null; draft?: boolean }) {
  if (!decision) return <span className="text-xs text-slate-500">Undecided</span>;
  return (
    <span className={`whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ${DECISION_STYLE[decision] ?? ""} ${draft ? "border border-dashed border-current" : ""}`}>
      {DECISION_WORD[decision] ?? decision}
      {draft ? " (draft)" : ""}
    </span>
  );
}

const REMEDIATION: Record<string, [string, string]> = {
  PENDING: ["Pending", "bg-indigo-50 text-indigo-800"],
  VERIFIED: ["Verified", "bg-emerald-50 text-emerald-800"],
  FAILED: ["Failed", "bg-red-50 text-red-800"],
  MANUAL: ["Manual", "bg-slate-100 text-slate-700"],
};

/** Where a revoke or modify stands in PagerDuty; nothing for certified items. */
export function RemediationBadge({ state, error }: { state: string; error?: string | null }) {
  const r = REMEDIATION[state];
  if (!r) return null;
  return (
    <span data-testid="remediation-state" data-state={state} title={error ?? (state === "MANUAL" ? "The portal cannot make this change in PagerDuty: do it by hand" : undefined)} className={`whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ${r[1]}`}>
      {r[0]}
    </span>
  );
}

const CAMPAIGN: Record<string, string> = {
  DRAFT: "bg-slate-100 text-slate-700",
  ACTIVE: "bg-sky-50 text-sky-800",
  CLOSED: "bg-emerald-50 text-emerald-800",
};

export function CampaignStatusBadge({ status, overdue }: { status: string; overdue?: boolean }) {
  return (
    <span className="inline-flex gap-1">
      <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${CAMPAIGN[status] ?? ""}`}>{status.charAt(0) + status.slice(1).toLowerCase()}</span>
      {overdue && <span className="rounded-full bg-red-50 px-2 py-0.5 text-xs font-medium text-red-800">Overdue</span>}
    </span>
  );
}

export const utcDate = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString().slice(0, 16).replace("T", " ") + " UTC" : "—");
export const utcDay = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString().slice(0, 10) : "—");
