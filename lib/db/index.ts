import { env } from "@/lib/config/env";
import { createDb, type DbHandle } from "./client";
import { migrateIfBehind } from "./migrations";
import { installSharedRateBudgets } from "@/lib/rate-budget";

export type { Db, DbOrTx, Tx, DbHandle } from "./client";
export { createDb } from "./client";

// Kept on globalThis: Next.js may load this module in several bundles of one process, and PGlite
// must have exactly one owner of its data folder.
const g = globalThis as unknown as { __portalDb?: { handle: DbHandle; ready: Promise<void> } };

function runtimeFromEnv() {
  const e = env();
  return e.databaseUrl ? ({ kind: "postgres", url: e.databaseUrl, poolMax: e.dbPoolMax } as const) : ({ kind: "pglite", dataDir: e.pgliteDataDir, sharedBuffers: e.pgliteSharedBuffers } as const);
}

/** The process-wide database. On the embedded default, pending migrations are applied first. */
export async function getDb(): Promise<DbHandle["prisma"]> {
  if (!g.__portalDb) {
    const handle = createDb(runtimeFromEnv());
    const ready = handle.kind === "pglite" ? migrateIfBehind(handle) : Promise.resolve();
    // Several processes share PostgreSQL, and with it each credential's PagerDuty budget (docs/decisions/0013).
    if (handle.kind === "postgres") installSharedRateBudgets(handle.prisma);
    g.__portalDb = { handle, ready };
  }
  await g.__portalDb.ready;
  return g.__portalDb.handle.prisma;
}

export function getDbHandle(): DbHandle | undefined {
  return g.__portalDb?.handle;
}

/** Tests and scripts install their own handle (e.g. an in-memory PGlite) before the app code runs. */
export function setDbHandle(handle: DbHandle) {
  g.__portalDb = { handle, ready: Promise.resolve() };
}
