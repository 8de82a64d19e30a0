import type { ZodType } from "zod";
import type { Db } from "@/lib/db";

/** What a handler gets besides its payload. */
export interface JobContext {
  jobId: string;
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number;
  maxAttempts: number;
  workerId: string;
  /** The worker's database (not a transaction: open your own, and enqueue follow-ups inside it). */
  db: Db;
  /** Aborted when the attempt times out or the worker loses the job's lease: stop work and return. */
  signal: AbortSignal;
}

export type JobHandler<P> = (payload: P, ctx: JobContext) => Promise<unknown>;

export interface BackoffPolicy {
  /** Delay before the first retry; doubled for each further attempt. */
  baseMs: number;
  /** Cap on the delay. */
  maxMs: number;
}

export interface JobOptions<P> {
  /** Attempts in all, the first run included (default 5). Enqueue may override it per job. */
  maxAttempts?: number;
  backoff?: Partial<BackoffPolicy>;
  /** An attempt still running after this long counts as failed (default 5 minutes). */
  timeoutMs?: number;
  /** Validates the stored payload before the handler sees it; an invalid payload fails at once. */
  schema?: ZodType<P>;
  /**
   * Claimed ahead of other due jobs: short, time-critical ticks (the access tick that ends grants on time,
   * the pipeline's sweep) must not wait behind hundreds of queued applies.
   */
  urgent?: boolean;
}

export interface JobDefinition {
  name: string;
  handler: JobHandler<unknown>;
  maxAttempts: number;
  backoff: BackoffPolicy;
  timeoutMs: number;
  urgent: boolean;
  parse(payload: unknown): unknown;
}

export interface ScheduleDefinition {
  /** Stable id of the schedule (JobSchedule.name). */
  name: string;
  jobName: string;
  intervalSeconds: number;
  payload: unknown;
}

export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 5_000, maxMs: 15 * 60_000 };
export const DEFAULT_TIMEOUT_MS = 5 * 60_000;

// On globalThis: Next.js can load this module in several bundles of one process, and the embedded
// worker must see every handler whichever bundle registered it.
const g = globalThis as unknown as { __portalJobs?: { jobs: Map<string, JobDefinition>; schedules: Map<string, ScheduleDefinition> } };
const registry = (g.__portalJobs ??= { jobs: new Map(), schedules: new Map() });

const NAME = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;

/**
 * Declares how to run jobs called `name`. Registering a name again replaces its handler (module
 * reloads in development), so a registry module can be imported any number of times.
 */
export function registerJob<P>(name: string, handler: JobHandler<P>, options: JobOptions<P> = {}): void {
  if (!NAME.test(name)) throw new Error(`job name "${name}" must be dotted lower-case, e.g. "audit.verify_chain"`);
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new Error(`job ${name}: maxAttempts must be a whole number of at least 1`);
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  if (backoff.baseMs < 0 || backoff.maxMs < backoff.baseMs) throw new Error(`job ${name}: backoff needs 0 <= baseMs <= maxMs`);
  const schema = options.schema;
  registry.jobs.set(name, {
    name,
    handler: handler as JobHandler<unknown>,
    maxAttempts,
    backoff,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    urgent: options.urgent ?? false,
    parse: schema ? (payload: unknown) => schema.parse(payload) : (payload: unknown) => payload,
  });
}

/**
 * Declares a recurring job: `jobName` with `payload` every `intervalSeconds`. Declarations live in
 * memory; each worker writes them to JobSchedule when it starts (see syncSchedules), and the database
 * row decides when the next run is due, so any number of workers enqueue it once per interval.
 */
export function ensureSchedule(name: string, jobName: string, intervalSeconds: number, payload: unknown = {}): void {
  if (!Number.isInteger(intervalSeconds) || intervalSeconds < 1) throw new Error(`schedule ${name}: intervalSeconds must be a whole number of at least 1`);
  registry.schedules.set(name, { name, jobName, intervalSeconds, payload });
}

export function jobDefinition(name: string): JobDefinition | undefined {
  return registry.jobs.get(name);
}

export function registeredJobNames(): string[] {
  return [...registry.jobs.keys()];
}

export function declaredSchedules(): ScheduleDefinition[] {
  return [...registry.schedules.values()];
}

/** Tests only: forget a job or schedule declared by another test. */
export function unregisterForTests(name: string): void {
  registry.jobs.delete(name);
  registry.schedules.delete(name);
}
