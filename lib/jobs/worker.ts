import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Db } from "@/lib/db";
import { JobStatus, Prisma } from "@/lib/generated/prisma/client";
import { enqueueDueSchedules, retryDelayMs, syncSchedules, toStoredJson } from "./queue";
import { jobDefinition, registeredJobNames, type JobDefinition } from "./registry";

/** Thrown by a handler for a failure that no retry can fix (bad input, a refused permission…). */
export class PermanentJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PermanentJobError";
  }
}

export class JobTimeoutError extends Error {
  constructor(ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = "JobTimeoutError";
  }
}

export type WorkerLog = (level: "info" | "warn" | "error", message: string, fields?: Record<string, unknown>) => void;

export interface WorkerOptions {
  db: Db;
  /** Names this worker in Job.lockedBy (default host:pid:random). */
  id?: string;
  /** Jobs run side by side (default 4). */
  concurrency?: number;
  /** How often to look for due jobs when idle (default 1000 ms). */
  pollMs?: number;
  /** How long a claim holds without a heartbeat; a crashed worker's jobs are re-claimed after it (default 30 s). */
  leaseMs?: number;
  /** How often running jobs' leases are renewed (default leaseMs / 3). */
  heartbeatMs?: number;
  /** Job names to run (default: every name registered when start() is called). */
  names?: string[];
  /** Enqueue due recurring jobs (default true). */
  schedules?: boolean;
  /** Source of jitter for retry delays (tests make it deterministic). */
  random?: () => number;
  log?: WorkerLog;
}

interface ClaimedJob {
  id: string;
  name: string;
  payload: Prisma.JsonValue;
  attempts: number;
  maxAttempts: number;
}

interface RunningJob {
  job: ClaimedJob;
  controller: AbortController;
  done: Promise<void>;
}

const consoleLog: WorkerLog = (level, message, fields) => {
  const line = `[jobs] ${message}${fields ? ` ${JSON.stringify(fields)}` : ""}`;
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.info(line);
};

const errorText = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 4000);

/**
 * Runs queued jobs from the database. Any number of workers, in one process or many, share one queue:
 * a claim is one statement (SELECT … FOR UPDATE SKIP LOCKED inside an UPDATE), so a job is handed to
 * exactly one worker, and it holds a lease (lockedUntil) the worker renews while the job runs. A
 * worker that dies stops renewing; once the lease expires another worker claims the job again.
 * Completion is fenced by (lockedBy, attempts): a worker that lost its lease cannot overwrite the
 * outcome of the worker that took over.
 */
export class Worker {
  readonly id: string;
  private readonly db: Db;
  private readonly concurrency: number;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly heartbeatMs: number;
  private readonly runSchedules: boolean;
  private readonly random: () => number;
  private readonly log: WorkerLog;
  private names: string[];
  private readonly running = new Map<string, RunningJob>();
  private loop: Promise<void> | null = null;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private stopping = false;
  /** Set by abandon(): the process is treated as dead, so nothing more is written. */
  private crashed = false;
  private wake: (() => void) | null = null;

