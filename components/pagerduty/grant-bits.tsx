import Link from "next/link";
import type { GrantView } from "@/lib/pagerduty-data/grants";
import { baseRoleLabel, teamRoleLabel } from "@/lib/pagerduty-data/roles";
import { pdHref } from "./frame";

export const utc = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace("T", " ") + " UTC" : "—");

const ORIGIN_STYLE: Record<GrantView["origin"], string> = {
  BASELINE: "bg-slate-100 text-slate-700",
  DRIFT: "bg-red-50 text-red-800 ring-1 ring-inset ring-red-200",
  POLICY: "bg-sky-50 text-sky-800",
  REQUEST: "bg-violet-50 text-violet-800",
  REVIEW: "bg-emerald-50 text-emerald-800",
};

export function OriginBadge({ origin }: { origin: GrantView["origin"] }) {
  return <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${ORIGIN_STYLE[origin]}`}>{origin === "DRIFT" ? "Drift" : origin.charAt(0) + origin.slice(1).toLowerCase()}</span>;
}

/** What the grant gives, in words, linking to the team or schedule. */
export function Entitlement({ g, connectionId }: { g: GrantView; connectionId: string }) {
  if (g.entitlement === "BASE_ROLE") return <>Base role {baseRoleLabel(g.role ?? "")}</>;
  if (g.entitlement === "TEAM_MEMBER")
    return (
      <>
        {teamRoleLabel(g.role ?? "member")} of team <Link className="underline" href={`/pagerduty/teams/${g.teamPdId}?connection=${connectionId}`}>{g.teamName}</Link>
      </>
    );
  return (
    <>
      Member of schedule <Link className="underline" href={pdHref("schedules", connectionId)}>{g.scheduleName}</Link>
    </>
  );
}

const METHOD: Record<string, string> = { BROWSER: "in the browser", API_TOKEN: "with an API key", OAUTH: "by an OAuth app", IDENTITY_PROVIDER: "by the identity provider", OTHER: "another way", UNKNOWN: "an unknown way" };

/** "Jane Doe · with an API key · 2026-11-23 09:12 UTC", or why it is unknown. */
export function ChangeAttribution({ change }: { change: GrantView["change"] }) {
  if (!change) return null;
  if (!change.actorLabel && !change.at) return <span className="text-slate-500">Unknown: no audit record found (the account may lack the audit trail)</span>;
  return (
    <span>
      <strong>{change.actorLabel ?? change.actorType ?? "unknown"}</strong> · {METHOD[change.method ?? "UNKNOWN"] ?? change.method} · {utc(change.at)}
    </span>
  );
}
