/**
 * One sync of one connection, start to finish: the SyncRun row (live progress, then history), the choice
 * of full or incremental, grants and drift after a complete picture, the connection's bookkeeping, and the
 * audit events (started / finished / failed / drift detected, as the system). A failure records what
 * failed (secrets scrubbed) and leaves the last good picture: removals and grants happen only after the
 * listings they depend on completed.
 */
import { randomUUID } from "node:crypto";
import { appendAudit } from "@/lib/audit";
import { openCredential, toPagerDutyCredential, type ClientTuning } from "@/lib/connections/credential";
import { redactSecrets } from "@/lib/connections/redact";
import type { Db } from "@/lib/db";
import { AttributionIndex } from "@/lib/grants/attribution";
import { applyBaselineGrants, applyGrants, planNewGrants } from "@/lib/grants/derive";
import { ConnectionStatus, type PagerDutyConnection } from "@/lib/generated/prisma/client";
import { createPagerDutyClient, isPagerDutyError, type PagerDutyClient, type PdAuditRecord, type RequestBudget, type RetryOptions } from "@/lib/pagerduty";
import { WriteQueue, type SyncContext } from "./context";
import { fullSync } from "./full";
import { incrementalSync, nextHighWater, readAuditSince, type HighWater } from "./incremental";
import { SyncProgress } from "./progress";
import { attributeDrift } from "./drift";

export type SyncKindName = "FULL" | "INCREMENTAL";
export type SyncTriggerName = "SCHEDULE" | "MANUAL" | "CLI";

export interface RunSyncOptions {
  /** Default: incremental when the account has the audit trail and a full sync ran within a day. */
  kind?: SyncKindName | "AUTO";
  trigger: SyncTriggerName;
  requestedById?: string | null;
  jobId?: string | null;
  signal?: AbortSignal;
  tuning?: Omit<ClientTuning, "retry"> & { retry?: RetryOptions; budget?: RequestBudget; pageConcurrency?: number };
  /** Test hook: called after every page (e.g. throw to kill the sync mid-way). */
  onPage?: (pages: number) => void;
  /** Benchmark hook: called when a phase starts (users, teams, …, grants). */
  onPhase?: (phase: string) => void;
  progressThrottleMs?: number;
}

export interface SyncRunResult {
  runId: string;
  status: "SUCCEEDED" | "FAILED";
  kind: SyncKindName;
  requests: number;
  durationMs: number;
  error?: string;
  warnings: string[];
  drift: number;
}

export const INTERRUPTED = "Interrupted: the process running this sync stopped before it finished. Nothing it had not completed was applied; the next sync picks up from the last good picture.";

export const DAILY_FULL_MS = 24 * 3_600_000;

export function chooseKind(conn: Pick<PagerDutyConnection, "abilities" | "lastFullSyncAt" | "auditHighWaterAt" | "baselineAt">, now: Date): SyncKindName {
  const fresh = conn.lastFullSyncAt && now.getTime() - conn.lastFullSyncAt.getTime() < DAILY_FULL_MS;
  return conn.abilities.includes("audit_trail") && fresh && conn.auditHighWaterAt && conn.baselineAt ? "INCREMENTAL" : "FULL";
}

const systemActor = { type: "system" as const, job: "sync.connection" };