  constructor(options: WorkerOptions) {
    this.db = options.db;
    this.id = options.id ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
    this.concurrency = options.concurrency ?? 4;
    this.pollMs = options.pollMs ?? 1000;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.heartbeatMs = options.heartbeatMs ?? Math.max(10, Math.floor(this.leaseMs / 3));
    this.runSchedules = options.schedules ?? true;
    this.random = options.random ?? Math.random;
    this.log = options.log ?? consoleLog;
    this.names = options.names ?? [];
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) throw new Error("Worker concurrency must be a whole number of at least 1");
    if (this.heartbeatMs >= this.leaseMs) throw new Error("Worker heartbeatMs must be shorter than leaseMs, or leases expire under running jobs");
  }

  get isRunning(): boolean {
    return this.loop !== null;
  }

  /** Jobs this worker is running right now. */
  get activeJobIds(): string[] {
    return [...this.running.keys()];
  }

  start(): this {
    if (this.loop) return this;
    if (this.names.length === 0) this.names = registeredJobNames();
    this.stopping = false;
    this.heartbeat = setInterval(() => void this.renewLeases(), this.heartbeatMs);
    this.loop = this.runLoop();
    this.log("info", "worker started", { worker: this.id, concurrency: this.concurrency, jobs: this.names });
    return this;
  }

  /**
   * Stops claiming, then waits for running jobs to finish (their leases are renewed meanwhile). After
   * `timeoutMs` the jobs still running are told to abort and left to their leases: another worker
   * re-claims them once the lease expires.
   */
  async stop({ timeoutMs = 30_000 }: { timeoutMs?: number } = {}): Promise<void> {
    if (!this.loop) return;
    this.stopping = true;
    this.wake?.();
    await this.loop;
    const all = Promise.all([...this.running.values()].map((r) => r.done));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = await Promise.race([all.then(() => false), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs)))]);
    clearTimeout(timer);
    if (timedOut) {
      this.log("warn", "stop: jobs still running were told to abort; their leases will expire", { worker: this.id, jobs: this.activeJobIds });
      for (const r of this.running.values()) r.controller.abort(new Error("worker stopping"));
    }
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    this.loop = null;
    this.log("info", "worker stopped", { worker: this.id });
  }

  /**
   * Simulates a crash (tests): stops claiming and renewing at once, abandons running jobs without
   * recording an outcome. Their leases expire and another worker takes them over.
   */
  async abandon(): Promise<void> {
    this.stopping = true;
    this.crashed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    for (const r of this.running.values()) r.controller.abort(new Error("worker crashed"));
    this.wake?.();
    await this.loop;
    this.loop = null;
  }

  private readonly announcedSchedules = new Set<string>();

  private async runLoop(): Promise<void> {
    if (this.runSchedules) await this.guard("sync schedules", () => syncSchedules(this.db));
    let lastScheduleTick = 0;
    while (!this.stopping) {
      let claimedAll = false;
      await this.guard("poll", async () => {
        if (this.runSchedules && Date.now() - lastScheduleTick >= this.pollMs) {
          lastScheduleTick = Date.now();
          const enqueued = await this.db.$transaction((tx) => enqueueDueSchedules(tx));
          // Each schedule is logged the first time it fires: a 15-second sweep would otherwise fill the log.
          const first = enqueued.filter((name) => !this.announcedSchedules.has(name));
          for (const name of first) this.announcedSchedules.add(name);
          if (first.length) this.log("info", "scheduled jobs enqueued (each schedule is logged once)", { worker: this.id, schedules: first });
        }
        const free = this.concurrency - this.running.size;
        if (free <= 0 || this.names.length === 0) return;
        const jobs = await this.claim(free);
        for (const job of jobs) this.launch(job);
        // A full batch means more may be waiting: look again at once instead of sleeping.
        claimedAll = jobs.length === free;
      });
      if (!claimedAll && !this.stopping) await this.sleep(this.pollMs);
    }
  }

  private async claim(limit: number): Promise<ClaimedJob[]> {
    // Urgent jobs (registerJob's `urgent`) first, then oldest due first.
    const urgent = this.names.filter((n) => jobDefinition(n)?.urgent);
    return this.db.$queryRaw<ClaimedJob[]>`
      WITH picked AS (
        SELECT "id" FROM "Job"
        WHERE "name" IN (${Prisma.join(this.names)})
          AND (("status" = 'QUEUED' AND "runAt" <= now()) OR ("status" = 'RUNNING' AND "lockedUntil" < now()))
        ORDER BY ("name" IN (${Prisma.join(urgent.length ? urgent : [""])})) DESC, "runAt", "createdAt"
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      )
      UPDATE "Job" AS j SET
        "status" = 'RUNNING',
        "attempts" = j."attempts" + 1,
        "lockedBy" = ${this.id},
        "lockedUntil" = now() + ${this.leaseMs} * interval '1 millisecond',
        "startedAt" = now(),
        "lastError" = CASE WHEN j."status" = 'RUNNING'
          THEN 'lease expired: worker ' || coalesce(j."lockedBy", '?') || ' stopped renewing it (attempt ' || j."attempts" || ')'
          ELSE j."lastError" END
      FROM picked WHERE j."id" = picked."id"
      RETURNING j."id", j."name", j."payload", j."attempts", j."maxAttempts"`;
  }

  private launch(job: ClaimedJob) {
    const controller = new AbortController();
    const entry: RunningJob = { job, controller, done: Promise.resolve() };
    entry.done = this.execute(job, controller)
      .catch((error: unknown) => this.log("error", "recording a job's outcome failed; its lease will expire and it will run again", { job: job.id, error: errorText(error) }))
      .finally(() => {
        this.running.delete(job.id);
        this.wake?.();
      });
    this.running.set(job.id, entry);
  }

  private async execute(job: ClaimedJob, controller: AbortController): Promise<void> {
    const definition = jobDefinition(job.name);
    if (!definition) return this.finishFailed(job, `no handler registered for ${job.name} in worker ${this.id}`);
    if (job.attempts > job.maxAttempts) {
      // Its last attempt died with its worker (the claim noted that in lastError): do not run it again.
      return this.finishFailed(job, `gave up after ${job.maxAttempts} attempt(s): the last one was lost when its worker stopped`);
    }
    let result: unknown;
    try {
      const payload = parsePayload(definition, job.payload);
      result = await this.withTimeout(
        definition.handler(payload, { jobId: job.id, attempt: job.attempts, maxAttempts: job.maxAttempts, workerId: this.id, db: this.db, signal: controller.signal }),
        definition.timeoutMs,
        controller,
      );
    } catch (error) {
      // Crashed, or stopped hard: record nothing, the lease decides.
      if (this.crashed || (controller.signal.aborted && !(error instanceof JobTimeoutError) && this.stopping)) return;
      const permanent = error instanceof PermanentJobError;
      if (!permanent && job.attempts < job.maxAttempts) return this.scheduleRetry(job, definition, error);
      return this.finishFailed(job, errorText(error));
    }
    if (this.crashed) return;
    const done = await this.db.job.updateMany({
      where: this.fence(job),
      data: { status: JobStatus.SUCCEEDED, result: result === undefined ? Prisma.DbNull : toStoredJson(result), finishedAt: new Date(), activeKey: null, lockedBy: null, lockedUntil: null },
    });
    if (done.count === 0) this.log("warn", "job finished after its lease was lost; the outcome of the worker that took over stands", { job: job.id, worker: this.id });
  }

  private async scheduleRetry(job: ClaimedJob, definition: JobDefinition, error: unknown) {
    const delay = retryDelayMs(job.attempts, definition.backoff, this.random);
    await this.db.job.updateMany({
      where: this.fence(job),
      // activeKey stays: the job is still the active one of its singleton while it waits to retry.
      data: { status: JobStatus.QUEUED, runAt: new Date(Date.now() + delay), lastError: errorText(error), lockedBy: null, lockedUntil: null },
    });
    this.log("warn", "job failed; retrying", { job: job.id, name: job.name, attempt: job.attempts, of: job.maxAttempts, retryInMs: delay, error: errorText(error) });
  }

  private async finishFailed(job: ClaimedJob, lastError: string) {
    await this.db.job.updateMany({
      where: this.fence(job),
      data: { status: JobStatus.FAILED, lastError, finishedAt: new Date(), activeKey: null, lockedBy: null, lockedUntil: null, attempts: Math.min(job.attempts, job.maxAttempts) },
    });
    this.log("error", "job failed for good", { job: job.id, name: job.name, attempts: job.attempts, error: lastError });
  }

  /** Only the worker holding this attempt's claim may record its outcome. */
  private fence(job: ClaimedJob) {
    return { id: job.id, lockedBy: this.id, attempts: job.attempts, status: JobStatus.RUNNING };
  }

  private async renewLeases() {
    const ids = this.activeJobIds;
    if (ids.length === 0) return;
    await this.guard("renew leases", async () => {
      const renewed = await this.db.$queryRaw<{ id: string }[]>`
        UPDATE "Job" SET "lockedUntil" = now() + ${this.leaseMs} * interval '1 millisecond'
        WHERE "id" IN (${Prisma.join(ids)}) AND "lockedBy" = ${this.id} AND "status" = 'RUNNING'
        RETURNING "id"`;
      const kept = new Set(renewed.map((r) => r.id));
      for (const id of ids) {
        const entry = this.running.get(id);
        if (entry && !kept.has(id) && !entry.controller.signal.aborted) {
          this.log("warn", "lost the lease of a running job (it expired and was re-claimed); aborting it here", { job: id, worker: this.id });
          entry.controller.abort(new Error("lease lost"));
        }
      }
    });
  }

  private withTimeout<T>(work: Promise<T>, timeoutMs: number, controller: AbortController): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new JobTimeoutError(timeoutMs);
        reject(error); // settle the race first: an aborted handler rejects with its own error next
        controller.abort(error);
      }, timeoutMs);
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }

  /** A database hiccup must not kill the loop: log it and try again on the next poll. */
  private async guard(what: string, fn: () => Promise<unknown>) {
    try {
      await fn();
    } catch (error) {
      this.log("error", `${what} failed`, { worker: this.id, error: errorText(error) });
    }
  }
}

function parsePayload(definition: JobDefinition, payload: unknown): unknown {
  try {
    return definition.parse(payload);
  } catch (error) {
    throw new PermanentJobError(`invalid payload for ${definition.name}: ${errorText(error)}`, { cause: error });
  }
}
