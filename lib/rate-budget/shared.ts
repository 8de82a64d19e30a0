/**
 * One PagerDuty rate budget per credential across every process that uses it (PostgreSQL deployments: web
 * servers and any number of `npm run worker` processes on any machines).
 *
 * The budget is a row per credential fingerprint (PagerDutyRateBudget). A process reserves tokens from it in
 * batches, with one statement (`pd_rate_budget_reserve`, one round trip), and hands them to its own waiting
 * requests. The row keeps the same guarantee as the in-process RateBudget — no window of `windowMs` sees
 * more than `limit` requests, across all processes — by counting each batch for `holdMs` after its grant:
 * the window, plus the batch's lifetime (a process drops tokens it has not used within `batchTtlMs`), plus a
 * safety margin for latency. Unused tokens are given back with the next reservation (no extra round trip).
 *
 * PagerDuty's word wins when stricter: every reservation carries the latest `ratelimit-*` answer, which can
 * only lower what is handed out, and a 429 (with `ratelimit-reset` or `Retry-After`) is written at once
 * (`pd_rate_budget_pause`): every process using the credential pauses until the reset.
 *
 * Batch size follows demand: the requests waiting now, or the number granted in the last batch lifetime,
 * whichever is larger (capped), so a busy process makes one round trip per many requests and an idle one
 * holds nothing.
 */
import type { Db } from "@/lib/db";
import {
  DEFAULT_RATE_LIMIT,
  DEFAULT_WINDOW_MS,
  pauseMsAfter429,
  type RateBudgetOptions,
  type RateBudgetStats,
  type RateObservation,
  type RequestBudget,
  WaitingLine,
} from "@/lib/pagerduty";

export interface SharedRateBudgetOptions extends RateBudgetOptions {
  /** How long a process may keep reserved tokens before they are dropped (default 500 ms). */
  batchTtlMs?: number;
  /** Most tokens reserved at once (default limit / 30, at least 1). */
  maxBatch?: number;
  /** Told about database failures (the budget keeps retrying: requests wait, nothing is sent unbudgeted). */
  onError?: (error: unknown) => void;
}

export interface SharedRateBudgetStats extends RateBudgetStats {
  /** Statements sent to the database (reservations and pauses): the budget's cost in round trips. */
  roundTrips: number;
}

interface Batch {
  left: number;
  /** Grant time on the database clock, to give unused tokens back. */
  grantedAt: Date;
  /** Local time after which the tokens may no longer be used (measured from before the request was sent). */
  usableUntil: number;
}

interface Reserved {
  granted: number;
  batch_at: Date | null;
  wait_ms: number;
  budget_limit: number;
}

export class SharedRateBudget implements RequestBudget {
  private limit: number;
  private readonly windowMs: number;
  private readonly holdMs: number;
  private readonly batchTtlMs: number;
  private readonly maxBatch: number;
  private readonly maxResetJitterMs: number;
  private readonly now: () => number;
  private readonly queue = new WaitingLine();
  private batch: Batch | null = null;
  private giveBack: { count: number; at: Date } | null = null;
  private observation: (RateObservation & { at: number }) | null = null;
  private reserving = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private expiry: ReturnType<typeof setTimeout> | undefined;
  private pausedUntil = 0;
  private grants: number[] = [];
  private granted = 0;
  private rateLimited = 0;
  private roundTrips = 0;
  private failures = 0;

  constructor(
    private readonly db: Db,
    readonly fingerprint: string,
    private readonly options: SharedRateBudgetOptions = {},
  ) {
    this.limit = positiveInt(options.limit, DEFAULT_RATE_LIMIT);
    this.windowMs = positiveInt(options.windowMs, DEFAULT_WINDOW_MS);
    this.batchTtlMs = positiveInt(options.batchTtlMs, 500);
    const safetyMs = options.safetyMs ?? Math.min(1_000, Math.ceil(this.windowMs / 60));
    this.holdMs = this.windowMs + this.batchTtlMs + safetyMs;
    this.maxBatch = positiveInt(options.maxBatch, Math.max(1, Math.floor(this.limit / 30)));
    this.maxResetJitterMs = options.maxResetJitterMs ?? Math.min(1_000, Math.ceil(this.windowMs / 60));
    this.now = options.now ?? Date.now;
  }

  acquire(signal?: AbortSignal): Promise<void> {
    return this.queue.join(signal, () => this.pump());
  }

  observe(info: RateObservation): void {
    if (info.limit !== undefined && Number.isFinite(info.limit) && info.limit > 0) this.limit = Math.floor(info.limit);
    if (info.status === 429) {
      this.rateLimited++;
      const pauseMs = pauseMsAfter429(info, this.windowMs);
      // Stop here at once; the row tells every other process. Tokens in hand are given back.
      this.pausedUntil = Math.max(this.pausedUntil, this.now() + pauseMs + Math.random() * this.maxResetJitterMs);
      this.dropBatch();
      this.roundTrips++;
      this.db
        .$queryRaw`SELECT pd_rate_budget_pause(${this.fingerprint}, ${Math.ceil(pauseMs)}::int, ${this.limit}::int, ${this.windowMs}::int, ${this.holdMs}::int)`
        .catch((error: unknown) => this.options.onError?.(error));
      this.schedule(this.pausedUntil - this.now());
      return;
    }
    if (info.remaining !== undefined && info.resetSeconds !== undefined) this.observation = { ...info, at: this.now() };
  }

