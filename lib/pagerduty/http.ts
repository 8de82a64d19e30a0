/**
 * One logical request: budget slot → token → wire exchange with a timeout → retry policy → typed result or
 * PagerDutyError. Everything the portal sends to PagerDuty goes through `execute`.
 *
 * Retry policy (why each case is what it is):
 *  - 429: the server refused without acting, so every method may retry. The shared budget is paused until
 *    `ratelimit-reset` or `Retry-After`, whichever is later (+ jitter), and the request waits for a slot like everyone else: nothing is lost.
 *  - 5xx, timeouts, network errors: transient (PagerDuty: "500: retry"), retried with bounded exponential
 *    backoff + jitter, but only for idempotent requests (GET, PUT, DELETE). A POST that timed out may have
 *    created the user or override; repeating it blindly could do it twice, so it is left to the change
 *    pipeline, which re-reads PagerDuty before deciding.
 *  - 401 with an OAuth token: the token may have expired early or been revoked; fetch a new one once.
 *  - other 4xx: permanent (PagerDuty: "retrying with the same arguments will not work").
 */
import type { z } from "zod";
import { isEgressRefused, type EgressGuard, type EgressTarget } from "@/lib/net/egress";
import { sleep, backoff, type TokenSource } from "./auth";
import type { RequestBudget } from "./budget";
import { PagerDutyError, describeTransportError, redact } from "./errors";
import type { QueryValue, Transport, WireResponse } from "./transport";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

export interface RequestInfo {
  method: HttpMethod;
  /** Route template, e.g. "/teams/{id}/members". */
  route: string;
  /** HTTP status, or 0 for a timeout / network failure. */
  status: number;
  attempt: number;
  durationMs: number;
  outcome: "ok" | "http_error" | "rate_limited" | "timeout" | "network";
}

export interface RetryOptions {
  /** Attempts for 5xx / timeout / network failures, the first one included. Default 5. */
  attempts?: number;
  /** First backoff ceiling. Default 500 ms. */
  baseDelayMs?: number;
  /** Backoff cap. Default 30 s. */
  maxDelayMs?: number;
  /** 429 answers tolerated for one request before giving up. Default 20 (each waits for a reset). */
  rateLimitRetries?: number;
}

export interface ExecutorOptions {
  baseUrl: string;
  /** Decides where requests may go (lib/net/egress.ts); asked before every request. */
  egress: EgressGuard;
  transport: Transport;
  auth: TokenSource;
  budget: RequestBudget;
  timeoutMs: number;
  retry: Required<RetryOptions>;
  onRequest?: (info: RequestInfo) => void;
  /** Secrets of the credential itself (the token source adds issued tokens). */
  secrets: readonly string[];
}

export interface RequestSpec<T> {
  method: HttpMethod;
  /** Route template with `{name}` placeholders. */
  route: string;
  params?: Record<string, string>;
  query?: Record<string, QueryValue | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  /** Schema for the success body; omit for 204-style answers. */
  schema?: z.ZodType<T>;
  /** Override idempotency (default: everything but POST). */
  idempotent?: boolean;
  /** Statuses that count as success besides 2xx (e.g. 402/404 on GET /abilities/{id}). */
  acceptStatuses?: readonly number[];
  signal?: AbortSignal;
}

export interface Result<T> {
  status: number;
  data: T;
}

export class Executor {
  private inFlight = 0;

  constructor(private readonly options: ExecutorOptions) {}

  get budget(): RequestBudget {
    return this.options.budget;
  }

  get auth(): TokenSource {
    return this.options.auth;
  }

  secrets(): string[] {
    return [...this.options.secrets, ...this.options.auth.secrets()];
  }

