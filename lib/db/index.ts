import { env } from "@/lib/config/env";
import { createDb, type DbHandle } from "./client";
import { applyPendingMigrations, readMigrationsList } from "./migrations";

export type { Db, DbOrTx, Tx, DbHandle } from "./client";
export { createDb } from "./client";

// Kept on globalThis: Next.js may load this module in several bundles of one process, and PGlite
// must have exactly one owner of its data folder.
const g = globalThis as unknown as { __portalDb?: { handle: DbHandle; ready: Promise<void> } };

function runtimeFromEnv() {
  const e = env();
  return e.databaseUrl ? ({ kind: "postgres", url: e.databaseUrl, poolMax: e.dbPoolMax } as const) : ({ kind: "pglite", dataDir: e.pgliteDataDir } as const);
}

/** The process-wide database. On the embedded default, pending migrations are applied first. */
export async function getDb(): Promise<DbHandle["prisma"]> {
  if (!g.__portalDb) {
    const handle = createDb(runtimeFromEnv());
    const ready = handle.kind === "pglite" ? migrateIfBehind(handle) : Promise.resolve();
    g.__portalDb = { handle, ready };
  }
  await g.__portalDb.ready;
  return g.__portalDb.handle.prisma;
}

/**
 * Starting the schema engine (WebAssembly) costs about a second; most starts have nothing to apply.
 * Ask _prisma_migrations first and start the engine only when a folder is not recorded as applied.
 */
async function migrateIfBehind(handle: DbHandle): Promise<void> {
  const folders = readMigrationsList().migrationDirectories.map((d) => d.path);
  let applied = new Set<string>();
  try {
    const rows = await handle.prisma.$queryRawUnsafe<{ migration_name: string }[]>(
      `SELECT "migration_name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`,
    );
    applied = new Set(rows.map((r) => r.migration_name));
  } catch {
    // No bookkeeping table yet: a new database.
  }
  if (folders.some((f) => !applied.has(f))) await applyPendingMigrations(handle.adapterFactory);
}

export function getDbHandle(): DbHandle | undefined {
  return g.__portalDb?.handle;
}

/** Tests and scripts install their own handle (e.g. an in-memory PGlite) before the app code runs. */
export function setDbHandle(handle: DbHandle) {
  g.__portalDb = { handle, ready: Promise.resolve() };
}
