/**
 * PagerDuty's per-credential rate limit (NOTES §1.6): 960 requests a minute per account key, per user (shared by
 * that user's keys) and per OAuth app on the account. Fixed windows measured on the REAL clock: the sim clock is
 * moved by tests to test schedules, and that must not refill or drain anyone's budget.
 */
export interface RateLimitOptions {
  /** Requests per window per credential; 0 turns limiting off. */
  perMinute: number;
  /** Window length; a minute unless a test shortens it. */
  windowMs?: number;
  /** Real time source; injectable so tests cross a window without waiting. */
  now?: () => number;
}

export interface RateDecision {
  allowed: boolean;
  /** The `ratelimit-*` headers every evaluated response carries. */
  headers: Record<string, string>;
}

interface Window {
  start: number;
  used: number;
}

export class RateLimiter {
  private perMinuteValue: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly windows = new Map<string, Window>();

  constructor(options: RateLimitOptions) {
    this.perMinuteValue = options.perMinute;
    this.windowMs = options.windowMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  get perMinute(): number {
    return this.perMinuteValue;
  }

  /** A new limit starts every credential with a fresh window, so a test sees exactly the budget it set. */
  setPerMinute(perMinute: number): void {
    this.perMinuteValue = perMinute;
    this.windows.clear();
  }

  reset(): void {
    this.windows.clear();
  }

  /** Counts one request against `bucket`; undefined when limiting is off. */
  take(bucket: string): RateDecision | undefined {
    const limit = this.perMinuteValue;
    if (limit <= 0) return undefined;
    const now = this.now();
    let window = this.windows.get(bucket);
    if (!window || now >= window.start + this.windowMs) {
      window = { start: now, used: 0 };
      this.windows.set(bucket, window);
    }
    const allowed = window.used < limit;
    if (allowed) window.used++;
    return { allowed, headers: this.headersFor(window, limit, now) };
  }

  /** Headers without counting a request (for 429s injected by faults). */
  peek(bucket: string): Record<string, string> | undefined {
    const limit = this.perMinuteValue;
    if (limit <= 0) return undefined;
    const now = this.now();
    const window = this.windows.get(bucket);
    return this.headersFor(window && now < window.start + this.windowMs ? window : { start: now, used: 0 }, limit, now);
  }

  private headersFor(window: Window, limit: number, now: number): Record<string, string> {
    const reset = Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000));
    return {
      "ratelimit-limit": String(limit),
      "ratelimit-remaining": String(Math.max(0, limit - window.used)),
      "ratelimit-reset": String(reset),
    };
  }
}