  async execute<T>(spec: RequestSpec<T>): Promise<Result<T>> {
    const { retry } = this.options;
    const label = `${spec.method} ${spec.route}`;
    const idempotent = spec.idempotent ?? spec.method !== "POST";
    const url = this.url(spec.route, spec.params);
    // Before any token, budget slot or socket: may this URL receive the credential at all?
    const target = await this.target(url, label);
    let failures = 0;
    let rateLimited = 0;
    let refreshedToken = false;

    for (let attempt = 1; ; attempt++) {
      const auth = await this.options.auth.current(spec.signal);
      await this.options.budget.acquire(spec.signal);
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort(new Error(`timeout after ${this.options.timeoutMs} ms`));
      }, this.options.timeoutMs);
      const onCallerAbort = () => controller.abort(spec.signal?.reason);
      spec.signal?.addEventListener("abort", onCallerAbort, { once: true });
      const started = performance.now();
      this.inFlight++;
      let response: WireResponse | undefined;
      let transportError: unknown;
      try {
        response = await this.options.transport(
          { method: spec.method, url, query: spec.query ?? {}, auth, headers: spec.headers ?? {}, body: spec.body, target },
          controller.signal,
        );
      } catch (error) {
        transportError = error;
      } finally {
        this.inFlight--;
        clearTimeout(timer);
        spec.signal?.removeEventListener("abort", onCallerAbort);
      }
      const durationMs = performance.now() - started;

      if (!response) {
        if (spec.signal?.aborted) throw spec.signal.reason;
        if (isEgressRefused(transportError)) throw egressError(transportError.message, label);
        const kind = timedOut ? "timeout" : "network";
        this.report({ method: spec.method, route: spec.route, status: 0, attempt, durationMs, outcome: kind });
        failures++;
        const error = new PagerDutyError({
          kind,
          status: 0,
          message: timedOut ? `no answer within ${this.options.timeoutMs} ms` : describeTransportError(transportError, this.secrets()),
          route: label,
          retryable: idempotent,
          attempts: attempt,
        });
        if (!idempotent || failures >= retry.attempts) throw error;
        await sleep(backoff(failures, retry.baseDelayMs, retry.maxDelayMs), spec.signal);
        continue;
      }

      const status = response.status;
      this.options.budget.observe({
        status,
        limit: numberHeader(response, "ratelimit-limit"),
        remaining: numberHeader(response, "ratelimit-remaining"),
        resetSeconds: numberHeader(response, "ratelimit-reset"),
        retryAfterSeconds: retryAfterSeconds(response),
        inFlight: this.inFlight,
      });
      const ok = (status >= 200 && status < 300) || (spec.acceptStatuses?.includes(status) ?? false);
      this.report({
        method: spec.method,
        route: spec.route,
        status,
        attempt,
        durationMs,
        outcome: ok ? "ok" : status === 429 ? "rate_limited" : status === 408 ? "timeout" : "http_error",
      });

      if (ok) {
        return { status, data: this.parse(spec, status, response.body, attempt) };
      }

