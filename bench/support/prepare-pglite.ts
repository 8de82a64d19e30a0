/**
 * node --import tsx bench/support/prepare-pglite.ts <dir>: creates an embedded database in <dir> and applies
 * the migrations, in a process of its own. A benchmark then opens the ready directory, as the portal does
 * on every start after the first: PGlite's initdb and the migration engine hold hundreds of MB that a
 * running portal never holds, and must not be counted as the measured work's memory.
 */
import { createDb } from "@/lib/db/client";
import { applyPendingMigrations } from "@/lib/db/migrations";

const dir = process.argv[2];
if (!dir) throw new Error("usage: prepare-pglite.ts <dir>");
const handle = createDb({ kind: "pglite", dataDir: dir });
await applyPendingMigrations(handle.adapterFactory);
await handle.close();
