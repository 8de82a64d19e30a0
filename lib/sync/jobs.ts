/**
 * Sync jobs: `sync.connection` (one sync of one connection; singleton per connection, so two never run
 * side by side), and `sync.schedule_due`, ticked every minute, which enqueues a sync for each active
 * connection whose interval (syncIntervalMinutes, default 15) has passed. Whether a run is full or
 * incremental is decided when it starts (chooseKind): full when the last full one is a day old.
 */
import { z } from "zod";
import { appendAudit } from "@/lib/audit";
import type { DbOrTx, Db } from "@/lib/db";
import { ConnectionStatus } from "@/lib/generated/prisma/client";
import { ensureSchedule, enqueue, registerJob, type Enqueued } from "@/lib/jobs";
import { syncSingletonKey } from "./keys";
import { runSync } from "./run";

export const SYNC_CONNECTION = "sync.connection";
export const SYNC_SCHEDULE_DUE = "sync.schedule_due";

const payloadSchema = z.object({
  connectionId: z.string().min(1),
  kind: z.enum(["FULL", "INCREMENTAL", "AUTO"]).default("AUTO"),
  trigger: z.enum(["SCHEDULE", "MANUAL", "CLI"]).default("SCHEDULE"),
  requestedById: z.string().nullish(),
});
export type SyncJobPayload = z.input<typeof payloadSchema>;

export { syncSingletonKey };

export function enqueueSync(db: DbOrTx, payload: SyncJobPayload): Promise<Enqueued> {
  return enqueue(db, SYNC_CONNECTION, payload, { singletonKey: syncSingletonKey(payload.connectionId) });
}

/** Connections whose next sync is due at `now` (never synced, or the interval has passed since the last attempt). */
export async function dueConnections(db: Db, now: Date): Promise<string[]> {
  const rows = await db.pagerDutyConnection.findMany({
    where: { status: ConnectionStatus.ACTIVE },
    select: { id: true, lastSyncAt: true, syncIntervalMinutes: true },
  });
  return rows.filter((r) => !r.lastSyncAt || r.lastSyncAt.getTime() + r.syncIntervalMinutes * 60_000 <= now.getTime()).map((r) => r.id);
}

registerJob(
  SYNC_CONNECTION,
  async (payload, { db, signal, jobId }) => {
    const conn = await db.pagerDutyConnection.findUnique({ where: { id: payload.connectionId }, select: { status: true } });
    if (conn?.status !== ConnectionStatus.ACTIVE) return { skipped: "the connection is not active" };
    const result = await runSync(db, payload.connectionId, { kind: payload.kind, trigger: payload.trigger, requestedById: payload.requestedById ?? null, jobId, signal });
    // The failure is already recorded on the SyncRun; failing the job too makes it visible in job health and retries it once.
    if (result.status === "FAILED") throw new Error(`sync ${result.runId} failed: ${result.error ?? "unknown error"}`);
    return result;
  },
  { schema: payloadSchema, maxAttempts: 2, backoff: { baseMs: 60_000, maxMs: 5 * 60_000 }, timeoutMs: 30 * 60_000 },
);

registerJob(
  SYNC_SCHEDULE_DUE,
  async (_payload, { db }) => {
    const due = await dueConnections(db, new Date());
    for (const connectionId of due) await enqueueSync(db, { connectionId, kind: "AUTO", trigger: "SCHEDULE" });
    return { enqueued: due.length };
  },
  { maxAttempts: 1, timeoutMs: 60_000 },
);

ensureSchedule("sync.schedule_due.minutely", SYNC_SCHEDULE_DUE, 60, {});

/**
 * "Sync now": queues a sync of the connection on behalf of a person (who was authorized by the caller)
 * and records the request in the audit trail. A sync already queued or running is returned instead.
 */
export async function requestSync(db: Db, connectionId: string, actor: { personId: string; email: string }, opts: { kind?: "FULL" | "AUTO" } = {}): Promise<Enqueued> {
  return db.$transaction(async (tx) => {
    const conn = await tx.pagerDutyConnection.findUnique({ where: { id: connectionId }, select: { status: true } });
    if (!conn) throw new Error("No such connection.");
    if (conn.status !== ConnectionStatus.ACTIVE) throw new Error("The connection is not active: enable it before syncing.");
    const job = await enqueueSync(tx, { connectionId, kind: opts.kind ?? "AUTO", trigger: "MANUAL", requestedById: actor.personId });
    await appendAudit(tx, {
      actor: { type: "person", id: actor.personId, label: actor.email },
      action: "sync.requested",
      target: { type: "pagerduty_connection", id: connectionId },
      accountId: connectionId,
      after: { jobId: job.id, alreadyQueued: !job.created, kind: opts.kind ?? "AUTO" },
    });
    return job;
  });
}
