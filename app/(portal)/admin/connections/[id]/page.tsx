import Link from "next/link";
import { notFound } from "next/navigation";
import { ConnectionSummary } from "@/components/connections/connection-card";
import { ConnectionControls } from "@/components/connections/connection-controls";
import { SyncActivity } from "@/components/connections/sync-progress";
import { Forbidden, PageHeader } from "@/components/ui/page";
import { can } from "@/lib/auth/access";
import { requireActor } from "@/lib/auth/session";
import { getConnection } from "@/lib/connections/queries";
import { listSyncedConnections } from "@/lib/pagerduty-data/connections";
import { freshness } from "@/lib/pagerduty-data/freshness";
import { syncStatus } from "@/lib/pagerduty-data/sync-runs";
import { listPeople } from "@/lib/people/queries";
import { connectionActions } from "../bound-actions";

export const metadata = { title: "Connection" };

export default async function ConnectionPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireActor();
  if (!can(actor, "connection.read")) return <Forbidden what="Connections" />;
  const { id } = await params;
  const c = await getConnection(actor, id);
  if (!c) notFound();
  const manage = can(actor, "connection.manage");
  const [synced, status, owners] = await Promise.all([listSyncedConnections(actor), syncStatus(actor, c.id), manage ? listPeople(actor, { status: "ACTIVE" }) : Promise.resolve([])]);
  const s = synced.find((x) => x.id === c.id);
  return (
    <>
      <PageHeader
        title={c.name}
        description="The connection, its credential and its syncs."
        actions={
          <Link href="/admin/connections" className="text-sm text-slate-600 underline">
            All connections
          </Link>
        }
      />
      <div className="space-y-4">
        <ConnectionSummary c={c} freshness={s?.freshness ?? freshness({ lastSuccessfulSyncAt: null, syncIntervalMinutes: c.syncIntervalMinutes })} lastSyncAt={s?.lastSuccessfulSyncAt ?? null}>
          {manage && <ConnectionControls connection={{ ...c, ownerPersonId: c.owner.id }} actions={connectionActions} owners={owners.map((o) => ({ id: o.id, name: o.name }))} />}
        </ConnectionSummary>
        {c.status !== "REMOVED" && s?.lastSuccessfulSyncAt && (
          <p className="text-sm">
            <Link href={`/pagerduty/users?connection=${c.id}`} className="font-medium text-emerald-800 underline">
              See the synced users, teams and schedules
            </Link>
          </p>
        )}
        <SyncActivity connectionId={c.id} initial={status} />
      </div>
    </>
  );
}