  stats(): SharedRateBudgetStats {
    const now = this.now();
    return {
      limit: this.limit,
      inWindow: this.grants.filter((t) => t > now - this.windowMs).length,
      waiting: this.queue.length,
      granted: this.granted,
      rateLimited: this.rateLimited,
      pausedUntil: this.pausedUntil > now ? this.pausedUntil : 0,
      roundTrips: this.roundTrips,
    };
  }

  /** Hands out tokens in hand, and reserves more when requests are waiting. */
  private pump(): void {
    const now = this.now();
    if (this.batch && (this.batch.usableUntil <= now || now < this.pausedUntil)) this.dropBatch();
    while (this.queue.length > 0 && this.batch && this.batch.left > 0) {
      this.batch.left--;
      this.granted++;
      this.grants.push(now);
      this.queue.admitFirst();
    }
    if (this.batch && this.batch.left === 0) this.batch = null;
    if (this.grants.length > 2 * this.limit) this.grants.splice(0, this.grants.length - this.limit);
    if (this.queue.length === 0) return this.idle(now);
    if (this.reserving || this.timer !== undefined) return;
    if (now < this.pausedUntil) return this.schedule(this.pausedUntil - now);
    // On the next turn of the event loop: callers arriving together (a listing's page fetchers) share a batch.
    this.reserving = true;
    setImmediate(() => void this.reserve());
  }

  /**
   * Nobody is waiting: tokens still in hand are given back as soon as their lifetime ends (one round trip),
   * rather than at the next reservation, which may come much later — meanwhile the others could use them.
   */
  private idle(now: number): void {
    if (this.batch) {
      if (this.expiry === undefined) {
        this.expiry = setTimeout(() => {
          this.expiry = undefined;
          this.pump();
        }, Math.max(1, this.batch.usableUntil - now));
        this.expiry.unref?.();
      }
      return;
    }
    if (this.giveBack && !this.reserving) {
      this.reserving = true;
      setImmediate(() => void this.reserve());
    }
  }

  private async reserve(): Promise<void> {
    const askedAt = this.now();
    const recent = this.grants.filter((t) => t > askedAt - this.batchTtlMs).length;
    // Nobody waiting (a give-back only): ask for nothing.
    const want = this.queue.length === 0 ? 0 : Math.min(this.maxBatch, Math.max(this.queue.length, recent));
    const giveBack = this.giveBack;
    const obs = this.observation;
    this.giveBack = null;
    this.observation = null;
    let retryInMs = 0;
    try {
      this.roundTrips++;
      const rows = await this.db.$queryRaw<Reserved[]>`
        SELECT * FROM pd_rate_budget_reserve(
          ${this.fingerprint}, ${want}::int, ${this.limit}::int, ${this.windowMs}::int, ${this.holdMs}::int,
          ${giveBack?.count ?? 0}::int, ${giveBack?.at ?? null}::timestamptz,
          ${obs?.limit ?? null}::int, ${obs?.remaining ?? null}::int,
          ${obs?.resetSeconds === undefined ? null : Math.round(obs.resetSeconds * 1000)}::int,
          ${obs ? Math.round(askedAt - obs.at) : null}::int, ${obs?.inFlight ?? null}::int)`;
      const row = rows[0] as Reserved;
      this.failures = 0;
      this.limit = row.budget_limit;
      if (row.granted > 0 && row.batch_at) {
        this.batch = { left: row.granted, grantedAt: row.batch_at, usableUntil: askedAt + this.batchTtlMs };
      }
      // Ask again when the next batch returns (the row knows when), or within 5 s: another process may
      // give tokens back before that.
      if (row.granted < want) retryInMs = Math.min(row.wait_ms, 5_000);
    } catch (error) {
      // The database is the budget: without it nothing is sent. Give the unsent feedback another chance.
      this.giveBack ??= giveBack;
      this.observation ??= obs;
      this.failures++;
      retryInMs = Math.min(5_000, 100 * 2 ** Math.min(this.failures, 6));
      this.options.onError?.(error);
    } finally {
      this.reserving = false;
    }
    if (retryInMs > 0) this.schedule(retryInMs);
    this.pump();
  }

  private dropBatch(): void {
    if (this.batch && this.batch.left > 0) this.giveBack = { count: this.batch.left, at: this.batch.grantedAt };
    this.batch = null;
  }

  private schedule(ms: number): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, Math.max(1, ms));
    // A budget must never keep a process alive on its own.
    this.timer.unref?.();
  }
}

function positiveInt(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}