export async function runSync(db: Db, connectionId: string, opts: RunSyncOptions): Promise<SyncRunResult> {
  const conn = await db.pagerDutyConnection.findUnique({ where: { id: connectionId } });
  if (!conn || conn.status !== ConnectionStatus.ACTIVE) throw new Error(`connection ${connectionId} is not active: nothing to sync`);
  const started = new Date();
  let kind: SyncKindName = opts.kind && opts.kind !== "AUTO" ? opts.kind : chooseKind(conn, started);
  const runId = randomUUID();
  await db.$transaction(async (tx) => {
    // A run still RUNNING was left by a process that stopped mid-way (syncs of a connection run one at a time).
    await tx.syncRun.updateMany({ where: { connectionId, status: "RUNNING" }, data: { status: "FAILED", error: INTERRUPTED, finishedAt: started } });
    await tx.syncRun.create({
      data: { id: runId, connectionId, kind, trigger: opts.trigger, phase: "starting", requestedById: opts.requestedById ?? null, jobId: opts.jobId ?? null, startedAt: started, progressAt: started },
    });
    await appendAudit(tx, { actor: systemActor, action: "sync.started", target: { type: "sync_run", id: runId }, accountId: connectionId, after: { kind, trigger: opts.trigger }, requestId: null, clientIp: null });
  });

  const progress = new SyncProgress(db, runId, opts.progressThrottleMs ?? 500);
  progress.onPage = opts.onPage;
  progress.onPhase = opts.onPhase;
  // The bar's first estimate: what the last successful run of this kind fetched.
  const previous = await db.syncRun.findFirst({ where: { connectionId, kind, status: "SUCCEEDED" }, orderBy: { startedAt: "desc" }, select: { pagesFetched: true } });
  if (previous) progress.expect(previous.pagesFetched);
  let secrets: string[] = [];
  const writes = new WriteQueue(db);
  try {
    const { client, secrets: used } = syncClient(conn, progress, opts.tuning);
    secrets = used;
    const ctx: SyncContext = { db, connectionId, client, progress, seenAt: started, abilities: new Set(conn.abilities), horizonDays: conn.oncallHorizonDays, writes, signal: opts.signal };
    ctx.abilities = await readAbilities(ctx, conn.abilities);

    let mark: HighWater = { at: conn.auditHighWaterAt ?? started, ids: conn.auditHighWaterIds };
    let records: PdAuditRecord[] = [];
    let oncallsUntil: Date | null = conn.oncallsSyncedUntil;
    if (kind === "INCREMENTAL") {
      try {
        progress.setPhase("audit");
        records = await readAuditSince(ctx, mark, started);
      } catch (error) {
        if (!(isPagerDutyError(error) && error.status === 402)) throw error;
        kind = "FULL";
        await db.syncRun.update({ where: { id: runId }, data: { kind, fallbackReason: "The audit trail answered 402 (the account lacks the Audit Trail feature): ran a full sync instead." } });
      }
    }
    if (kind === "INCREMENTAL") {
      ({ oncallsUntil } = await incrementalSync(ctx, records, conn.oncallsSyncedUntil));
      mark = nextHighWater(mark, records);
    } else {
      const full = await fullSync(ctx);
      oncallsUntil = full.oncallsUntil;
      // Records since the last sync explain drift; the next incremental starts where this one began.
      if (conn.baselineAt && ctx.abilities.has("audit_trail") && conn.auditHighWaterAt) {
        progress.setPhase("audit");
        records = await readAuditSince(ctx, mark, started).catch(() => []);
      }
      mark = { at: started, ids: [] };
    }
    await ctx.writes.drain();

    progress.setPhase("grants");
    const baseline = !conn.baselineAt;
    const planned = baseline ? [] : await planNewGrants(db, connectionId);
    const index = baseline ? new AttributionIndex() : await attributeDrift(ctx, planned, records, conn.lastSuccessfulSyncAt ?? conn.baselineAt);
    const finished = new Date();
    const durationMs = finished.getTime() - started.getTime();
    const result = await db.$transaction(
      async (tx) => {
        const grants = baseline
          ? await applyBaselineGrants(tx, { connectionId, runId, at: started })
          : await applyGrants(tx, { connectionId, runId, at: started, baseline, planned, attribution: (g) => index.find(g) });
        progress.count("grants", { created: grants.created, updated: 0, removed: grants.removed });
        progress.phase = "done";
        await tx.syncRun.update({ where: { id: runId }, data: { ...finalFields(progress), status: "SUCCEEDED", finishedAt: finished, durationMs } });
        await tx.pagerDutyConnection.update({
          where: { id: connectionId },
          data: {
            abilities: [...ctx.abilities].sort(),
            lastSyncAt: finished,
            lastSuccessfulSyncAt: finished,
            lastUsedAt: finished,
            ...(kind === "FULL" ? { lastFullSyncAt: finished } : {}),
            ...(baseline ? { baselineAt: started } : {}),
            auditHighWaterAt: mark.at,
            auditHighWaterIds: mark.ids,
            oncallsSyncedUntil: oncallsUntil,
          },
        });
        const after = { kind, requests: progress.requests, durationMs, changes: progress.changes, warnings: progress.warnings };
        await appendAudit(tx, { actor: systemActor, action: "sync.finished", target: { type: "sync_run", id: runId }, accountId: connectionId, after, requestId: null, clientIp: null });
        if (grants.drift.length) {
          await appendAudit(tx, {
            actor: systemActor,
            action: "sync.drift_detected",
            target: { type: "sync_run", id: runId },
            accountId: connectionId,
            after: { count: grants.drift.length, grants: grants.drift.slice(0, 100) },
            requestId: null,
            clientIp: null,
          });
        }
        return grants;
      },
      { timeout: 120_000, maxWait: 60_000 },
    );
    return { runId, status: "SUCCEEDED", kind, requests: progress.requests, durationMs, warnings: progress.warnings, drift: result.drift.length };
  } catch (error) {
    // Writes already queued (listings that completed) finish before the run is closed: none may land after
    // it, where they could re-stamp rows under the next run's feet.
    await writes.settle();
    await progress.settle();
    const message = redactSecrets(describeFailure(error), secrets).slice(0, 2000);
    const finished = new Date();
    const durationMs = finished.getTime() - started.getTime();
    await db.$transaction(async (tx) => {
      await tx.syncRun.update({ where: { id: runId }, data: { ...finalFields(progress), status: "FAILED", error: message, finishedAt: finished, durationMs } });
      await tx.pagerDutyConnection.update({ where: { id: connectionId }, data: { lastSyncAt: finished } });
      await appendAudit(tx, { actor: systemActor, action: "sync.failed", target: { type: "sync_run", id: runId }, accountId: connectionId, after: { kind, phase: progress.phase, error: message }, requestId: null, clientIp: null });
    });
    return { runId, status: "FAILED", kind, requests: progress.requests, durationMs, error: message, warnings: progress.warnings, drift: 0 };
  }
}

