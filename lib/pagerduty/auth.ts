/**
 * Credentials: account/user API keys and scoped OAuth apps (client credentials).
 *
 * API keys go out as `Authorization: Token token=…`. OAuth apps exchange client id + secret for a bearer
 * token at PagerDuty's identity endpoint (NOTES §1.3); the token lives 24 h and has no refresh token, so
 * we cache it and ask for a new one 5 minutes before it expires (or at once after a 401). The cache is
 * process-wide and keyed by a fingerprint, so every client of the same app shares one token.
 */
import { z } from "zod";
import { guardedFetch, isEgressRefused, type EgressGuard } from "@/lib/net/egress";
import { credentialFingerprint } from "./budget";
import { PagerDutyError, describeTransportError, redact } from "./errors";
import { TOKEN_URLS, type PagerDutyRegion } from "./hosts";

export { API_BASE_URLS, TOKEN_URLS, type PagerDutyRegion } from "./hosts";

export type PagerDutyCredential =
  | { kind: "api_key"; token: string }
  | {
      kind: "oauth";
      clientId: string;
      clientSecret: string;
      subdomain: string;
      region: PagerDutyRegion;
      /** Scopes to request, e.g. ["users.read", "teams.write"]. */
      scopes: readonly string[];
      /** Identity endpoint override (simulator, proxies). Default: PagerDuty's for the region. */
      tokenUrl?: string;
    };

/** Renew this long before `expires_in` runs out, so no request goes out with a token about to die. */
export const OAUTH_RENEW_BEFORE_MS = 5 * 60_000;

/** The strings that must never appear in a message or a log line. */
export function credentialSecrets(credential: PagerDutyCredential): string[] {
  return credential.kind === "api_key" ? [credential.token] : [credential.clientSecret];
}

/** Budget key: the token for a key; for an app, the app and the account it acts on (the server's unit). */
export function fingerprintCredential(apiBaseUrl: string, credential: PagerDutyCredential): string {
  const origin = new URL(apiBaseUrl).origin;
  if (credential.kind === "api_key") return credentialFingerprint(origin, `key:${credential.token}`);
  return credentialFingerprint(origin, `oauth:${credential.clientId}:${credential.region}.${credential.subdomain}`);
}

export function oauthScope(credential: Extract<PagerDutyCredential, { kind: "oauth" }>): string {
  return [`as_account-${credential.region}.${credential.subdomain}`, ...credential.scopes].join(" ");
}

export interface AuthHeader {
  tokenType: "token" | "bearer";
  token: string;
}

export interface TokenSource {
  /** The header to send now (fetches or renews an OAuth token when needed). */
  current(signal?: AbortSignal): Promise<AuthHeader>;
  /** Forget a token the API refused (401), so the next `current()` fetches a new one. */
  invalidate(token: string): void;
  /** Scopes granted with the current OAuth token (undefined for API keys or before the first token). */
  grantedScopes(): string[] | undefined;
  /** Secret strings held by this source, including issued access tokens, for redaction. */
  secrets(): string[];
}

export function apiKeySource(token: string): TokenSource {
  return {
    current: async () => ({ tokenType: "token", token }),
    invalidate: () => {},
    grantedScopes: () => undefined,
    secrets: () => [token],
  };
}

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.coerce.number().positive().optional(),
  scope: z.string().optional(),
});

/** RFC 6749 §5.2 error codes: a fixed vocabulary, so naming one echoes nothing the server chose. */
const OAUTH_ERROR_CODES = ["invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type", "invalid_scope"] as const;

/**
 * What a person reads when the identity endpoint says no: the status, the standard error code if it is one,
 * and what to do. Never the answer's text (error_description could be anything the host chose to send).
 */
function oauthRefusal(status: number, json: unknown): string {
  const raw = typeof json === "object" && json !== null ? (json as { error?: unknown }).error : undefined;
  const code = (OAUTH_ERROR_CODES as readonly unknown[]).includes(raw) ? ` ${String(raw)}` : "";
  if (status >= 300 && status < 400) return `the identity endpoint answered with a redirect (HTTP ${status}), which the portal does not follow`;
  if (status === 400 || status === 401 || status === 403) {
    return `the identity endpoint refused the app (HTTP ${status}${code}): check the OAuth client id and secret, and that the app is installed on this account and region`;
  }
  if (status === 429) return "the identity endpoint is rate limiting (HTTP 429): try again in a minute";
  return `the identity endpoint answered HTTP ${status}${status >= 500 ? ": try again later" : ""}`;
}

export interface OAuthSourceOptions {
  /** Egress guard: the token URL is checked (and the connection pinned) before the secret is sent. */
  egress: EgressGuard;
  /** A fetch to use instead of node:http (tests); still behind the guard, redirects not followed. */
  fetch?: typeof fetch;
  timeoutMs: number;
  now?: () => number;
  /** Attempts for transient identity-endpoint failures (5xx, network, timeout). */
  attempts?: number;
  baseDelayMs?: number;
}

