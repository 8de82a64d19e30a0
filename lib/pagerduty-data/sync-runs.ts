import "server-only";
import type { Actor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { syncSingletonKey } from "@/lib/sync/keys";
import { isSafeId, requirePermission } from "./guard";

export type ChangeCounts = Record<string, { created?: number; updated?: number; removed?: number }>;

/** A sync run as the browser sees it (JSON-safe: dates as ISO strings), live while RUNNING. */
export interface SyncRunView {
  id: string;
  kind: "FULL" | "INCREMENTAL";
  trigger: "SCHEDULE" | "MANUAL" | "CLI";
  status: "RUNNING" | "SUCCEEDED" | "FAILED";
  phase: string;
  pagesFetched: number;
  estimatedPages: number | null;
  items: Record<string, number>;
  requests: number;
  rateLimited: number;
  retries: number;
  changes: ChangeCounts;
  warnings: string[];
  error: string | null;
  fallbackReason: string | null;
  requestedBy: string | null;
  startedAt: string;
  progressAt: string;
  finishedAt: string | null;
  durationMs: number | null;
}

export interface SyncStatusView {
  active: SyncRunView | null;
  /** A sync job is waiting for a worker (queued by "Sync now" or the schedule), not started yet. */
  queued: boolean;
  history: SyncRunView[];
}

const asRecord = <T>(v: unknown): Record<string, T> => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, T>) : {});

/** The running sync (if any) and the latest runs of a connection, newest first. */
export async function syncStatus(actor: Actor | null, connectionId: string, limit = 20): Promise<SyncStatusView> {
  requirePermission(actor, "connection.read");
  if (!isSafeId(connectionId)) return { active: null, queued: false, history: [] };
  const db = await getDb();
  const waiting = await db.job.count({ where: { singletonKey: syncSingletonKey(connectionId), status: "QUEUED" } });
  const rows = await db.syncRun.findMany({
    where: { connectionId },
    orderBy: { startedAt: "desc" },
    take: limit,
    include: { requestedBy: { select: { name: true } } },
  });
  const runs = rows.map(
    (r): SyncRunView => ({
      id: r.id,
      kind: r.kind,
      trigger: r.trigger,
      status: r.status,
      phase: r.phase,
      pagesFetched: r.pagesFetched,
      estimatedPages: r.estimatedPages,
      items: asRecord<number>(r.items),
      requests: r.requests,
      rateLimited: r.rateLimited,
      retries: r.retries,
      changes: asRecord(r.changes),
      warnings: r.warnings,
      error: r.error,
      fallbackReason: r.fallbackReason,
      requestedBy: r.requestedBy?.name ?? null,
      startedAt: r.startedAt.toISOString(),
      progressAt: r.progressAt.toISOString(),
      finishedAt: r.finishedAt?.toISOString() ?? null,
      durationMs: r.durationMs,
    }),
  );
  return { active: runs.find((r) => r.status === "RUNNING") ?? null, queued: waiting > 0, history: runs };
}

