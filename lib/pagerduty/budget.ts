/**
 * The request budget of one PagerDuty credential, shared by all work that uses it.
 *
 * PagerDuty allows 960 requests per minute per account key / user / OAuth app (NOTES §1.6), counted at the
 * server across every caller of the credential. A sync, a change worker and a "check credential" click may
 * run at once with the same key, so the budget lives in a process-wide registry keyed by a fingerprint of the
 * credential (never the credential itself) and every request takes a slot from it before it is sent.
 *
 * Algorithm: a sliding-window token bucket. Each request spends one token; a token comes back exactly one
 * window (plus a small safety margin) after it was spent. Hence no window of `windowMs` ever sees more than
 * `limit` requests from this process, whatever the server's counting scheme (fixed window, sliding window or
 * token bucket), and throughput is the maximum that guarantee allows: a burst of `limit`, then one request
 * per returning token. A plain refilling bucket with capacity C would allow C + limit in the first window.
 * The margin absorbs the difference between when we send and when the server counts (network latency).
 *
 * The server's view wins over ours when it is stricter: `ratelimit-remaining`/`ratelimit-reset` headers
 * (another process may share the key) cap what we send until the reset, `ratelimit-limit` replaces the local
 * limit, and a 429 pauses the whole budget until the reset (plus jitter, so processes sharing a key do not
 * all return at the same millisecond).
 */
import { createHash } from "node:crypto";

export const DEFAULT_RATE_LIMIT = 960;
export const DEFAULT_WINDOW_MS = 60_000;

export interface RateBudgetOptions {
  /** Requests allowed per window. Default 960 (PagerDuty's documented per-credential limit). */
  limit?: number;
  /** Window length. Default 60 s. Tests shorten it. */
  windowMs?: number;
  /** Extra time before a token returns, covering latency between sending and the server counting. */
  safetyMs?: number;
  /** Upper bound of the random delay added after a server-imposed reset. */
  maxResetJitterMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export interface RateBudgetStats {
  limit: number;
  /** Requests sent within the current window. */
  inWindow: number;
  /** Callers waiting for a slot. */
  waiting: number;
  /** Slots granted since creation. */
  granted: number;
  /** 429 answers reported. */
  rateLimited: number;
  /** Epoch ms until which the budget is paused after a 429, or 0. */
  pausedUntil: number;
}

/** What a response taught about the server's count (http.ts reads it from every answer). */
export interface RateObservation {
  status: number;
  /** `ratelimit-limit` */
  limit?: number;
  /** `ratelimit-remaining` */
  remaining?: number;
  /** `ratelimit-reset`, in seconds */
  resetSeconds?: number;
  /** `Retry-After` in seconds (a number, or an HTTP date converted), when the server sent one. */
  retryAfterSeconds?: number;
  /** Other requests of this budget sent but not yet answered. */
  inFlight?: number;
}

/**
 * What the executor needs from a budget: a slot before each request, and every answer's rate-limit headers
 * after it. Implemented in-process by RateBudget (PGlite, scripts, tests) and across processes by the
 * database-backed budget in lib/rate-budget (PostgreSQL deployments).
 */
export interface RequestBudget {
  /** Wait for a slot; rejects if `signal` aborts while waiting. */
  acquire(signal?: AbortSignal): Promise<void>;
  /** Learn from an answer. A 429 pauses every caller of the budget until the server's reset. */
  observe(info: RateObservation): void;
  stats(): RateBudgetStats;
}

/**
 * How long a 429 pauses the budget: the longer of `ratelimit-reset` and `Retry-After`; without either (PagerDuty
 * says that can happen) the whole window, which is the longest a fixed or sliding window can need.
 */
export function pauseMsAfter429(info: Pick<RateObservation, "resetSeconds" | "retryAfterSeconds">, windowMs: number): number {
  const hints = [info.resetSeconds, info.retryAfterSeconds].filter((v): v is number => v !== undefined && Number.isFinite(v));
  return hints.length ? Math.max(0, ...hints) * 1000 : windowMs;
}

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** Callers waiting for a slot, served first come first served; a caller whose signal aborts leaves the line. */
export class WaitingLine {
  private readonly waiters: Waiter[] = [];

  get length(): number {
    return this.waiters.length;
  }

  /** Joins the line; `onJoin` runs once the caller is in it (to hand out slots). */
  join(signal: AbortSignal | undefined, onJoin: () => void): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(signal.reason);
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.waiters.push(waiter);
      onJoin();
    });
  }

  /** Lets the first caller go. */
  admitFirst(): void {
    const waiter = this.waiters.shift();
    if (!waiter) return;
    if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener("abort", waiter.onAbort);
    waiter.resolve();
  }
}

export class RateBudget implements RequestBudget {
  private limit: number;
  private readonly windowMs: number;
  private readonly safetyMs: number;
  private readonly maxResetJitterMs: number;
  private readonly now: () => number;
  /** Send times within the window, ascending. At most `limit` relevant entries are kept. */
  private sent: number[] = [];
  private readonly queue = new WaitingLine();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = 0;
  private pausedUntil = 0;
  /** The server's stricter view: requests left until `resetAt`, decremented as we send. */
  private server: { remaining: number; resetAt: number } | undefined;
  private granted = 0;
  private rateLimited = 0;

  constructor(options: RateBudgetOptions = {}) {
    this.limit = positiveInt(options.limit, DEFAULT_RATE_LIMIT);
    this.windowMs = positiveInt(options.windowMs, DEFAULT_WINDOW_MS);
    this.safetyMs = options.safetyMs ?? Math.min(1_000, Math.ceil(this.windowMs / 60));
    this.maxResetJitterMs = options.maxResetJitterMs ?? Math.min(1_000, Math.ceil(this.windowMs / 60));
    this.now = options.now ?? Date.now;
  }

