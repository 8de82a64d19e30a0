/**
 * createPagerDutyClient: the typed PagerDuty REST client used by the sync worker, scripts and the change
 * pipeline. Plain Node (no Next.js imports).
 *
 * Reads are methods on the client. Writes live in `client.writes`, and only the change pipeline
 * (lib/changes) may call them (architecture invariant 1); keeping them in one namespace lets a lint rule or
 * a test find any other caller by looking for `.writes.`.
 */
import { z } from "zod";
import { egressGuard, type EgressGuard } from "@/lib/net/egress";
import { API_BASE_URLS, TOKEN_URLS, apiKeySource, credentialSecrets, fingerprintCredential, oauthSource, type PagerDutyCredential, type TokenSource } from "./auth";
import { sharedRateBudget, type RequestBudget } from "./budget";
import { PagerDutyError } from "./errors";
import { Executor, type RequestInfo, type RequestSpec, type RetryOptions } from "./http";
import {
  classicPages,
  cursorPages,
  listing,
  partitionedPages,
  type ClassicFetch,
  type Listing,
  type Partition,
  type QueryParams,
} from "./pagination";
import {
  auditRecordSchema,
  classicPageSchema,
  cursorPageSchema,
  escalationPolicySchema,
  licenseAllocationSchema,
  licenseSchema,
  oncallSchema,
  overrideResultSchema,
  scheduleSchema,
  teamMemberSchema,
  teamSchema,
  userSchema,
  wrapped,
  type PdAuditRecord,
  type PdEscalationPolicy,
  type PdLicense,
  type PdLicenseAllocation,
  type PdOncall,
  type PdOverrideResult,
  type PdSchedule,
  type PdTeam,
  type PdTeamMember,
  type PdTeamRole,
  type PdUser,
  type PdUserRole,
} from "./schemas";
import { fetchTransport, pdjsTransport } from "./transport";
import { userPartitions } from "./partitions";

export const DEFAULT_TIMEOUT_MS = 30_000;

export interface PagerDutyClientOptions {
  /** https://api.pagerduty.com (US), https://api.eu.pagerduty.com (EU), or a simulator / proxy URL. */
  baseUrl?: string;
  credential: PagerDutyCredential;
  /** Email of a user on the account, sent as `From` where PagerDuty requires it (POST /users). */
  fromEmail?: string;
  /** Per-attempt timeout. Default 30 s. */
  timeoutMs?: number;
  /** Shared budget; default: the process-wide budget of this credential (960/min). */
  budget?: RequestBudget;
  /** Use this fetch instead of pdjs's transport (still behind the egress guard; no address pinning). */
  fetch?: typeof fetch;
  /** Where requests may go; default: the process's guard (PAGERDUTY_ALLOWED_HOSTS, SIMULATOR_URL, system DNS). */
  egress?: EgressGuard;
  /** Called once per HTTP attempt, for metrics. Never receives secrets. */
  onRequest?: (info: RequestInfo) => void;
  retry?: RetryOptions;
  /** Pages in flight per listing. Default 4. */
  pageConcurrency?: number;
}

export type UserInclude = "teams" | "contact_methods" | "notification_rules" | "subdomains";
export type ScheduleInclude = "schedule_layers" | "overrides_subschedule" | "final_schedule";
export type EscalationPolicyInclude = "services" | "teams" | "targets";
export type AuditResourceType = "users" | "teams" | "schedules" | "escalation_policies";

export interface ListUsersOptions {
  include?: UserInclude[];
  query?: string;
  teamIds?: string[];
}

export interface AuditRecordQuery {
  since?: string;
  until?: string;
  rootResourceTypes?: AuditResourceType[];
  actions?: ("create" | "update" | "delete")[];
  /** Page size asked for (the server may cap it). */
  limit?: number;
}

