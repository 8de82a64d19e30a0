import { AddConnectionForm } from "@/components/connections/add-connection-form";
import { ConnectionSummary } from "@/components/connections/connection-card";
import { ConnectionControls } from "@/components/connections/connection-controls";
import { EmptyState, Forbidden, PageHeader } from "@/components/ui/page";
import { can } from "@/lib/auth/access";
import { requireActor } from "@/lib/auth/session";
import { listConnections } from "@/lib/connections/queries";
import { configuredAllowedHosts } from "@/lib/net/egress";
import { freshness } from "@/lib/pagerduty-data/freshness";
import { listSyncedConnections } from "@/lib/pagerduty-data/connections";
import { listPeople } from "@/lib/people/queries";
import { connectionActions } from "./bound-actions";

export const metadata = { title: "Connections" };

export default async function ConnectionsPage() {
  const actor = await requireActor();
  if (!can(actor, "connection.read")) return <Forbidden what="Connections" />;
  const manage = can(actor, "connection.manage");
  const [connections, synced, owners] = await Promise.all([
    listConnections(actor),
    listSyncedConnections(actor),
    manage ? listPeople(actor, { status: "ACTIVE" }) : Promise.resolve([]),
  ]);
  const syncOf = new Map(synced.map((s) => [s.id, s]));
  const ownerOptions = owners.map((o) => ({ id: o.id, name: o.name, email: o.email }));
  const overdue = connections.filter((c) => c.rotation.overdue && c.status !== "REMOVED");

  return (
    <>
      <PageHeader
        title="Connections"
        description="The PagerDuty accounts this portal governs. Each credential is a privileged non-human identity: it has an owner, a purpose and a rotation period, and is never shown again after it is saved."
      />
      {!manage && (
        <p role="note" className="mb-4 rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-700">
          Read-only view: only administrators change connections.
        </p>
      )}
      {overdue.length > 0 && (
        <p role="alert" className="mb-4 rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm font-medium text-red-900" data-testid="rotation-overdue-banner">
          Rotation overdue: {overdue.map((c) => `${c.name} (owner ${c.owner.name}, ${-c.rotation.daysLeft} day${c.rotation.daysLeft === -1 ? "" : "s"})`).join("; ")}. Create a new key in PagerDuty and rotate it below; the owner is reminded until then.
        </p>
      )}
      <div className="space-y-4">
        {connections.length === 0 ? (
          <EmptyState title="No PagerDuty account connected yet">{manage ? "Add one below: the credential is checked by PagerDuty before anything is saved." : "An administrator can add one."}</EmptyState>
        ) : (
          connections.map((c) => {
            const s = syncOf.get(c.id);
            return (
              <ConnectionSummary key={c.id} c={c} freshness={s?.freshness ?? freshness({ lastSuccessfulSyncAt: null, syncIntervalMinutes: c.syncIntervalMinutes })} lastSyncAt={s?.lastSuccessfulSyncAt ?? null}>
                {manage && <ConnectionControls connection={{ ...c, ownerPersonId: c.owner.id }} actions={connectionActions} owners={ownerOptions} />}
              </ConnectionSummary>
            );
          })
        )}
        {manage && <AddConnectionForm create={connectionActions.create} owners={ownerOptions} defaultOwnerId={actor.personId} allowedHosts={configuredAllowedHosts()} />}
      </div>
    </>
  );
}