class OAuthTokenSource implements TokenSource {
  private cached: { token: string; expiresAt: number; scopes: string[] | undefined } | undefined;
  private pending: Promise<AuthHeader> | undefined;
  private readonly issued: string[] = [];
  private readonly now: () => number;

  constructor(
    private readonly credential: Extract<PagerDutyCredential, { kind: "oauth" }>,
    private readonly options: OAuthSourceOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  current(signal?: AbortSignal): Promise<AuthHeader> {
    const cached = this.cached;
    if (cached && this.now() < cached.expiresAt - OAUTH_RENEW_BEFORE_MS) {
      return Promise.resolve({ tokenType: "bearer", token: cached.token });
    }
    // Single flight: concurrent requests at expiry share one token request.
    this.pending ??= this.fetchToken(signal).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
  }

  grantedScopes(): string[] | undefined {
    return this.cached?.scopes;
  }

  secrets(): string[] {
    return [this.credential.clientSecret, ...this.issued];
  }

  private async fetchToken(signal?: AbortSignal): Promise<AuthHeader> {
    const url = this.credential.tokenUrl ?? TOKEN_URLS[this.credential.region];
    const route = "POST /oauth/token";
    const attempts = this.options.attempts ?? 3;
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: this.credential.clientId,
      client_secret: this.credential.clientSecret,
      scope: oauthScope(this.credential),
    });
    const send = guardedFetch(this.options.egress, this.options.fetch);
    let lastError: PagerDutyError | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new Error("timeout")), this.options.timeoutMs);
      const onAbort = () => controller.abort(signal?.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      try {
        const response = await send(url, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
          body: form.toString(),
          signal: controller.signal,
        });
        const text = await response.text();
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        if (response.ok) {
          const parsed = tokenResponseSchema.safeParse(json);
          if (!parsed.success) {
            throw new PagerDutyError({ kind: "oauth", status: response.status, message: "the identity endpoint answered without an access_token", route, retryable: false, attempts: attempt });
          }
          const token = parsed.data.access_token;
          this.issued.push(token);
          if (this.issued.length > 8) this.issued.shift();
          // PagerDuty issues 24 h tokens; without expires_in assume 1 h so a wrong guess costs little.
          const lifetimeMs = (parsed.data.expires_in ?? 3600) * 1000;
          this.cached = {
            token,
            expiresAt: this.now() + lifetimeMs,
            scopes: parsed.data.scope ? parsed.data.scope.split(/\s+/).filter(Boolean) : undefined,
          };
          return { tokenType: "bearer", token };
        }
        lastError = new PagerDutyError({
          kind: "oauth",
          status: response.status,
          message: redact(oauthRefusal(response.status, json), this.secrets()),
          route,
          retryable: response.status >= 500 || response.status === 429,
          attempts: attempt,
        });
        if (!lastError.retryable) throw lastError;
      } catch (error) {
        if (isEgressRefused(error)) {
          throw new PagerDutyError({ kind: "egress", status: 0, message: error.message, route, retryable: false, attempts: attempt });
        }
        if (error instanceof PagerDutyError) {
          if (!error.retryable) throw error;
          lastError = error;
        } else {
          if (signal?.aborted) throw signal.reason;
          lastError = new PagerDutyError({
            kind: controller.signal.aborted ? "timeout" : "oauth",
            status: 0,
            message: controller.signal.aborted ? `no answer within ${this.options.timeoutMs} ms` : describeTransportError(error, this.secrets()),
            route,
            retryable: true,
            attempts: attempt,
          });
        }
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      }
      if (attempt < attempts) await sleep(backoff(attempt, this.options.baseDelayMs ?? 500, 10_000));
    }
    throw lastError as PagerDutyError;
  }
}

/** Per guard (tests install their own), then per app, account and secret. */
const oauthSources = new WeakMap<EgressGuard, Map<string, OAuthTokenSource>>();

/**
 * The process-wide token source for an OAuth app on an account. Keyed by the budget fingerprint plus a hash
 * of the secret, so a rotated secret starts a fresh source instead of reusing a token from the old one.
 */
export function oauthSource(
  apiBaseUrl: string,
  credential: Extract<PagerDutyCredential, { kind: "oauth" }>,
  options: OAuthSourceOptions,
): TokenSource {
  const key = `${fingerprintCredential(apiBaseUrl, credential)}:${credentialFingerprint(credential.tokenUrl ?? credential.region, credential.clientSecret + " " + oauthScope(credential))}`;
  let sources = oauthSources.get(options.egress);
  if (!sources) {
    sources = new Map();
    oauthSources.set(options.egress, sources);
  }
  let source = sources.get(key);
  if (!source) {
    source = new OAuthTokenSource(credential, options);
    sources.set(key, source);
  }
  return source;
}

/** Bounded exponential backoff with "equal jitter": half fixed, half random, so retries spread out. */
export function backoff(attempt: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