      const error = this.httpError(label, response, attempt, idempotent);
      if (status === 429) {
        // The budget is already paused until the reset; waiting for the next slot is the wait.
        if (++rateLimited > retry.rateLimitRetries) throw error;
        continue;
      }
      if (status === 401 && auth.tokenType === "bearer" && !refreshedToken) {
        refreshedToken = true;
        this.options.auth.invalidate(auth.token);
        continue;
      }
      if (error.retryable) {
        failures++;
        if (failures < retry.attempts) {
          await sleep(backoff(failures, retry.baseDelayMs, retry.maxDelayMs), spec.signal);
          continue;
        }
      }
      throw error;
    }
  }

  /** The guard's decision for `url`, or a PagerDutyError (kind "egress") saying why nothing was sent. */
  async target(url: string, label: string): Promise<EgressTarget> {
    try {
      return await this.options.egress.check(url);
    } catch (error) {
      if (isEgressRefused(error)) throw egressError(error.message, label);
      throw error;
    }
  }

  private parse<T>(spec: RequestSpec<T>, status: number, body: unknown, attempt: number): T {
    if (!spec.schema) return undefined as T;
    const parsed = spec.schema.safeParse(body);
    if (parsed.success) return parsed.data;
    const issues = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`);
    throw new PagerDutyError({
      kind: "invalid_response",
      status,
      message: "the answer does not have the expected shape",
      errors: issues.map((issue) => redact(issue, this.secrets())),
      route: `${spec.method} ${spec.route}`,
      retryable: false,
      attempts: attempt,
    });
  }

  private httpError(route: string, response: WireResponse, attempt: number, idempotent: boolean): PagerDutyError {
    const secrets = this.secrets();
    const status = response.status;
    // A redirect is never followed, and its body is not read: it may come from anywhere.
    const envelope = status >= 300 && status < 400 ? { errors: [] } : parseErrorBody(response.body);
    return new PagerDutyError({
      kind: "http",
      status,
      code: envelope.code,
      message: redact(envelope.message ?? defaultMessage(status), secrets),
      errors: envelope.errors.map((line) => redact(line, secrets)),
      route,
      retryable: status === 429 || ((status >= 500 || status === 408) && idempotent),
      attempts: attempt,
    });
  }

  private url(route: string, params: Record<string, string> | undefined): string {
    const path = route.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = params?.[name];
      if (value === undefined || value === "") throw new Error(`missing path parameter "${name}" for ${route}`);
      return encodeURIComponent(value);
    });
    return `${this.options.baseUrl}${path}`;
  }

  private report(info: RequestInfo): void {
    try {
      this.options.onRequest?.(info);
    } catch {
      // Metrics must never break a request.
    }
  }
}

export function egressError(message: string, route: string): PagerDutyError {
  return new PagerDutyError({ kind: "egress", status: 0, message, route, retryable: false, attempts: 0 });
}

function numberHeader(response: WireResponse, name: string): number | undefined {
  const raw = response.header(name);
  if (raw === null || raw.trim() === "") return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

/** `Retry-After`: delay-seconds or an HTTP date (RFC 9110 §10.2.3); PagerDuty does not document it, proxies send it. */
function retryAfterSeconds(response: WireResponse): number | undefined {
  const raw = response.header("retry-after")?.trim();
  if (!raw) return undefined;
  if (/^\d+$/.test(raw)) return Number(raw);
  const at = Date.parse(raw);
  return Number.isFinite(at) ? Math.max(0, (at - Date.now()) / 1000) : undefined;
}

/**
 * PagerDuty's `{error:{message,code,errors}}`, tolerating strings and odd shapes from proxies. Only those
 * fields are read, and cut short: an error is a sentence, never a copy of whatever the server sent.
 */
function parseErrorBody(body: unknown): { message?: string; code?: number; errors: string[] } {
  if (typeof body !== "object" || body === null) return { errors: [] };
  const error = (body as { error?: unknown }).error;
  if (typeof error === "string") return { message: error.slice(0, 300), errors: [] };
  if (typeof error !== "object" || error === null) return { errors: [] };
  const { message, code, errors } = error as { message?: unknown; code?: unknown; errors?: unknown };
  return {
    message: typeof message === "string" ? message.slice(0, 300) : undefined,
    code: typeof code === "number" ? code : typeof code === "string" && /^\d+$/.test(code) ? Number(code) : undefined,
    errors: Array.isArray(errors) ? errors.filter((e): e is string => typeof e === "string").slice(0, 5).map((e) => e.slice(0, 300)) : [],
  };
}

function defaultMessage(status: number): string {
  switch (status) {
    case 400: return "Invalid request";
    case 401: return "Authentication failed: the credential is missing, invalid or expired";
    case 402: return "The account lacks the ability this request needs";
    case 403: return "The credential is not permitted to do this";
    case 404: return "Not found";
    case 408: return "Request timed out at PagerDuty";
    case 429: return "Rate Limit Exceeded";
    case 301: case 302: case 303: case 307: case 308: return "The server answered with a redirect, which the portal does not follow: use the address PagerDuty (or the listed proxy) answers at directly";
    default: return status >= 500 ? "PagerDuty had an internal error" : `HTTP ${status}`;
  }
}