export interface OncallQuery {
  since?: string;
  until?: string;
  scheduleIds?: string[];
  escalationPolicyIds?: string[];
  userIds?: string[];
  earliest?: boolean;
  include?: ("users" | "schedules" | "escalation_policies")[];
}

export interface NewUser {
  name: string;
  email: string;
  role?: PdUserRole;
  timeZone?: string;
  jobTitle?: string;
  licenseId?: string;
}

export interface NewOverride {
  start: string;
  end: string;
  userId: string;
  timeZone?: string;
}

export interface PagerDutyWrites {
  /** Add a member or change their team role (PUT is an upsert). */
  putTeamMember(teamId: string, userId: string, role: PdTeamRole): Promise<void>;
  /** Remove a member. A 404 (already gone) resolves `"absent"`. */
  deleteTeamMember(teamId: string, userId: string): Promise<"deleted" | "absent">;
  /** Change a user's base role. Reads the user first: PUT /users/{id} requires name, email and type. */
  updateUserRole(userId: string, role: PdUserRole): Promise<PdUser>;
  createUser(user: NewUser): Promise<PdUser>;
  /** Delete a user. A 404 (already gone) resolves `"absent"`. */
  deleteUser(userId: string): Promise<"deleted" | "absent">;
  /** Sign a user out of the web and/or mobile apps. */
  deleteOauthDelegations(userId: string, types: ("web" | "mobile")[]): Promise<void>;
  /** Create overrides; PagerDuty answers one status per override. */
  createOverrides(scheduleId: string, overrides: NewOverride[]): Promise<PdOverrideResult[]>;
  /** 204 → deleted; 200 → truncated (the override was in progress). */
  deleteOverride(scheduleId: string, overrideId: string): Promise<"deleted" | "truncated" | "absent">;
}

export interface PagerDutyClient {
  readonly baseUrl: string;
  /** SHA-256 fingerprint of the credential: the budget key, safe to log. */
  readonly fingerprint: string;
  readonly budget: RequestBudget;
  /** OAuth scopes granted with the current token (after the first request), undefined for API keys. */
  grantedScopes(): string[] | undefined;
  /** Fetch an OAuth token now (no-op for API keys); used by checkCredential. */
  authenticate(): Promise<void>;
  /**
   * Asks the egress guard about every address this client would send the credential to (the API, and the
   * identity endpoint for an OAuth app) without sending anything. Throws PagerDutyError kind "egress".
   */
  preflight(): Promise<void>;

  listUsers(options?: ListUsersOptions): Listing<PdUser>;
  getUser(id: string, options?: { include?: UserInclude[] }): Promise<PdUser>;
  /** Only works with a user-level token. */
  getCurrentUser(): Promise<PdUser>;
  listTeams(options?: { query?: string }): Listing<PdTeam>;
  listTeamMembers(teamId: string): Listing<PdTeamMember>;
  listSchedules(options?: { include?: ScheduleInclude[]; query?: string; teamIds?: string[]; since?: string; until?: string }): Listing<PdSchedule>;
  getSchedule(id: string, options?: { since?: string; until?: string; timeZone?: string }): Promise<PdSchedule>;
  /** Users on call in a schedule during [since, until). Not paginated. */
  listScheduleUsers(scheduleId: string, options?: { since?: string; until?: string }): Promise<PdUser[]>;
  listOncalls(query?: OncallQuery): Listing<PdOncall>;
  listEscalationPolicies(options?: { include?: EscalationPolicyInclude[]; teamIds?: string[]; userIds?: string[]; query?: string }): Listing<PdEscalationPolicy>;
  listAbilities(): Promise<string[]>;
  /** GET /abilities/{id}: 204 → true; 402/404 → false. */
  hasAbility(ability: string): Promise<boolean>;
  listLicenses(): Promise<PdLicense[]>;
  listLicenseAllocations(): Listing<PdLicenseAllocation>;
  /** Account-wide audit trail (needs the Audit Trail feature; 402 otherwise). Newest first. */
  listAuditRecords(query?: AuditRecordQuery): Listing<PdAuditRecord>;
  /** Audit records of one resource (changes made to it). */
  listResourceAuditRecords(resource: AuditResourceType, id: string, query?: Omit<AuditRecordQuery, "rootResourceTypes" | "actions">): Listing<PdAuditRecord>;

