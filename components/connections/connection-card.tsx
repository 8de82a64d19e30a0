import Link from "next/link";
import { FreshnessBadge } from "@/components/pagerduty/freshness-badge";
import type { ConnectionDto } from "@/lib/connections/dto";
import type { Freshness } from "@/lib/pagerduty-data/freshness";

const fmt = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace("T", " ") + " UTC" : "never");

const STATUS: Record<ConnectionDto["status"], string> = { ACTIVE: "bg-emerald-50 text-emerald-800", DISABLED: "bg-slate-200 text-slate-700", REMOVED: "bg-slate-200 text-slate-500" };
const ACCESS: Record<ConnectionDto["accessLevel"], string> = { FULL: "Full access", READ_ONLY: "Read-only", UNKNOWN: "Access not determined" };

/** A rotation line that warns when due soon or overdue. */
export function RotationLine({ rotation }: { rotation: ConnectionDto["rotation"] }) {
  if (rotation.overdue)
    return (
      <span role="alert" className="font-medium text-red-700">
        Rotation overdue by {-rotation.daysLeft} day{rotation.daysLeft === -1 ? "" : "s"} (was due {fmt(rotation.dueAt).slice(0, 10)})
      </span>
    );
  if (rotation.dueSoon) return <span className="font-medium text-amber-800">Rotation due in {rotation.daysLeft} days ({fmt(rotation.dueAt).slice(0, 10)})</span>;
  return <span>Due {fmt(rotation.dueAt).slice(0, 10)}</span>;
}

/** Everything the portal knows about a connection and its credential — never the secret itself. */
export function ConnectionSummary({ c, freshness, lastSyncAt, children }: { c: ConnectionDto; freshness: Freshness; lastSyncAt: Date | null; children?: React.ReactNode }) {
  const facts: [string, React.ReactNode][] = [
    ["Account", `${c.instanceUrl} · ${c.region}`],
    ["API", `${c.apiBaseUrl}${c.customEndpoint ? " (custom endpoint)" : ""}`],
    ...(c.credentialKind === "OAUTH" ? ([["OAuth token URL", c.tokenUrl]] as [string, React.ReactNode][]) : []),
    ["Credential", c.credentialKind === "API_KEY" ? "Account API key" : `OAuth app ${c.oauthClientId ?? ""}`],
    ["Fingerprint", <code key="fp">{c.fingerprint}…</code>],
    ["Owner", `${c.owner.name}${c.owner.active ? "" : " (deactivated)"}`],
    ["Purpose", c.purpose],
    ["Scope", c.scopes.length ? c.scopes.join(", ") : c.credentialKind === "API_KEY" ? "whole account" : "unknown"],
    ["Created", fmt(c.createdAt)],
    ["Last rotated", fmt(c.lastRotatedAt)],
    ["Rotation", <RotationLine key="rot" rotation={c.rotation} />],
    ["Last used", fmt(c.lastUsedAt)],
    ["Last checked", c.lastCheckedAt ? `${fmt(c.lastCheckedAt)} · ${c.lastCheckOk ? "ok" : `failed: ${c.lastCheckError ?? ""}`}` : "never"],
    ["Last sync", fmt(lastSyncAt)],
  ];
  return (
    <article className={`rounded-lg border bg-white p-4 ${c.rotation.overdue && c.status !== "REMOVED" ? "border-red-300 ring-1 ring-red-200" : "border-slate-200"}`} data-testid={`connection-${c.name}`} aria-labelledby={`conn-${c.id}`}>
      <header className="flex flex-wrap items-center gap-2">
        <h2 id={`conn-${c.id}`} className="text-lg font-semibold text-slate-900">
          <Link href={`/admin/connections/${c.id}`} className="hover:underline">
            {c.name}
          </Link>
        </h2>
        <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${STATUS[c.status]}`}>{c.status.charAt(0) + c.status.slice(1).toLowerCase()}</span>
        <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700">{ACCESS[c.accessLevel]}</span>
        <FreshnessBadge freshness={freshness} />
      </header>
      {c.readOnly && c.status !== "REMOVED" && (
        <p role="note" className="mt-3 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm font-medium text-amber-900">
          Write-back disabled: {c.accessLevel === "READ_ONLY" ? "this credential is read-only." : "whether this credential may write is unknown."} The portal reads this account; approved changes cannot be pushed to it.
        </p>
      )}
      {c.capabilities.filter((line) => !line.startsWith("Write-back disabled")).length > 0 && (
        <ul className="mt-3 list-disc space-y-1 pl-5 text-sm text-slate-700" aria-label="What the portal cannot do with this credential">
          {c.capabilities
            .filter((line) => !line.startsWith("Write-back disabled"))
            .map((line) => (
              <li key={line}>{line}</li>
            ))}
        </ul>
      )}
      <dl className="mt-3 grid gap-x-6 gap-y-1 text-sm sm:grid-cols-2">
        {facts.map(([k, v]) => (
          <div key={k} className="flex gap-2">
            <dt className="w-28 shrink-0 text-slate-500">{k}</dt>
            <dd className="min-w-0 break-words text-slate-900">{v}</dd>
          </div>
        ))}
      </dl>
      <p className="mt-2 text-xs text-slate-500">Abilities: {c.abilities.length ? c.abilities.join(", ") : "not read yet"}</p>
      {children && <div className="mt-4 border-t border-slate-100 pt-3">{children}</div>}
    </article>
  );
}
