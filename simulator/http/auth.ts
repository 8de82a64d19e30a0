/**
 * Who is calling, and may they do this (NOTES §1.3). Account keys (full access or read-only) and user-level
 * keys come as `Authorization: Token token=<key>`; OAuth app tokens, issued by the client-credentials endpoint
 * below, as `Bearer <token>`. Keys are looked up as they are, never checked against a character pattern: real
 * keys contain `_`, `+` and `-`.
 */
import { randomBytes } from "node:crypto";
import type { Principal } from "../core/model";
import type { SimClock } from "../core/clock";
import type { SimState } from "../core/state";
import { PdError, forbidden, invalidInput, unauthorized } from "./errors";
import type { RouteDef } from "./route";

export const DEFAULT_KEYS = {
  full: "sim+full_AccessKey-0001",
  readOnly: "sim+read_OnlyKey-0002",
  user: "sim+user_Key-0003",
} as const;

export const DEFAULT_OAUTH_CLIENT = { clientId: "sim-portal-app", clientSecret: "sim+oauth_ClientSecret-0001", appName: "Access Portal (simulated app)" } as const;

/** PagerDuty's scoped tokens live a day; expiry is measured on the sim clock so tests can advance past it. */
export const OAUTH_TOKEN_LIFETIME_S = 86_400;

/** Only callers that act as a user may ask who they are (spec description of GET /users/me). */
const USER_LEVEL_ONLY = new Set(["GET /users/me"]);

export interface CredentialOptions {
  clock: SimClock;
  subdomain: string;
  fullAccessKey?: string;
  readOnlyKey?: string;
  userKey?: string;
  /** The user the user-level key acts as, resolved at each use (the owner can change with a reseed). */
  userKeyUser: () => string | undefined;
  oauth?: { clientId?: string; clientSecret?: string; appName?: string; /** Scopes the app may be granted; undefined: any asked for. */ allowedScopes?: readonly string[] };
}

export interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
}

interface IssuedToken {
  scopes: ReadonlySet<string>;
  expiresAt: number;
}

export class Credentials {
  readonly keys: { full: string; readOnly: string; user: string };
  readonly oauth: { clientId: string; clientSecret: string; appName: string };
  private readonly allowedScopes: ReadonlySet<string> | undefined;
  private readonly tokens = new Map<string, IssuedToken>();

  constructor(private readonly options: CredentialOptions) {
    this.keys = { full: options.fullAccessKey ?? DEFAULT_KEYS.full, readOnly: options.readOnlyKey ?? DEFAULT_KEYS.readOnly, user: options.userKey ?? DEFAULT_KEYS.user };
    this.oauth = {
      clientId: options.oauth?.clientId ?? DEFAULT_OAUTH_CLIENT.clientId,
      clientSecret: options.oauth?.clientSecret ?? DEFAULT_OAUTH_CLIENT.clientSecret,
      appName: options.oauth?.appName ?? DEFAULT_OAUTH_CLIENT.appName,
    };
    this.allowedScopes = options.oauth?.allowedScopes ? new Set(options.oauth.allowedScopes) : undefined;
  }

  /** The caller behind an Authorization header; 401 code 2006 when missing, unknown or expired. */
  authenticate(authorization: string | undefined): Principal {
    if (!authorization) throw unauthorized();
    const space = authorization.indexOf(" ");
    const scheme = authorization.slice(0, space).toLowerCase();
    const rest = authorization.slice(space + 1).trim();
    if (scheme === "token" && rest.startsWith("token=")) {
      const key = rest.slice("token=".length);
      if (key === this.keys.full) return { kind: "api_key", key, access: "full", label: "Full access key (simulator)" };
      if (key === this.keys.readOnly) return { kind: "api_key", key, access: "read_only", label: "Read-only key (simulator)" };
      if (key === this.keys.user) {
        // A user key stops working when its user leaves the account.
        const userId = this.options.userKeyUser();
        if (userId) return { kind: "user_key", key, userId, label: "User key (simulator)" };
      }
      throw unauthorized();
    }
    if (scheme === "bearer" && rest) {
      const issued = this.tokens.get(rest);
      if (!issued) throw unauthorized();
      if (this.options.clock.now() >= issued.expiresAt) {
        this.tokens.delete(rest);
        throw unauthorized();
      }
      return { kind: "oauth", token: rest, clientId: this.oauth.clientId, appName: this.oauth.appName, scopes: issued.scopes, expiresAt: issued.expiresAt };
    }
    throw unauthorized();
  }