  /** Write endpoints: for the change pipeline (lib/changes) only. */
  readonly writes: PagerDutyWrites;

  /** Low level, for probes (checkCredential). Throws PagerDutyError on non-2xx unless listed in acceptStatuses. */
  request<T>(spec: RequestSpec<T>): Promise<{ status: number; data: T }>;
}

export function createPagerDutyClient(options: PagerDutyClientOptions): PagerDutyClient {
  const baseUrl = normaliseBaseUrl(options.baseUrl ?? defaultBaseUrl(options.credential));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const fingerprint = fingerprintCredential(baseUrl, options.credential);
  const budget = options.budget ?? sharedRateBudget(fingerprint);
  const egress = options.egress ?? egressGuard();
  const auth: TokenSource =
    options.credential.kind === "api_key"
      ? apiKeySource(options.credential.token)
      : oauthSource(baseUrl, options.credential, { egress, fetch: options.fetch, timeoutMs, baseDelayMs: options.retry?.baseDelayMs });
  const executor = new Executor({
    baseUrl,
    egress,
    transport: options.fetch ? fetchTransport(options.fetch) : pdjsTransport,
    auth,
    budget,
    timeoutMs,
    retry: {
      attempts: options.retry?.attempts ?? 5,
      baseDelayMs: options.retry?.baseDelayMs ?? 500,
      maxDelayMs: options.retry?.maxDelayMs ?? 30_000,
      rateLimitRetries: options.retry?.rateLimitRetries ?? 20,
    },
    onRequest: options.onRequest,
    secrets: credentialSecrets(options.credential),
  });
  const concurrency = options.pageConcurrency ?? 4;

  const get = <T>(route: string, schema: z.ZodType<T>, params?: Record<string, string>, query?: QueryParams) =>
    executor.execute({ method: "GET", route, params, query, schema }).then((result) => result.data);

  /**
   * A ClassicFetch for `route`, items under `key`. `countable: false` for listings whose operation declares
   * no `total` parameter (GET /license_allocations): they page by `more` alone.
   */
  const classicFetch = <S extends z.ZodType>(route: string, key: string, item: S, params?: Record<string, string>, base: QueryParams = {}, countable = true): ClassicFetch<z.output<S>> => {
    const schema = classicPageSchema(key, item);
    return async (query, offset, limit, total) => {
      const page = await get(route, schema, params, { ...base, ...query, limit, offset, total: total && countable ? "true" : undefined });
      return { items: page.items, more: page.more, total: page.total };
    };
  };

  const classic = <S extends z.ZodType>(route: string, key: string, item: S, keyOf: (item: z.output<S>) => string, params?: Record<string, string>, query: QueryParams = {}, countable = true): Listing<z.output<S>> =>
    listing(() => classicPages(classicFetch(route, key, item, params, {}, countable), query, { key: keyOf, concurrency, route: `GET ${route}` }));

  const cursor = (route: string, params: Record<string, string> | undefined, query: QueryParams): Listing<PdAuditRecord> => {
    const schema = cursorPageSchema("records", auditRecordSchema);
    const fetchPage = async (next: string | undefined): Promise<{ items: PdAuditRecord[]; nextCursor: string | undefined }> => {
      const page = await get(route, schema, params, { ...query, cursor: next });
      return { items: page.items, nextCursor: page.nextCursor };
    };
    return listing(() => cursorPages(fetchPage, `GET ${route}`));
  };

  const absentOn404 = async (run: () => Promise<unknown>): Promise<"deleted" | "absent"> => {
    try {
      await run();
      return "deleted";
    } catch (error) {
      if (error instanceof PagerDutyError && error.kind === "http" && error.status === 404) return "absent";
      throw error;
    }
  };

  const writes: PagerDutyWrites = {
    async putTeamMember(teamId, userId, role) {
      await executor.execute({ method: "PUT", route: "/teams/{id}/users/{user_id}", params: { id: teamId, user_id: userId }, body: { role } });
    },
    deleteTeamMember(teamId, userId) {
      return absentOn404(() => executor.execute({ method: "DELETE", route: "/teams/{id}/users/{user_id}", params: { id: teamId, user_id: userId } }));
    },
    async updateUserRole(userId, role) {
      const current = await get("/users/{id}", wrapped("user", userSchema), { id: userId });
      const result = await executor.execute({
        method: "PUT",
        route: "/users/{id}",
        params: { id: userId },
        body: { user: { type: "user", name: current.name, email: current.email, role } },
        schema: wrapped("user", userSchema),
      });
      return result.data;
    },
    async createUser(user) {
      if (!options.fromEmail) {
        throw new PagerDutyError({ kind: "http", status: 0, message: "creating a user needs the From email of a user on the account (fromEmail)", route: "POST /users", retryable: false });
      }
      const result = await executor.execute({
        method: "POST",
        route: "/users",
        headers: { From: options.fromEmail },
        body: {
          user: {
            type: "user",
            name: user.name,
            email: user.email,
            ...(user.role ? { role: user.role } : {}),
            ...(user.timeZone ? { time_zone: user.timeZone } : {}),
            ...(user.jobTitle ? { job_title: user.jobTitle } : {}),
            ...(user.licenseId ? { license: { id: user.licenseId, type: "license_reference" } } : {}),
          },
        },
        schema: wrapped("user", userSchema),
      });
      return result.data;
    },
    deleteUser(userId) {
      return absentOn404(() => executor.execute({ method: "DELETE", route: "/users/{id}", params: { id: userId } }));
    },
    async deleteOauthDelegations(userId, types) {
      await executor.execute({ method: "DELETE", route: "/oauth_delegations", query: { user_id: userId, type: types.join(",") } });
    },
    async createOverrides(scheduleId, overrides) {
      const result = await executor.execute({
        method: "POST",
        route: "/schedules/{id}/overrides",
        params: { id: scheduleId },
        body: {
          overrides: overrides.map((o) => ({
            start: o.start,
            end: o.end,
            user: { id: o.userId, type: "user_reference" },
            ...(o.timeZone ? { time_zone: o.timeZone } : {}),
          })),
        },
        schema: z.array(overrideResultSchema),
      });
      return result.data;
    },
    async deleteOverride(scheduleId, overrideId) {
      try {
        const result = await executor.execute({ method: "DELETE", route: "/schedules/{id}/overrides/{override_id}", params: { id: scheduleId, override_id: overrideId } });
        return result.status === 200 ? "truncated" : "deleted";
      } catch (error) {
        if (error instanceof PagerDutyError && error.kind === "http" && error.status === 404) return "absent";
        throw error;
      }
    },
  };

  return {
    baseUrl,
    fingerprint,
    budget,
    writes,
    grantedScopes: () => auth.grantedScopes(),
    authenticate: async () => {
      await auth.current();
    },
    preflight: async () => {
      await executor.target(baseUrl, "GET /");
      const credential = options.credential;
      if (credential.kind === "oauth") await executor.target(credential.tokenUrl ?? TOKEN_URLS[credential.region], "POST /oauth/token");
    },
    request: (spec) => executor.execute(spec),

    listUsers(opts = {}) {
      const base: QueryParams = { "include[]": opts.include, "team_ids[]": opts.teamIds };
      const fetchPage = classicFetch("/users", "users", userSchema, undefined, base);
      const root: Partition = { label: opts.query ? `query="${opts.query}"` : "all users", query: { query: opts.query } };
      return listing(() =>
        partitionedPages(fetchPage, root, { key: (u) => u.id, concurrency, route: "GET /users", split: userPartitions }),
      );
    },
    getUser: (id, opts = {}) => get("/users/{id}", wrapped("user", userSchema), { id }, { "include[]": opts.include }),
    getCurrentUser: () => get("/users/me", wrapped("user", userSchema)),
    listTeams: (opts = {}) => classic("/teams", "teams", teamSchema, (t) => t.id, undefined, { query: opts.query }),
    listTeamMembers: (teamId) => classic("/teams/{id}/members", "members", teamMemberSchema, (m) => m.user.id, { id: teamId }),
    listSchedules: (opts = {}) =>
      classic("/schedules", "schedules", scheduleSchema, (s) => s.id, undefined, {
        "include[]": opts.include,
        query: opts.query,
        "team_ids[]": opts.teamIds,
        since: opts.since,
        until: opts.until,
      }),
    getSchedule: (id, opts = {}) =>
      get("/schedules/{id}", wrapped("schedule", scheduleSchema), { id }, { since: opts.since, until: opts.until, time_zone: opts.timeZone }),
    listScheduleUsers: (scheduleId, opts = {}) =>
      get("/schedules/{id}/users", z.object({ users: z.array(userSchema) }).transform((b) => b.users), { id: scheduleId }, { since: opts.since, until: opts.until }),
    listOncalls: (q = {}) =>
      classic(
        "/oncalls",
        "oncalls",
        oncallSchema,
        // An on-call row has no id: it is the (policy, level, schedule, user, start) tuple.
        (o) => [o.escalation_policy.id, o.escalation_level, o.schedule?.id ?? "", o.user.id, o.start ?? "", o.end ?? ""].join("|"),
        undefined,
        {
          since: q.since,
          until: q.until,
          "schedule_ids[]": q.scheduleIds,
          "escalation_policy_ids[]": q.escalationPolicyIds,
          "user_ids[]": q.userIds,
          earliest: q.earliest ? "true" : undefined,
          "include[]": q.include,
        },
      ),
    listEscalationPolicies: (opts = {}) =>
      classic("/escalation_policies", "escalation_policies", escalationPolicySchema, (p) => p.id, undefined, {
        "include[]": opts.include,
        "team_ids[]": opts.teamIds,
        "user_ids[]": opts.userIds,
        query: opts.query,
      }),
    listAbilities: () => get("/abilities", z.object({ abilities: z.array(z.string()) }).transform((b) => b.abilities)),
    async hasAbility(ability) {
      const result = await executor.execute({ method: "GET", route: "/abilities/{id}", params: { id: ability }, acceptStatuses: [402, 404] });
      return result.status >= 200 && result.status < 300;
    },
    listLicenses: () => get("/licenses", z.object({ licenses: z.array(licenseSchema) }).transform((b) => b.licenses)),
    listLicenseAllocations: () =>
      classic("/license_allocations", "license_allocations", licenseAllocationSchema, (a) => `${a.user.id}|${a.license.id}`, undefined, {}, false),
    listAuditRecords: (q = {}) =>
      cursor("/audit/records", undefined, {
        since: q.since,
        until: q.until,
        limit: q.limit,
        "root_resource_types[]": q.rootResourceTypes,
        "actions[]": q.actions,
      }),
    listResourceAuditRecords: (resource, id, q = {}) =>
      cursor(`/${resource}/{id}/audit/records`, { id }, { since: q.since, until: q.until, limit: q.limit }),
  };
}

function defaultBaseUrl(credential: PagerDutyCredential): string {
  return credential.kind === "oauth" ? API_BASE_URLS[credential.region] : API_BASE_URLS.us;
}

function normaliseBaseUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw new Error(`unsupported PagerDuty base URL protocol: ${parsed.protocol}`);
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, "")}`;
}