  /** Wait for a slot. Resolves in FIFO order; rejects if `signal` aborts while waiting. */
  acquire(signal?: AbortSignal): Promise<void> {
    return this.queue.join(signal, () => this.pump());
  }

  /**
   * Learn from an answer's rate-limit headers. `inFlight` is how many other requests of this budget were
   * sent but not yet answered: the server may not have counted them when it computed `remaining`, so they
   * are subtracted to stay on the safe side.
   */
  observe(info: RateObservation): void {
    const now = this.now();
    if (info.limit !== undefined && Number.isFinite(info.limit) && info.limit > 0) {
      this.limit = Math.floor(info.limit);
    }
    if (info.remaining !== undefined && info.resetSeconds !== undefined) {
      const resetAt = now + Math.max(0, info.resetSeconds) * 1000;
      const remaining = Math.max(0, info.remaining - (info.inFlight ?? 0));
      this.server = { remaining, resetAt };
    }
    if (info.status === 429) {
      this.rateLimited++;
      this.pauseFor(pauseMsAfter429(info, this.windowMs));
    }
    this.pump();
  }

  /**
   * Stop granting slots until the server's reset. Without a reset header (PagerDuty documents that this can
   * happen) the whole window is waited out, which is the longest a fixed or sliding window can need.
   */
  pause(resetSeconds: number | undefined): void {
    this.pauseFor(pauseMsAfter429({ resetSeconds }, this.windowMs));
  }

  private pauseFor(waitMs: number): void {
    const until = this.now() + waitMs + Math.random() * this.maxResetJitterMs;
    this.pausedUntil = Math.max(this.pausedUntil, until);
    this.pump();
  }

  stats(): RateBudgetStats {
    const now = this.now();
    const horizon = now - this.windowMs;
    return {
      limit: this.limit,
      inWindow: this.sent.filter((t) => t > horizon).length,
      waiting: this.queue.length,
      granted: this.granted,
      rateLimited: this.rateLimited,
      pausedUntil: this.pausedUntil > now ? this.pausedUntil : 0,
    };
  }

  /** Grant every slot that is free now, then sleep until the next one frees up. */
  private pump(): void {
    while (this.queue.length > 0) {
      const now = this.now();
      const readyAt = this.nextSlotAt(now);
      if (readyAt > now) {
        this.schedule(readyAt, now);
        return;
      }
      this.sent.push(now);
      if (this.sent.length > this.limit * 2) this.sent.splice(0, this.sent.length - this.limit);
      if (this.server) this.server.remaining--;
      this.granted++;
      this.queue.admitFirst();
    }
  }

  private nextSlotAt(now: number): number {
    let at = Math.max(now, this.pausedUntil);
    // The oldest of the last `limit` sends must have left the window (plus the margin).
    if (this.sent.length >= this.limit) {
      const oldest = this.sent[this.sent.length - this.limit] as number;
      at = Math.max(at, oldest + this.windowMs + this.safetyMs);
    }
    if (this.server) {
      if (now >= this.server.resetAt) {
        this.server = undefined;
      } else if (this.server.remaining <= 0) {
        at = Math.max(at, this.server.resetAt + this.safetyMs);
      }
    }
    return at;
  }

  private schedule(at: number, now: number): void {
    if (this.timer !== undefined && this.timerAt <= at) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, at - now);
    // A budget must never keep a process (a script, a test run) alive on its own.
    this.timer.unref?.();
  }
}

function positiveInt(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}

/**
 * A stable, non-reversible name for a credential: SHA-256 over the API origin and the secret material.
 * Used as the budget registry key and safe to log. The origin is included because the same string used
 * against two different accounts (two simulators, US and EU) is two budgets at the server.
 */
export function credentialFingerprint(apiOrigin: string, material: string): string {
  return createHash("sha256").update(apiOrigin).update("\0").update(material).digest("hex");
}

/** Makes the budget of a credential; installed by lib/rate-budget on PostgreSQL (one budget across processes). */
export type RateBudgetFactory = (fingerprint: string, options?: RateBudgetOptions) => RequestBudget;

// On globalThis: Next.js may load this module in several bundles of one process, and they must share budgets.
const g = globalThis as unknown as { __pdRateBudgets?: { budgets: Map<string, RequestBudget>; factory: RateBudgetFactory | null } };
const registry = (g.__pdRateBudgets ??= { budgets: new Map(), factory: null });

/**
 * The process-wide budget for a credential fingerprint, created on first use. Every client built for the
 * same credential gets the same instance, which is what makes concurrent syncs and workers share it. With a
 * factory installed (PostgreSQL), that instance draws from the database row every process shares.
 */
export function sharedRateBudget(fingerprint: string, options?: RateBudgetOptions): RequestBudget {
  let budget = registry.budgets.get(fingerprint);
  if (!budget) {
    budget = registry.factory ? registry.factory(fingerprint, options) : new RateBudget(options);
    registry.budgets.set(fingerprint, budget);
  }
  return budget;
}

/**
 * Decides how budgets are made from now on (null: in-process RateBudget). Budgets already handed out are
 * forgotten, so later clients get the new kind; call it once at start, before any request.
 */
export function setRateBudgetFactory(factory: RateBudgetFactory | null): void {
  registry.factory = factory;
  registry.budgets.clear();
}
