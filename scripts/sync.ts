/**
 * npm run sync -- --api-url <url> --token <key> [--full] [--region US|EU] [--subdomain <name>]
 *
 * Syncs that PagerDuty account (or simulator) into the configured database (DATABASE_URL, or the embedded
 * PGlite default, migrated on first use) and prints a JSON summary as its last line:
 *   {"requests":n,"users":n,"teams":n,"memberships":n,"schedules":n,"escalationPolicies":n,"oncalls":n,"durationMs":n}
 * The connection row for this URL + key is created on first use and reused afterwards (lib/sync/bootstrap.ts:
 * owned by the deactivated bootstrap person sync-cli@system.invalid; the key is sealed like any other).
 * Against the embedded default the command runs in demo mode unless configured otherwise; with
 * DATABASE_URL the portal's real configuration (ENCRYPTION_KEY …) is required.
 * Exit code 1 when the sync failed (the JSON line is still printed, with "error").
 * The API URL must be PagerDuty's, or a host listed in PAGERDUTY_ALLOWED_HOSTS (a local simulator:
 * PAGERDUTY_ALLOWED_HOSTS=127.0.0.1); anything else is refused before the key is sent (docs/decisions/0011).
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    "api-url": { type: "string" },
    token: { type: "string" },
    full: { type: "boolean", default: false },
    region: { type: "string", default: "US" },
    subdomain: { type: "string", default: "sync" },
  },
});

const apiUrl = values["api-url"];
const token = values.token;
if (!apiUrl || !token || (values.region !== "US" && values.region !== "EU")) {
  console.error("Usage: npm run sync -- --api-url <url> --token <key> [--full] [--region US|EU] [--subdomain <name>]");
  process.exit(2);
}
if (!process.env.DATABASE_URL && process.env.DEMO_MODE === undefined) process.env.DEMO_MODE = "true";

const { getDb, getDbHandle } = await import("@/lib/db");
const { ensureConnection } = await import("@/lib/sync/bootstrap");
const { runSync } = await import("@/lib/sync/run");
const { syncedCounts } = await import("@/lib/sync/counts");

const db = await getDb();
let code = 0;
try {
  const connectionId = await ensureConnection(db, { apiBaseUrl: apiUrl, secret: { kind: "API_KEY", apiKey: token }, region: values.region, subdomain: values.subdomain });
  const result = await runSync(db, connectionId, { kind: values.full ? "FULL" : "AUTO", trigger: "CLI" });
  if (result.status === "FAILED") {
    console.error(`Sync failed: ${result.error}`);
    code = 1;
  }
  for (const w of result.warnings) console.error(`Note: ${w}`);
  const counts = await syncedCounts(db, connectionId);
  console.log(JSON.stringify({ requests: result.requests, ...counts, durationMs: result.durationMs, ...(result.error ? { error: result.error } : {}) }));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  code = 1;
} finally {
  await getDbHandle()?.close();
}
process.exit(code);