/** What failed, in words an administrator can act on (PagerDuty's own answer kept). */
export function describeFailure(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  if (isPagerDutyError(error) && error.kind === "http") {
    if (error.status === 401) return `PagerDuty refused the credential — it may have been revoked or mistyped; rotate it on the connection's page. (${text})`;
    if (error.status === 403) return `The credential is not allowed to read what the sync needs — use a key or OAuth scopes with read access. (${text})`;
  }
  return text;
}

/** The run's PagerDuty client: requests, 429s and retries counted on `progress`. */
export function syncClient(conn: PagerDutyConnection, progress: SyncProgress, tuning: RunSyncOptions["tuning"] = {}): { client: PagerDutyClient; secrets: string[] } {
  const secret = openCredential(conn);
  const client = createPagerDutyClient({
    baseUrl: conn.apiBaseUrl,
    credential: toPagerDutyCredential(conn, secret),
    fetch: tuning.fetch,
    timeoutMs: tuning.timeoutMs,
    retry: tuning.retry,
    budget: tuning.budget,
    pageConcurrency: tuning.pageConcurrency,
    onRequest: progress.onRequest,
  });
  return { client, secrets: secret.kind === "API_KEY" ? [secret.apiKey] : [secret.clientSecret] };
}

function finalFields(progress: SyncProgress) {
  const s = progress.snapshot();
  return { ...s, changes: s.changes as Record<string, { created: number; updated: number; removed: number }>, progressAt: new Date() };
}

/** GET /abilities (1 request). A credential without abilities.read keeps what the last check found. */
async function readAbilities(ctx: SyncContext, stored: string[]): Promise<Set<string>> {
  try {
    const abilities = await ctx.client.listAbilities();
    ctx.progress.page("abilities", abilities.length);
    return new Set(abilities);
  } catch (error) {
    if (isPagerDutyError(error) && error.kind === "http" && (error.status === 403 || error.status === 402)) return new Set(stored);
    throw error;
  }
}

