/**
 * Writing one entity's rows and counting what changed. Removal is explicit: a caller passes `remove`
 * only when the listing that should contain every live row in that scope completed.
 */
import type { Tx } from "@/lib/db";
import { markUnseenRemoved, upsertRows, type Row } from "./bulk";
import type { SyncContext } from "./context";
import { TABLES, type EntityName } from "./entities";

export interface WriteOptions {
  /** Mark unseen rows removed, narrowed to this scope ({} = the whole connection). Omit: remove nothing. */
  remove?: Record<string, string | string[]>;
}

export async function writeEntity(tx: Tx, ctx: SyncContext, entity: EntityName, rows: Row[], opts: WriteOptions = {}): Promise<void> {
  const counts = await upsertRows(tx, TABLES[entity], rows, ctx.seenAt);
  const removed = opts.remove ? await markUnseenRemoved(tx, TABLES[entity].table, ctx.connectionId, ctx.seenAt, opts.remove) : 0;
  ctx.progress.count(entity, counts, removed);
}

/** Sets each user's license from a complete /license_allocations listing (users not in it hold none). */
export async function writeLicenseAllocations(tx: Tx, ctx: SyncContext, allocations: Map<string, string>): Promise<void> {
  const users = [...allocations.keys()];
  const licenses = users.map((u) => allocations.get(u) as string);
  const set = await tx.$executeRawUnsafe(
    `UPDATE "PdUser" u SET "licensePdId" = a.lic FROM unnest($2::text[], $3::text[]) AS a(uid, lic)
     WHERE u."connectionId" = $1 AND u."pdId" = a.uid AND u."licensePdId" IS DISTINCT FROM a.lic`,
    ctx.connectionId,
    users,
    licenses,
  );
  const cleared = await tx.$executeRawUnsafe(
    `UPDATE "PdUser" SET "licensePdId" = NULL WHERE "connectionId" = $1 AND "licensePdId" IS NOT NULL AND NOT ("pdId" = ANY($2::text[]))`,
    ctx.connectionId,
    users,
  );
  ctx.progress.count("licenseAllocations", { created: 0, updated: set, removed: cleared });
}
