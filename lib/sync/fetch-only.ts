/**
 * The benchmark's baseline: a full sync's requests, in the same order and concurrency, with every
 * database write dropped. Full-sync wall time over this time is the cost of storing the picture.
 */
import type { Db } from "@/lib/db";
import { WriteQueue } from "./context";
import { fullSync } from "./full";
import { SyncProgress } from "./progress";
import { syncClient, type RunSyncOptions } from "./run";

class DroppedWrites extends WriteQueue {
  override push(): void {}
}

export async function fetchOnly(db: Db, connectionId: string, opts: Pick<RunSyncOptions, "tuning"> = {}): Promise<{ requests: number; pages: number }> {
  const conn = await db.pagerDutyConnection.findUniqueOrThrow({ where: { id: connectionId } });
  const progress = new SyncProgress(db, "fetch-only", Number.MAX_SAFE_INTEGER);
  const { client } = syncClient(conn, progress, opts.tuning);
  const abilities = new Set(await client.listAbilities());
  await fullSync({ db, connectionId, client, progress, seenAt: new Date(), abilities, horizonDays: conn.oncallHorizonDays, writes: new DroppedWrites(db) });
  return { requests: progress.requests, pages: progress.pages };
}
