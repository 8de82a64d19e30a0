import { randomUUID } from "node:crypto";
import type { DbOrTx, Tx } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { DEFAULT_MAX_ATTEMPTS, declaredSchedules, jobDefinition, type BackoffPolicy } from "./registry";

export interface EnqueueOptions {
  /** Not before this time (default: now). */
  runAt?: Date;
  /** At most one QUEUED or RUNNING job per key; enqueueing again while one is active returns it. */
  singletonKey?: string;
  /** Overrides the registered default for this one job. */
  maxAttempts?: number;
}

export interface Enqueued {
  id: string;
  /** false when a job with the same singletonKey was already active: `id` is that job's. */
  created: boolean;
}

/** JSON as it will be stored (bigints as strings, Dates as ISO strings). */
export function toStoredJson(value: unknown): Prisma.InputJsonValue {
  const text = JSON.stringify(value ?? {}, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  return JSON.parse(text) as Prisma.InputJsonValue;
}

/**
 * Queues a job. Pass the caller's transaction to create the job atomically with its cause: it exists
 * exactly when the cause commits. The job's name need not be registered in this process (the web
 * process enqueues, a worker process runs), but it must be registered in the workers.
 */
export async function enqueue(db: DbOrTx, name: string, payload: unknown = {}, options: EnqueueOptions = {}): Promise<Enqueued> {
  const maxAttempts = options.maxAttempts ?? jobDefinition(name)?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new Error(`enqueue ${name}: maxAttempts must be a whole number of at least 1`);
  const key = options.singletonKey ?? null;
  // A singleton may be finishing at this very moment, so "insert, or else read the active one" is
  // retried: after a conflict the active job can be gone before we read it.
  for (let round = 0; round < 3; round++) {
    // ON CONFLICT DO NOTHING instead of catching a unique violation: on PostgreSQL a failed statement
    // aborts the caller's whole transaction, and the caller's cause must still commit.
    const created = await db.job.createManyAndReturn({
      data: [{ id: randomUUID(), name, payload: toStoredJson(payload), runAt: options.runAt ?? new Date(), maxAttempts, singletonKey: key, activeKey: key }],
      skipDuplicates: true,
      select: { id: true },
    });
    if (created[0]) return { id: created[0].id, created: true };
    if (key === null) throw new Error(`enqueue ${name}: the job could not be inserted`);
    const active = await db.job.findUnique({ where: { activeKey: key }, select: { id: true } });
    if (active) return { id: active.id, created: false };
  }
  throw new Error(`enqueue ${name}: singleton ${key} kept changing hands; try again`);
}

/** Exponential backoff with "equal jitter": half the delay is fixed, half random, so retries spread out. */
export function retryDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + (exponential / 2) * random());
}

/**
 * Writes this process's declared schedules to JobSchedule. A new schedule is due at once; an existing
 * one keeps its next run time (restarts do not re-run it), but takes a changed job, payload or interval.
 */
export async function syncSchedules(db: DbOrTx): Promise<void> {
  for (const s of declaredSchedules()) {
    const data = { jobName: s.jobName, payload: toStoredJson(s.payload), intervalSeconds: s.intervalSeconds, enabled: true };
    await db.jobSchedule.upsert({ where: { name: s.name }, create: { name: s.name, nextRunAt: new Date(), ...data }, update: data });
  }
}

/**
 * Enqueues every schedule that is due and moves it to its next slot after now, all in one short
 * transaction. Schedules locked by another worker are skipped (SKIP LOCKED); one that commits first
 * moves nextRunAt past now, so a second worker finds it not due: one job per interval, however many
 * workers tick. Times come from the database clock, so workers on machines with skewed clocks agree.
 * The job gets singletonKey "schedule:<name>": a run still queued or running is not doubled.
 */
export async function enqueueDueSchedules(tx: Tx): Promise<string[]> {
  const due = await tx.$queryRaw<{ name: string; jobName: string; payload: Prisma.JsonValue }[]>`
    SELECT "name", "jobName", "payload" FROM "JobSchedule"
    WHERE "enabled" AND "nextRunAt" <= now()
    ORDER BY "nextRunAt"
    FOR UPDATE SKIP LOCKED`;
  for (const s of due) {
    await enqueue(tx, s.jobName, s.payload, { singletonKey: `schedule:${s.name}` });
    // Next slot strictly after now, in phase with the original time: a worker that was down for a
    // week runs the job once, not once per missed interval.
    await tx.$executeRaw`
      UPDATE "JobSchedule"
      SET "nextRunAt" = "nextRunAt" + make_interval(secs => "intervalSeconds" * (floor(extract(epoch FROM now() - "nextRunAt") / "intervalSeconds") + 1))
      WHERE "name" = ${s.name}`;
  }
  return due.map((s) => s.name);
}