  /** Refuses what the caller may not do on this route: read-only writes, missing scopes, /users/me without a user. */
  authorize(route: RouteDef, routeKey: string, principal: Principal): void {
    if (USER_LEVEL_ONLY.has(routeKey) && principal.kind !== "user_key") {
      throw invalidInput("This endpoint can only be used with a user-level API key or a user OAuth token, not an account-level token.");
    }
    const write = route.write ?? route.method !== "GET";
    if (write && principal.kind === "api_key" && principal.access === "read_only") {
      throw forbidden("The API key is read-only and cannot be used for this write.");
    }
    if (principal.kind === "oauth" && route.scope && !hasScope(principal.scopes, route.scope)) {
      throw new PdError(403, 2010, `Access Denied: the token lacks the required scope ${route.scope}`, [`Required scope: ${route.scope}`]);
    }
  }

  /** Rate-limit bucket: a key; a user (shared by all their keys); an OAuth app on this account. */
  bucket(principal: Principal): string {
    switch (principal.kind) {
      case "api_key":
        return `key:${principal.key}`;
      case "user_key":
        return `user:${principal.userId}`;
      case "oauth":
        return `app:${principal.clientId}`;
      case "browser":
        return `browser:${principal.userId}`;
    }
  }

  /**
   * POST /oauth/token, client-credentials grant (NOTES §1.3). The scope must name this account
   * (`as_account-us.<subdomain>`; `eu` is accepted too so EU connections can be tested). Errors follow RFC 6749.
   */
  issueToken(form: Record<string, string>, basicAuth: string | undefined): TokenAnswer {
    const oauthError = (status: number, error: string, description: string): TokenAnswer => ({ status, body: { error, error_description: description } });
    if (form.grant_type !== "client_credentials") return oauthError(400, "unsupported_grant_type", "Only grant_type=client_credentials is supported.");
    const [clientId, clientSecret] = basicAuth ? decodeBasic(basicAuth) : [form.client_id, form.client_secret];
    if (!clientId || !clientSecret) return oauthError(400, "invalid_request", "client_id and client_secret are required.");
    if (clientId !== this.oauth.clientId || clientSecret !== this.oauth.clientSecret) return oauthError(401, "invalid_client", "Client authentication failed.");

    const asked = (form.scope ?? "").split(/\s+/).filter(Boolean);
    const account = asked.find((s) => s.startsWith("as_account-"));
    const match = account ? /^as_account-(us|eu)\.(.+)$/.exec(account) : null;
    if (!match || match[2] !== this.options.subdomain) {
      return oauthError(400, "invalid_scope", `The scope must include as_account-us.${this.options.subdomain} (or as_account-eu.${this.options.subdomain}).`);
    }
    const granted = asked.filter((s) => s !== account && (!this.allowedScopes || this.allowedScopes.has(s)));
    const token = `pdus+_sim${randomBytes(18).toString("base64url")}`;
    this.tokens.set(token, { scopes: new Set(granted), expiresAt: this.options.clock.now() + OAUTH_TOKEN_LIFETIME_S * 1000 });
    return { status: 200, body: { access_token: token, token_type: "bearer", scope: [account, ...granted].join(" "), expires_in: OAUTH_TOKEN_LIFETIME_S } };
  }
}

const owners = new WeakMap<SimState, { version: number; id: string | undefined }>();

/** The account owner (whom the user-level key and out-of-band edits act as); cached until the state changes. */
export function accountOwnerId(state: SimState): string | undefined {
  const cached = owners.get(state);
  if (cached?.version === state.version) return cached.id;
  let id: string | undefined;
  for (const user of state.data.users.values()) {
    if (user.role === "owner") {
      id = user.id;
      break;
    }
  }
  owners.set(state, { version: state.version, id });
  return id;
}

/** `teams.write` implies `teams.read`, as PagerDuty's scopes do. */
export function hasScope(scopes: ReadonlySet<string>, required: string): boolean {
  if (scopes.has(required)) return true;
  return required.endsWith(".read") && scopes.has(`${required.slice(0, -".read".length)}.write`);
}

function decodeBasic(header: string): [string | undefined, string | undefined] {
  if (!/^basic /i.test(header)) return [undefined, undefined];
  const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return [undefined, undefined];
  try {
    return [decodeURIComponent(decoded.slice(0, colon)), decodeURIComponent(decoded.slice(colon + 1))];
  } catch {
    return [undefined, undefined];
  }
}
