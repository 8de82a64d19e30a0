/**
 * Demo mode's ready connection: "Demo PagerDuty (simulator)", owned by the demo admin, pointing at the
 * bundled simulator with its full-access key. Created through the connections service (so the credential
 * is checked and sealed like any other), updated when the simulator's address changed, and a sync is
 * queued (the portal's worker runs it once the portal is up). Idempotent: run on every demo start.
 *
 *   tsx --conditions=react-server scripts/demo-connection.ts <simulator url> <full access key>
 *
 * (react-server: the service modules are marked server-only; this script is the server.) Run it while the
 * portal is NOT running: the embedded database has one owner at a time.
 */
import { getDb, getDbHandle } from "@/lib/db";
import { seedDemoCatalog } from "@/lib/demo/catalog";
import { seedDemoPeople } from "@/lib/demo/people";
import { createConnection, checkConnection, updateConnection } from "@/lib/connections/service";
import { requestSync } from "@/lib/sync/jobs";

const DEMO_CONNECTION_NAME = "Demo PagerDuty (simulator)";
const DEMO_ADMIN = "alice.admin@example.com";
const ctx = { requestId: null, clientIp: null };

async function main(apiBaseUrl: string, apiKey: string): Promise<string> {
  const db = await getDb();
  await seedDemoPeople(db);
  const admin = await db.person.findUniqueOrThrow({ where: { email: DEMO_ADMIN } });
  const actor = { personId: admin.id, email: admin.email, name: admin.name, roles: [...admin.roles] };
  const existing = await db.pagerDutyConnection.findUnique({ where: { activeName: DEMO_CONNECTION_NAME.toLowerCase() }, select: { id: true, apiBaseUrl: true } });
  let id: string;
  if (!existing) {
    const created = await createConnection(db, actor, { name: DEMO_CONNECTION_NAME, subdomain: "acme", region: "US", apiBaseUrl, ownerPersonId: admin.id, purpose: "Demo: the bundled PagerDuty simulator", credentialKind: "API_KEY", apiKey }, ctx);
    id = created.connection.id;
    console.log(`Demo connection created: ${created.check.message}`);
  } else {
    id = existing.id;
    // A new simulator address: the key goes with the change (a stored key never follows an address change).
    if (existing.apiBaseUrl !== apiBaseUrl) await updateConnection(db, actor, { connectionId: id, apiBaseUrl, apiKey }, ctx);
    else await checkConnection(db, actor, { connectionId: id }, ctx);
  }
  const conn = await db.pagerDutyConnection.findUniqueOrThrow({ where: { id }, select: { status: true } });
  if (conn.status === "ACTIVE") await requestSync(db, id, actor);
  // A small request catalog (the team item joins on the next start, once a sync has brought teams).
  const items = await seedDemoCatalog(db, actor, id).catch((error: unknown) => {
    console.error(`The demo catalog was not seeded: ${error instanceof Error ? error.message : String(error)}`);
    return 0;
  });
  if (items) console.log(`Demo catalog: ${items} item(s) added.`);
  return id;
}

const [url, key] = process.argv.slice(2);
if (!url || !key) {
  console.error("usage: tsx --conditions=react-server scripts/demo-connection.ts <simulator url> <full access key>");
  process.exit(2);
}
main(url, key)
  .then(async (id) => {
    console.log(`Demo connection ready: ${DEMO_CONNECTION_NAME} (${id}); a sync is queued.`);
    await getDbHandle()?.close();
    process.exit(0);
  })
  .catch(async (error: unknown) => {
    console.error(`Could not prepare the demo connection: ${error instanceof Error ? error.message : String(error)}`);
    await getDbHandle()?.close();
    process.exit(1);
  });
