import Link from "next/link";
import { AccountCatalogSection } from "@/components/access/policies-catalog";
import { CatalogItemForm, type PolicyFormOptions } from "@/components/access/policies-form";
import { CreateGroupForm, GroupCard } from "@/components/access/groups";
import { EmptyState, Forbidden, PageHeader } from "@/components/ui/page";
import { policyAdminView } from "@/lib/access/admin";
import { can } from "@/lib/auth/access";
import { requireActor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { createCatalogItem, createPortalGroup, setCatalogItemRetired, setPortalGroupMember, updatePolicy } from "./actions";

export const metadata = { title: "Policies" };

/** Admin → Policies: the request catalog per PagerDuty account, each item under a versioned policy, and the portal groups. */
export default async function PoliciesPage() {
  const actor = await requireActor();
  if (!can(actor, "policy.read")) return <Forbidden what="Policies" />;
  const view = await policyAdminView(await getDb(), actor);
  const manage = can(actor, "policy.manage");
  const options: PolicyFormOptions | null = manage ? { accounts: view.accounts.map((a) => ({ id: a.id, name: a.name, synced: a.synced, teams: a.teams })), groups: view.groups.map((g) => ({ id: g.id, name: g.name })), approvers: view.approvers, defaults: view.defaultRules } : null;
  const actions = { updatePolicy, setRetired: setCatalogItemRetired };
  return (
    <>
      <PageHeader
        title="Policies"
        description="What people can request just in time in each PagerDuty account, and the policy that decides each request: how long, with what justification, and who approves. Every change is a new, audited policy version; a request keeps the version it was made under."
      />
      {view.accounts.length === 0 ? (
        <EmptyState title="No PagerDuty account is connected yet">
          The catalog offers a connected account&apos;s teams and roles.{" "}
          <Link href="/admin/connections" className="font-medium text-emerald-800 underline">
            Connect an account
          </Link>{" "}
          {manage ? "and come back once its first sync has finished." : "(administrators do this)."}
        </EmptyState>
      ) : (
        <div className="space-y-8">
          {view.accounts.map((account) => (
            <AccountCatalogSection key={account.id} account={account} options={options} actions={actions} />
          ))}
        </div>
      )}

      {options && view.accounts.length > 0 && (
        <section aria-labelledby="add-item" className="mt-10">
          <h2 id="add-item" className="mb-1 text-lg font-semibold text-slate-900">
            Add a catalog item
          </h2>
          <p className="mb-3 max-w-3xl text-sm text-slate-600">Membership of a team with a team role, or a base-role elevation (e.g. Responder → Manager). It starts with policy version 1.</p>
          <CatalogItemForm options={options} action={createCatalogItem} />
        </section>
      )}

      <section aria-labelledby="groups" className="mt-10">
        <h2 id="groups" className="mb-1 text-lg font-semibold text-slate-900">
          Portal groups
        </h2>
        <p className="mb-3 max-w-3xl text-sm text-slate-600">Groups of portal people, named as approvers in policies (any member may approve; with two approvals from different groups, each approval counts for one group).</p>
        {manage && <CreateGroupForm action={createPortalGroup} />}
        {view.groups.length === 0 ? (
          <div className="mt-3">
            <EmptyState title="No group yet">{manage ? "Create one above, then add its members." : "Administrators create groups."}</EmptyState>
          </div>
        ) : (
          <ul className="mt-3 grid gap-3 lg:grid-cols-2">
            {view.groups.map((g) => (
              <GroupCard key={g.id} group={g} people={view.people} manage={manage} action={setPortalGroupMember} />
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
