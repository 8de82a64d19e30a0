/**
 * Errors raised by the PagerDuty client.
 *
 * Every non-2xx answer becomes a PagerDutyError carrying PagerDuty's own error body
 * (`{error:{code,message,errors[]}}`), so callers can branch on `code`/`status` and show PagerDuty's words.
 * Transport failures (timeouts, refused connections) and malformed answers use the same class with a
 * distinct `kind`, so a caller has one thing to catch.
 *
 * Secrets: messages are built only from PagerDuty's body, the route template and the status. The request
 * (and its Authorization header) is never attached. Every string still passes through `redact` with the
 * client's secrets, because an error body or a transport message could echo something we sent.
 */

export type PagerDutyErrorKind =
  /** PagerDuty (or a proxy in front of it) answered with a non-2xx status. */
  | "http"
  /** No answer within `timeoutMs`; the request was aborted. */
  | "timeout"
  /** The connection failed (refused, reset, DNS…) before an answer arrived. */
  | "network"
  /** A 2xx answer whose body does not have the shape the portal relies on. */
  | "invalid_response"
  /** Getting an OAuth access token from the identity endpoint failed. */
  | "oauth"
  /** A listing could not be completed (offset cap not partitionable, partitions missed records). */
  | "incomplete_listing"
  /** The egress guard refused the address (not PagerDuty's, not allow-listed, private address…): nothing was sent. */
  | "egress";

export interface PagerDutyErrorInit {
  kind: PagerDutyErrorKind;
  /** HTTP status; 0 when no answer arrived (timeout, network). */
  status: number;
  /** PagerDuty's numeric error code (e.g. 2002, 2010, 2020) when the body had one. */
  code?: number;
  message: string;
  errors?: string[];
  /** Route template, e.g. "GET /teams/{id}/members": stable for metrics and free of ids and secrets. */
  route: string;
  retryable: boolean;
  /** Attempts made, including the last one. */
  attempts?: number;
  cause?: unknown;
}

export class PagerDutyError extends Error {
  readonly kind: PagerDutyErrorKind;
  readonly status: number;
  readonly code: number | undefined;
  readonly errors: string[];
  readonly route: string;
  readonly retryable: boolean;
  readonly attempts: number;
  /** The message alone, without route, status and code (already redacted by whoever built the error). */
  readonly detail: string;

  constructor(init: PagerDutyErrorInit) {
    const detail = init.errors && init.errors.length > 0 ? `: ${init.errors.join("; ")}` : "";
    const status = init.status > 0 ? ` ${init.status}` : "";
    const code = init.code !== undefined ? ` (code ${init.code})` : "";
    super(`PagerDuty ${init.route} failed${status}${code}: ${init.message}${detail}`, {
      cause: init.cause,
    });
    this.name = "PagerDutyError";
    this.kind = init.kind;
    this.status = init.status;
    this.code = init.code;
    this.errors = init.errors ?? [];
    this.route = init.route;
    this.retryable = init.retryable;
    this.attempts = init.attempts ?? 1;
    this.detail = init.message;
  }

  /** The plain fields, e.g. for a job's error column or a JSON log line. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      status: this.status,
      code: this.code,
      message: this.message,
      errors: this.errors,
      route: this.route,
      retryable: this.retryable,
      attempts: this.attempts,
    };
  }
}

export function isPagerDutyError(value: unknown): value is PagerDutyError {
  return value instanceof PagerDutyError;
}

const REDACTED = "[redacted]";

/**
 * Replace every occurrence of any secret in `text`. Secrets shorter than 4 characters are ignored: they
 * cannot be real credentials and replacing them would mangle ordinary words.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    out = out.split(secret).join(REDACTED);
  }
  return out;
}

/**
 * Describe a transport-level failure without leaking anything: the message of the error (and of its
 * causes, where undici hides the real reason), redacted. The original error is NOT kept as `cause`,
 * because a third-party error object may hold the request options (headers included).
 */
export function describeTransportError(error: unknown, secrets: readonly string[]): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 3 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    parts.push(typeof code === "string" ? `${current.message} (${code})` : current.message);
    current = current.cause;
  }
  return redact(parts.join(": ") || "unknown transport error", secrets);
}
