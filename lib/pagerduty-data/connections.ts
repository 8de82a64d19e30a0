import "server-only";
import type { Actor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { freshness, type Freshness } from "./freshness";
import { isSafeId, requirePermission } from "./guard";

/** A connection as the PagerDuty data pages see it: which account, and how fresh its picture is. */
export interface SyncedConnection {
  id: string;
  name: string;
  subdomain: string;
  status: "ACTIVE" | "DISABLED" | "REMOVED";
  readOnly: boolean;
  abilities: string[];
  syncIntervalMinutes: number;
  lastSuccessfulSyncAt: Date | null;
  baselineAt: Date | null;
  latestRun: { id: string; status: "RUNNING" | "SUCCEEDED" | "FAILED"; error: string | null; startedAt: Date; finishedAt: Date | null; warnings: string[] } | null;
  freshness: Freshness;
}

/** Live (not removed) connections with their freshness, by name. */
export async function listSyncedConnections(actor: Actor | null, now: Date = new Date()): Promise<SyncedConnection[]> {
  requirePermission(actor);
  const db = await getDb();
  const rows = await db.pagerDutyConnection.findMany({
    where: { status: { not: "REMOVED" } },
    orderBy: [{ name: "asc" }, { createdAt: "asc" }],
    select: {
      id: true,
      name: true,
      subdomain: true,
      status: true,
      readOnly: true,
      abilities: true,
      syncIntervalMinutes: true,
      lastSuccessfulSyncAt: true,
      baselineAt: true,
      syncRuns: { orderBy: { startedAt: "desc" }, take: 1, select: { id: true, status: true, error: true, startedAt: true, finishedAt: true, warnings: true } },
    },
  });
  return rows.map(({ syncRuns, ...c }) => {
    const latestRun = syncRuns[0] ?? null;
    return {
      ...c,
      latestRun,
      freshness: freshness({ lastSuccessfulSyncAt: c.lastSuccessfulSyncAt, lastRunFailed: latestRun?.status === "FAILED", syncIntervalMinutes: c.syncIntervalMinutes }, now),
    };
  });
}

/** The connection a page shows: the one asked for (?connection=…), else the first live one. */
export async function pickConnection(actor: Actor | null, requested: unknown): Promise<{ connections: SyncedConnection[]; current: SyncedConnection | null }> {
  const connections = await listSyncedConnections(actor);
  const asked = isSafeId(requested) ? connections.find((c) => c.id === requested) : undefined;
  return { connections, current: asked ?? connections.find((c) => c.status === "ACTIVE") ?? connections[0] ?? null };
}
