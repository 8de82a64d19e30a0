import Link from "next/link";
import { EmptyState } from "@/components/ui/page";
import type { AccountCatalog, CatalogItemView } from "@/lib/access/admin";
import type { ActionResult } from "@/lib/auth/action";
import { EditPolicyForm, type PolicyFormOptions } from "./policies-form";
import { RetireForm } from "./policies-retire";

const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
const disclosure = "rounded-md border border-slate-200 bg-slate-50/60 open:bg-white";
const summary = "cursor-pointer select-none rounded-md px-3 py-2 text-sm font-medium text-slate-800 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-600";

export interface CatalogActions {
  updatePolicy: (raw: unknown) => Promise<ActionResult<{ version: number }>>;
  setRetired: (raw: unknown) => Promise<ActionResult<void>>;
}

function Badge({ children, tone }: { children: React.ReactNode; tone: "slate" | "emerald" | "amber" | "sky" }) {
  const tones = { slate: "bg-slate-100 text-slate-700", emerald: "bg-emerald-50 text-emerald-800 ring-1 ring-inset ring-emerald-200", amber: "bg-amber-50 text-amber-900 ring-1 ring-inset ring-amber-200", sky: "bg-sky-50 text-sky-800 ring-1 ring-inset ring-sky-200" };
  return <span className={`whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ${tones[tone]}`}>{children}</span>;
}

/** Every version of the policy, newest first: who, when, why, and what changed against the one before. */
function History({ item }: { item: CatalogItemView }) {
  return (
    <ol className="space-y-3 p-3" data-testid={`history-${item.id}`}>
      {item.versions.map((v) => (
        <li key={v.version} className="rounded-md border border-slate-200 bg-white p-3" data-testid="policy-version">
          <p className="text-sm">
            <span className="font-semibold text-slate-900">Version {v.version}</span>
            {v.version === item.currentVersion && (
              <span className="ml-2">
                <Badge tone="emerald">current</Badge>
              </span>
            )}
            <span className="ml-2 text-slate-600">
              {utc(v.createdAt)} · {v.createdBy}
            </span>
          </p>
          <p className="mt-1 text-sm text-slate-800">
            <span className="text-slate-500">Reason: </span>
            {v.reason ?? <span className="italic text-slate-500">none given</span>}
          </p>
          {v.changes.length > 0 && (
            <ul className="mt-2 list-disc space-y-0.5 pl-5 text-sm text-slate-700">
              {v.changes.map((c) => (
                <li key={c}>{c}</li>
              ))}
            </ul>
          )}
          {v.version === 1 && <p className="mt-1 text-xs text-slate-500">First version: the rules as the item was created.</p>}
          <p className="mt-1 font-mono text-[11px] text-slate-400" title="SHA-256 of the canonical rules: the evidence of what a request was decided under">
            rules {v.rulesSha256.slice(0, 16)}…
          </p>
        </li>
      ))}
    </ol>
  );
}

function ItemCard({ item, account, options, actions }: { item: CatalogItemView; account: AccountCatalog; options: PolicyFormOptions | null; actions: CatalogActions }) {
  const retired = item.retiredAt !== null;
  return (
    <li className={`rounded-lg border bg-white p-4 ${retired ? "border-dashed border-slate-300" : "border-slate-200"}`} data-testid={`catalog-item-${item.name}`}>
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <h3 className={`text-base font-semibold ${retired ? "text-slate-500" : "text-slate-900"}`}>{item.name}</h3>
          <p className="text-sm text-slate-700">{item.grants}</p>
          {item.description && <p className="mt-1 max-w-3xl text-sm text-slate-600">{item.description}</p>}
        </div>
        <div className="flex flex-wrap items-center gap-1.5">
          <Badge tone="sky">{item.kind === "TEAM_ROLE" ? "Team role" : "Base role"}</Badge>
          <Badge tone="slate">Policy v{item.currentVersion}</Badge>
          {item.openRequests > 0 && <Badge tone="amber">{item.openRequests} open</Badge>}
          {retired ? <Badge tone="amber">Retired {item.retiredAt!.toISOString().slice(0, 10)}</Badge> : <Badge tone="emerald">Offered</Badge>}
        </div>
      </div>
      <div className="mt-3">
        <p className="text-xs font-semibold uppercase tracking-wide text-slate-500">Current policy</p>
        <ul className="mt-1 list-disc space-y-0.5 pl-5 text-sm text-slate-700" data-testid="policy-words">
          {item.policy.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      </div>
      <div className="mt-3 space-y-2">
        <details className={disclosure}>
          <summary className={summary} data-testid={`history-toggle-${item.id}`}>
            Policy history ({item.versions.length} version{item.versions.length === 1 ? "" : "s"})
          </summary>
          <History item={item} />
        </details>
        {options && !retired && (
          <details className={disclosure}>
            <summary className={summary} data-testid={`edit-toggle-${item.id}`}>
              Edit the policy
            </summary>
            <div className="p-3">
              <EditPolicyForm itemId={item.id} baseVersion={item.currentVersion} initial={item.rules} isTeam={item.kind === "TEAM_ROLE"} teams={account.teams} options={options} action={actions.updatePolicy} />
            </div>
          </details>
        )}
        {options && (
          <details className={disclosure}>
            <summary className={summary}>{retired ? "Offer it again" : "Retire it"}</summary>
            <div className="p-3">
              <RetireForm itemId={item.id} retired={retired} openRequests={item.openRequests} action={actions.setRetired} />
            </div>
          </details>
        )}
      </div>
    </li>
  );
}

/** One PagerDuty account's catalog: what can be requested there, each under its versioned policy. */
export function AccountCatalogSection({ account, options, actions }: { account: AccountCatalog; options: PolicyFormOptions | null; actions: CatalogActions }) {
  const offered = account.items.filter((i) => !i.retiredAt).length;
  return (
    <section aria-labelledby={`account-${account.id}`} className="space-y-3" data-testid={`account-catalog-${account.name}`}>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id={`account-${account.id}`} className="text-lg font-semibold text-slate-900">
          {account.name}
        </h2>
        <p className="text-sm text-slate-600">
          {offered} offered{account.items.length > offered ? ` · ${account.items.length - offered} retired` : ""}
          {account.status !== "ACTIVE" && <span className="ml-2 font-medium text-amber-800">Account {account.status.toLowerCase()}</span>}
        </p>
      </div>
      {!account.synced && (
        <p className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          This account has not finished a sync yet: its teams and users appear after the first one.{" "}
          <Link href={`/admin/connections/${account.id}`} className="font-medium underline">
            See its connection
          </Link>
          .
        </p>
      )}
      {account.items.length === 0 ? (
        <EmptyState title="Nothing can be requested in this account yet">{options ? "Add a team role or a base-role elevation below, with its policy." : "Administrators add what can be requested, with a policy."}</EmptyState>
      ) : (
        <ul className="space-y-3">
          {account.items.map((item) => (
            <ItemCard key={item.id} item={item} account={account} options={options} actions={actions} />
          ))}
        </ul>
      )}
    </section>
  );
}
