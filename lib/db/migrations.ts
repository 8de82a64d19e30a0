import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import type { DbHandle } from "./client";
import { openSchemaEngine } from "./engine";

export const projectRoot = () => process.env.PORTAL_ROOT ?? process.cwd();
export const schemaPath = () => path.join(projectRoot(), "prisma", "schema.prisma");
export const migrationsDir = () => path.join(projectRoot(), "prisma", "migrations");

const filters = { externalTables: [], externalEnums: [] };

/** Reads prisma/migrations in Prisma's standard folder format. */
export function readMigrationsList() {
  const baseDir = migrationsDir();
  const lockPath = path.join(baseDir, "migration_lock.toml");
  const dirs = existsSync(baseDir)
    ? readdirSync(baseDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
    : [];
  return {
    baseDir,
    lockfile: { path: "migration_lock.toml", content: existsSync(lockPath) ? readFileSync(lockPath, "utf8") : null },
    shadowDbInitScript: "",
    migrationDirectories: dirs.map((name) => ({
      path: name,
      migrationFile: {
        path: "migration.sql",
        content: { tag: "ok" as const, value: readFileSync(path.join(baseDir, name, "migration.sql"), "utf8") },
      },
    })),
  };
}

/** Applies pending migrations exactly as `prisma migrate deploy` would. Idempotent. */
export async function applyPendingMigrations(adapterFactory: SqlMigrationAwareDriverAdapterFactory): Promise<string[]> {
  const engine = await openSchemaEngine(adapterFactory, schemaPath());
  try {
    const out = await engine.applyMigrations({ migrationsList: readMigrationsList(), filters } as never);
    return out.appliedMigrationNames;
  } finally {
    engine.free();
  }
}

/** SQL that takes the migrations folder to the current schema ("" when nothing changed). */
export async function diffMigrationsToSchema(adapterFactory: SqlMigrationAwareDriverAdapterFactory): Promise<string> {
  const engine = await openSchemaEngine(adapterFactory, schemaPath());
  try {
    const list = readMigrationsList();
    const from = list.migrationDirectories.length ? { tag: "migrations" as const, ...list } : { tag: "empty" as const };
    const res = await engine.diff({
      from,
      to: { tag: "schemaDatamodel", files: [{ path: schemaPath(), content: readFileSync(schemaPath(), "utf8") }] },
      script: true,
      exitCode: null,
      filters,
    } as never);
    const sql = res.stdout ?? "";
    return /^\s*(--.*\n?)*\s*$/.test(sql) || sql.includes("This is an empty migration") ? "" : sql;
  } finally {
    engine.free();
  }
}

/**
 * Starting the schema engine (WebAssembly) costs about a second; most starts have nothing to apply.
 * Ask _prisma_migrations first and start the engine only when a folder is not recorded as applied.
 */
export async function migrateIfBehind(handle: DbHandle): Promise<void> {
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
