/**
 * Contract suite (issue #3 item 7): every endpoint the simulator serves for the portal answers what PagerDuty's
 * official OpenAPI file documents.
 *
 * 1. Responses: each operation of #3 item 3 is called over HTTP with realistic parameters (includes, filters,
 *    pagination); the status is asserted and the body validated against the documented response schema.
 *    The documented error statuses 400/401/403/404/429 (and some 402s, and the audit feeds' 500) are provoked
 *    and validated too; a coverage test proves that every listed operation, and every documented error
 *    status of it, was exercised (or names why the simulator cannot be made to answer it).
 * 2. Requests: the portal's real PagerDuty client (lib/pagerduty, over its default pdjs transport) is pointed
 *    at a recording proxy in front of the simulator. Full, incremental and drift-attributing syncs (lib/sync), the change
 *    pipeline's writes (lib/changes/write.ts, one per kind of change), its read-backs (lib/changes/observe.ts)
 *    and the credential check run through it; every captured request is validated against the spec's request
 *    schemas.
 *
 * Where the spec and PagerDuty's documented behaviour disagree, the validator follows the behaviour:
 * tests/simulator/support/openapi.ts SPEC_EXCEPTIONS, each entry citing NOTES.md.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "@/simulator";
import type { SimEscalationPolicy } from "@/simulator/core/model";
import { observe } from "@/lib/changes/observe";
import type { Desired } from "@/lib/changes/types";
import { pipelineClients, writeChange } from "@/lib/changes/write";
import { checkCredential } from "@/lib/pagerduty";
import { ensureConnection } from "@/lib/sync/bootstrap";
import { createTestDb, type TestDb } from "../support/db";
import { sync } from "../sync/support";
import { control, oauthToken, pd, startTestSimulator, type PdInit, type PdResponse } from "./support/simulator";
import { documentedStatuses, matchOperation, validateRequest, validateResponse } from "./support/openapi";
import { startRecordingProxy, type RecordedExchange, type RecordingProxy } from "./support/recorder";

/** Issue #3 item 3, as "METHOD template" of the spec. */
const REQUIRED_OPERATIONS = [
  "GET /users",
  "GET /users/{id}",
  "POST /users",
  "PUT /users/{id}",
  "DELETE /users/{id}",
  "GET /users/me",
  "GET /users/{id}/license",
  "GET /teams",
  "GET /teams/{id}",
  "POST /teams",
  "PUT /teams/{id}",
  "DELETE /teams/{id}",
  "GET /teams/{id}/members",
  "PUT /teams/{id}/users/{user_id}",
  "DELETE /teams/{id}/users/{user_id}",
  "GET /schedules",
  "GET /schedules/{id}",
  "GET /schedules/{id}/users",
  "GET /schedules/{id}/overrides",
  "POST /schedules/{id}/overrides",
  "DELETE /schedules/{id}/overrides/{override_id}",
  "GET /oncalls",
  "GET /escalation_policies",
  "GET /escalation_policies/{id}",
  "GET /abilities",
  "GET /abilities/{id}",
  "GET /licenses",
  "GET /license_allocations",
  "GET /audit/records",
  "GET /users/{id}/audit/records",
  "GET /teams/{id}/audit/records",
  "GET /schedules/{id}/audit/records",
  "GET /escalation_policies/{id}/audit/records",
  "DELETE /oauth_delegations",
] as const;
type Operation = (typeof REQUIRED_OPERATIONS)[number];

/** The error statuses whose documentation the suite checks for every operation. */
const CHECKED_ERRORS = [400, 401, 403, 404, 429] as const;

/**
 * Documented error statuses the simulator has no way to produce, each with the reason. Anything documented
 * and not listed here must be exercised (last test).
 */
const NOT_PRODUCIBLE: Partial<Record<`${Operation} ${number}`, string>> = {
  "GET /users/{id} 400": "no argument of getUser can be invalid: an unknown id is 404 and include[] values are only expansions",
  "GET /teams/{id} 400": "no argument of getTeam can be invalid: an unknown id is 404",
  "GET /abilities/{id} 404": "an ability the account lacks answers 402 (NOTES §2.7: 402 or 404); the simulator always answers 402",
  "GET /licenses 404": "a list without path parameters has nothing to be not found",
  "GET /license_allocations 404": "a list without path parameters has nothing to be not found",
  "GET /audit/records 404": "the account-wide feed has no path parameters: nothing to be not found",
};

const UNKNOWN_ID = "PNOSUCH";
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Fixtures {
  now: number;
  ownerEmail: string;
  /** A `user` role member of `teamId`, with a license. */
  userId: string;
  teamId: string;
  scheduleId: string;
  policyId: string;
  /** A team with an escalation policy that targets `blockedUserId` directly, who is a member of it. */
  policyTeamId: string;
  blockedUserId: string;
  /** A user with unresolved assigned incidents (cannot be deleted). */
  busyUserId: string;
  /** A stakeholder (cannot be given a team role). */
  stakeholderId: string;
  /** Made by the write cases as they run. */
  created: { userId?: string; teamId?: string; overrideId?: string; inProgressOverrideId?: string; auditCursor?: string };
}

interface Case {
  op: Operation;
  label: string;
  /** Path parameters by name, then the query string (without "?"). */
  params?: (f: Fixtures) => Record<string, string>;
  query?: (f: Fixtures) => string;
  init?: (f: Fixtures) => PdInit;
  status: number;
  /** The request breaks the spec on purpose (a missing required parameter, a wrong type): its request is not validated. */
  breaksRequest?: true;
  /** Further assertions on the answer (e.g. keeping an id for later cases). */
  then?: (res: PdResponse, f: Fixtures) => void;
}

let sim: RunningSimulator;
let fx: Fixtures;
/** "METHOD template status" of every call made and validated. */
const exercised = new Set<string>();

const isoAt = (t: number) => new Date(t).toISOString();

function pathOf(op: Operation, params: Record<string, string>): string {
  const template = op.slice(op.indexOf(" ") + 1);
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${op}: no value for {${name}}`);
    return encodeURIComponent(value);
  });
}

/** Calls the simulator, asserts the status and that request and response conform to the spec. */
async function check(target: RunningSimulator, c: Case): Promise<PdResponse> {
  const method = c.op.slice(0, c.op.indexOf(" "));
  const template = c.op.slice(c.op.indexOf(" ") + 1);
  const query = c.query?.(fx) ?? "";
  const path = pathOf(c.op, c.params?.(fx) ?? {}) + (query ? `?${query}` : "");
  const init: PdInit = { method: method as PdInit["method"], ...c.init?.(fx) };
  const res = await pd(target, path, init);
  expect(res.status, `${c.op} (${c.label}) answered ${JSON.stringify(res.body)?.slice(0, 300)}`).toBe(c.status);
  const include = new URLSearchParams(query).getAll("include[]");
  expect(validateResponse(method, template, res.status, res.body, { include }), `${c.op} ${res.status} response`).toEqual([]);
  if (res.status >= 400) {
    // PagerDuty's error envelope (NOTES §1.5) — the spec's schema requires none of it, PagerDuty sends all of it.
    expect(res.body).toMatchObject({ error: { code: expect.any(Number), message: expect.any(String) } });
  }
  if (!c.breaksRequest) {
    const headers: Record<string, string> = { Accept: "application/vnd.pagerduty+json;version=2", ...init.headers };
    if (init.body !== undefined) headers["Content-Type"] = "application/json";
    const body = init.body === undefined ? undefined : JSON.stringify(init.body);
    expect(validateRequest(method, `${target.url}${path}`, headers, body, target.url), `${c.op} (${c.label}) request`).toEqual([]);
  }
  exercised.add(`${c.op} ${res.status}`);
  c.then?.(res, fx);
  return res;
}

function pickFixtures(s: RunningSimulator): Fixtures {
  const data = s.state.data;
  const users = [...data.users.values()];
  const owner = users.find((u) => u.role === "owner")!;
  const user = users.find((u) => u.role === "user" && u.licenseId && s.state.teamsOfUser(u.id).length > 0 && s.state.openIncidentsOf(u.id) === 0)!;
  const busy = users.find((u) => u.role !== "owner" && s.state.openIncidentsOf(u.id) > 0)!;
  const stakeholder = users.find((u) => u.role === "read_only_user" || u.role === "read_only_limited_user")!;
  const policies = [...data.escalationPolicies.values()];
  const direct = (p: SimEscalationPolicy) => p.rules.flatMap((r) => r.targets).find((t) => t.type === "user_reference");
  const policy = policies.find((p) => p.teamId && direct(p))!;
  expect({ user, busy, stakeholder, policy }, "the seeded organisation has the fixtures the suite needs").toMatchObject({
    user: expect.anything(),
    busy: expect.anything(),
    stakeholder: expect.anything(),
    policy: expect.anything(),
  });
  const schedule = [...data.schedules.values()].find((sc) => sc.overrides.length > 0) ?? [...data.schedules.values()][0]!;
  return {
    now: s.clock.now(),
    ownerEmail: owner.email,
    userId: user.id,
    teamId: s.state.teamsOfUser(user.id)[0]!.teamId,
    scheduleId: schedule.id,
    policyId: policy.id,
    policyTeamId: policy.teamId!,
    blockedUserId: direct(policy)!.id,
    busyUserId: busy.id,
    stakeholderId: stakeholder.id,
    created: {},
  };
}

beforeAll(async () => {
  sim = await startTestSimulator({ seed: 7, size: { users: 60, teams: 8, schedules: 6, escalationPolicies: 6 }, rateLimitPerMinute: 0 });
  sim.clock.freeze();
  fx = pickFixtures(sim);
  // The blocked user must be a member of the policy's team for the removal to be refused (an out-of-band edit, as in the web UI).
  if (!sim.state.membership(fx.policyTeamId, fx.blockedUserId)) {
    expect((await control(sim, "/edits", { kind: "add_member", teamId: fx.policyTeamId, userId: fx.blockedUserId, role: "responder" })).status).toBe(201);
  }
});
afterAll(() => sim?.close());

const day = (f: Fixtures) => `since=${encodeURIComponent(isoAt(f.now - DAY))}&until=${encodeURIComponent(isoAt(f.now + DAY))}`;
const week = (f: Fixtures) => `since=${encodeURIComponent(isoAt(f.now))}&until=${encodeURIComponent(isoAt(f.now + 7 * DAY))}`;
const auditWindow = (f: Fixtures) => `since=${encodeURIComponent(isoAt(f.now - 7 * DAY))}&until=${encodeURIComponent(isoAt(f.now + HOUR))}`;
const from = (f: Fixtures): PdInit => ({ headers: { From: f.ownerEmail } });

/**
 * Successful calls and the errors that need a particular state, in order: the writes build on each other
 * (a user is created, changed, read and deleted; so are a team, its member and two overrides).
 */
const CASES: Case[] = [
  // Users
  { op: "GET /users", label: "page with total and team references", query: () => "include[]=teams&limit=10&offset=5&total=true", status: 200 },
  { op: "GET /users", label: "query and team filter", query: (f) => `query=a&team_ids[]=${f.teamId}&include[]=teams&limit=100`, status: 200 },
  { op: "GET /users", label: "offset + limit beyond 10,000", query: () => "offset=9950&limit=100", status: 400, then: (r) => expect(r.body.error.code).toBe(2002) },
  { op: "GET /users/{id}", label: "with includes", params: (f) => ({ id: f.userId }), query: () => "include[]=contact_methods&include[]=notification_rules&include[]=teams", status: 200 },
  { op: "GET /users/me", label: "user-level key", init: () => ({ key: sim.keys.user }), status: 200 },
  { op: "GET /users/me", label: "account-level key", status: 400 },
  { op: "GET /users/{id}/license", label: "licensed user", params: (f) => ({ id: f.userId }), status: 200 },
  {
    op: "POST /users",
    label: "create with From, role and job title",
    init: (f) => ({ ...from(f), body: { user: { type: "user", name: "Contract Tester", email: "contract.tester@example.com", role: "limited_user", time_zone: "Europe/Berlin", job_title: "QA" } } }),
    status: 201,
    then: (r, f) => {
      f.created.userId = r.body.user.id;
    },
  },
  { op: "POST /users", label: "without the From header", init: () => ({ body: { user: { type: "user", name: "No From", email: "no.from@example.com" } } }), status: 400, breaksRequest: true },
  { op: "POST /users", label: "an email already taken", init: (f) => ({ ...from(f), body: { user: { type: "user", name: "Again", email: "contract.tester@example.com" } } }), status: 400 },
  {
    op: "PUT /users/{id}",
    label: "role change with name, email and type",
    params: (f) => ({ id: f.created.userId! }),
    init: () => ({ body: { user: { type: "user", name: "Contract Tester", email: "contract.tester@example.com", role: "user" } } }),
    status: 200,
    then: (r) => expect(r.body.user.role).toBe("user"),
  },
  {
    op: "PUT /users/{id}",
    label: "a role outside the enum",
    params: (f) => ({ id: f.created.userId! }),
    init: () => ({ body: { user: { type: "user", name: "Contract Tester", email: "contract.tester@example.com", role: "manager" } } }),
    status: 400,
    breaksRequest: true,
  },
  { op: "GET /users/{id}/license", label: "the created user's license", params: (f) => ({ id: f.created.userId! }), status: 200 },
  { op: "GET /users/{id}/audit/records", label: "changes made to the created user", params: (f) => ({ id: f.created.userId! }), query: (f) => `${auditWindow(f)}&limit=10`, status: 200, then: (r) => expect(r.body.records.length).toBeGreaterThan(0) },
  { op: "DELETE /users/{id}", label: "the created user", params: (f) => ({ id: f.created.userId! }), status: 204 },
  { op: "DELETE /users/{id}", label: "a user with assigned incidents", params: (f) => ({ id: f.busyUserId }), status: 400 },

  // Teams and members
  { op: "GET /teams", label: "page with total", query: () => "limit=5&offset=0&total=true", status: 200 },
  { op: "GET /teams", label: "query", query: () => "query=e", status: 200 },
  { op: "GET /teams", label: "offset + limit beyond 10,000", query: () => "offset=10000&limit=1", status: 400 },
  { op: "GET /teams/{id}", label: "a team", params: (f) => ({ id: f.teamId }), query: () => "include[]=privileges", status: 200 },
  {
    op: "POST /teams",
    label: "create",
    init: () => ({ body: { team: { type: "team", name: "Contract Team", description: "made by the contract suite", default_role: "manager" } } }),
    status: 201,
    then: (r, f) => {
      f.created.teamId = r.body.team.id;
    },
  },
  { op: "POST /teams", label: "without a name", init: () => ({ body: { team: { type: "team" } } }), status: 400, breaksRequest: true },
  { op: "PUT /teams/{id}", label: "rename", params: (f) => ({ id: f.created.teamId! }), init: () => ({ body: { team: { type: "team", name: "Contract Team Renamed", description: "renamed" } } }), status: 200 },
  { op: "PUT /teams/{id}/users/{user_id}", label: "add as responder", params: (f) => ({ id: f.created.teamId!, user_id: f.userId }), init: () => ({ body: { role: "responder" } }), status: 204 },
  { op: "PUT /teams/{id}/users/{user_id}", label: "change to manager", params: (f) => ({ id: f.created.teamId!, user_id: f.userId }), init: () => ({ body: { role: "manager" } }), status: 204 },
  { op: "PUT /teams/{id}/users/{user_id}", label: "a stakeholder", params: (f) => ({ id: f.created.teamId!, user_id: f.stakeholderId }), init: () => ({ body: { role: "observer" } }), status: 400 },
  { op: "GET /teams/{id}/members", label: "references and roles", params: (f) => ({ id: f.created.teamId! }), query: () => "limit=25&offset=0&total=true", status: 200, then: (r) => expect(r.body.members).toHaveLength(1) },
  { op: "GET /teams/{id}/members", label: "include[]=users", params: (f) => ({ id: f.teamId }), query: () => "include[]=users", status: 200 },
  { op: "GET /teams/{id}/members", label: "offset + limit beyond 10,000", params: (f) => ({ id: f.teamId }), query: () => "offset=9999&limit=2", status: 400 },
  { op: "GET /teams/{id}/audit/records", label: "membership changes", params: (f) => ({ id: f.created.teamId! }), query: (f) => auditWindow(f), status: 200, then: (r) => expect(r.body.records.length).toBeGreaterThan(0) },
  { op: "DELETE /teams/{id}/users/{user_id}", label: "remove the member", params: (f) => ({ id: f.created.teamId!, user_id: f.userId }), status: 204 },
  { op: "DELETE /teams/{id}/users/{user_id}", label: "a member an escalation policy of the team targets", params: (f) => ({ id: f.policyTeamId, user_id: f.blockedUserId }), status: 400 },
  { op: "DELETE /teams/{id}", label: "the new team", params: (f) => ({ id: f.created.teamId! }), status: 204 },
  { op: "DELETE /teams/{id}", label: "a team with an escalation policy", params: (f) => ({ id: f.policyTeamId }), status: 400, then: (r) => expect(r.body.error.code).toBe(6006) },

  // Schedules and overrides
  { op: "GET /schedules", label: "page with references", query: () => "limit=3&offset=0&total=true", status: 200 },
  {
    op: "GET /schedules",
    label: "rendered layers and final schedule in a time zone",
    query: (f) => `include[]=schedule_layers&include[]=overrides_subschedule&include[]=final_schedule&time_zone=America/New_York&${week(f)}`,
    status: 200,
    then: (r) => {
      expect(r.body.schedules.length).toBeGreaterThan(0);
      for (const schedule of r.body.schedules) expect(schedule.final_schedule.rendered_schedule_entries.length).toBeGreaterThan(0);
    },
  },
  {
    op: "GET /schedules",
    label: "a team's schedules",
    query: (f) => `team_ids[]=${sim.state.data.schedules.get(f.scheduleId)!.teamIds[0] ?? f.teamId}&limit=100`,
    status: 200,
    then: (r, f) => expect(r.body.schedules.map((x: { id: string }) => x.id)).toContain(f.scheduleId),
  },
  { op: "GET /schedules", label: "offset + limit beyond 10,000", query: () => "offset=10000&limit=25", status: 400 },
  { op: "GET /schedules/{id}", label: "rendered over a week", params: (f) => ({ id: f.scheduleId }), query: (f) => `${week(f)}&time_zone=Europe/London&overflow=true`, status: 200 },
  { op: "GET /schedules/{id}", label: "defaults", params: (f) => ({ id: f.scheduleId }), status: 200 },
  { op: "GET /schedules/{id}", label: "an unreadable since", params: (f) => ({ id: f.scheduleId }), query: () => "since=yesterday", status: 400, breaksRequest: true },
  { op: "GET /schedules/{id}/users", label: "on call over a day", params: (f) => ({ id: f.scheduleId }), query: (f) => day(f), status: 200 },
  { op: "GET /schedules/{id}/users", label: "an unreadable until", params: (f) => ({ id: f.scheduleId }), query: () => "until=soon", status: 400, breaksRequest: true },
  {
    op: "POST /schedules/{id}/overrides",
    label: "a batch with one bad item",
    params: (f) => ({ id: f.scheduleId }),
    init: (f) => ({
      body: {
        overrides: [
          { start: isoAt(f.now + 2 * DAY), end: isoAt(f.now + 3 * DAY), user: { id: f.userId, type: "user_reference" }, time_zone: "UTC" },
          { start: isoAt(f.now - HOUR), end: isoAt(f.now + HOUR), user: { id: f.userId, type: "user_reference" } },
          { start: isoAt(f.now + 4 * DAY), end: isoAt(f.now + 5 * DAY), user: { id: UNKNOWN_ID, type: "user_reference" } },
        ],
      },
    }),
    status: 201,
    then: (r, f) => {
      expect(r.body.map((item: { status: number }) => item.status)).toEqual([201, 201, 400]);
      f.created.overrideId = r.body[0].override.id;
      f.created.inProgressOverrideId = r.body[1].override.id;
    },
  },
  { op: "POST /schedules/{id}/overrides", label: "an empty batch", params: (f) => ({ id: f.scheduleId }), init: () => ({ body: { overrides: [] } }), status: 400 },
  { op: "GET /schedules/{id}/overrides", label: "editable, overflowing", params: (f) => ({ id: f.scheduleId }), query: (f) => `${week(f)}&editable=true&overflow=true`, status: 200, then: (r) => expect(r.body.overrides.length).toBeGreaterThan(0) },
  { op: "GET /schedules/{id}/overrides", label: "without since and until", params: (f) => ({ id: f.scheduleId }), status: 400, breaksRequest: true },
  { op: "DELETE /schedules/{id}/overrides/{override_id}", label: "a future override", params: (f) => ({ id: f.scheduleId, override_id: f.created.overrideId! }), status: 204 },
  { op: "DELETE /schedules/{id}/overrides/{override_id}", label: "an override in progress (truncated)", params: (f) => ({ id: f.scheduleId, override_id: f.created.inProgressOverrideId! }), status: 200 },
  { op: "GET /schedules/{id}/audit/records", label: "override changes", params: (f) => ({ id: f.scheduleId }), query: (f) => `${auditWindow(f)}&limit=2`, status: 200, then: (r) => expect(r.body.records.length).toBeGreaterThan(0) },

  // On-calls and escalation policies
  { op: "GET /oncalls", label: "now", status: 200 },
  {
    op: "GET /oncalls",
    label: "a week of schedules with permanent on-calls, includes",
    query: (f) => `${week(f)}&schedule_ids[]=${f.scheduleId}&schedule_ids[]=null&include[]=users&include[]=schedules&include[]=escalation_policies&time_zone=Asia/Tokyo&limit=50&total=true`,
    status: 200,
  },
  { op: "GET /oncalls", label: "earliest by policy and user", query: (f) => `${week(f)}&escalation_policy_ids[]=${f.policyId}&user_ids[]=${f.blockedUserId}&earliest=true`, status: 200, then: (r) => expect(r.body.oncalls.length).toBeGreaterThan(0) },
  { op: "GET /oncalls", label: "until before since", query: (f) => `since=${encodeURIComponent(isoAt(f.now))}&until=${encodeURIComponent(isoAt(f.now - DAY))}`, status: 400 },
  { op: "GET /escalation_policies", label: "includes, sorted", query: () => "include[]=teams&include[]=targets&include[]=services&sort_by=name:desc&total=true", status: 200 },
  { op: "GET /escalation_policies", label: "team and user filters", query: (f) => `team_ids[]=${f.policyTeamId}&user_ids[]=${f.blockedUserId}&query=${encodeURIComponent(sim.state.data.escalationPolicies.get(f.policyId)!.name.slice(0, 4))}`, status: 200, then: (r) => expect(r.body.escalation_policies.length).toBeGreaterThan(0) },
  { op: "GET /escalation_policies", label: "offset + limit beyond 10,000", query: () => "offset=10000&limit=100", status: 400 },
  { op: "GET /escalation_policies/{id}", label: "with targets", params: (f) => ({ id: f.policyId }), query: () => "include[]=targets&include[]=teams", status: 200 },
  { op: "GET /escalation_policies/{id}/audit/records", label: "a seeded policy", params: (f) => ({ id: f.policyId }), query: (f) => auditWindow(f), status: 200 },

  // Abilities, licenses, sign-out
  { op: "GET /abilities", label: "the account's abilities", status: 200 },
  { op: "GET /abilities/{id}", label: "an ability the account has", params: () => ({ id: "teams" }), status: 204 },
  { op: "GET /abilities/{id}", label: "an ability the account lacks", params: () => ({ id: "offboarding" }), status: 402 },
  { op: "GET /licenses", label: "with counts", status: 200 },
  { op: "GET /license_allocations", label: "a page", query: () => "limit=10&offset=10", status: 200 },
  { op: "DELETE /oauth_delegations", label: "web and mobile", query: (f) => `user_id=${f.userId}&type=web,mobile`, status: 200, then: (r) => expect(r.body).toEqual({ status: "ok" }) },
  { op: "DELETE /oauth_delegations", label: "mobile only", query: (f) => `user_id=${f.userId}&type=mobile`, status: 200 },
  { op: "DELETE /oauth_delegations", label: "an unknown type", query: (f) => `user_id=${f.userId}&type=desktop`, status: 400, breaksRequest: true },

  // The account-wide audit trail, after all those writes
  {
    op: "GET /audit/records",
    label: "teams and users, updates, first page",
    query: (f) => `${auditWindow(f)}&root_resource_types[]=teams&root_resource_types[]=users&actions[]=update&actions[]=create&limit=2`,
    status: 200,
    then: (r, f) => {
      expect(r.body.next_cursor).toEqual(expect.any(String));
      f.created.auditCursor = r.body.next_cursor;
    },
  },
  { op: "GET /audit/records", label: "the next page", query: (f) => `${auditWindow(f)}&root_resource_types[]=teams&root_resource_types[]=users&actions[]=update&actions[]=create&limit=2&cursor=${f.created.auditCursor}`, status: 200 },
  { op: "GET /audit/records", label: "by actor type and method", query: () => "actor_type=api_key_reference&method_type=api_token&limit=5", status: 200, then: (r) => expect(r.body.records.length).toBeGreaterThan(0) },
  { op: "GET /audit/records", label: "a window over 31 days", query: (f) => `since=${encodeURIComponent(isoAt(f.now - 40 * DAY))}&until=${encodeURIComponent(isoAt(f.now))}`, status: 400 },
  { op: "GET /users/{id}/audit/records", label: "a window over 31 days", params: (f) => ({ id: f.userId }), query: (f) => `since=${encodeURIComponent(isoAt(f.now - 40 * DAY))}&until=${encodeURIComponent(isoAt(f.now))}`, status: 400 },
  { op: "GET /teams/{id}/audit/records", label: "an undecodable cursor", params: (f) => ({ id: f.teamId }), query: () => "cursor=not-a-cursor", status: 400 },
  { op: "GET /schedules/{id}/audit/records", label: "until before since", params: (f) => ({ id: f.scheduleId }), query: (f) => `since=${encodeURIComponent(isoAt(f.now))}&until=${encodeURIComponent(isoAt(f.now - HOUR))}`, status: 400 },
  { op: "GET /escalation_policies/{id}/audit/records", label: "limit not a number", params: (f) => ({ id: f.policyId }), query: () => "limit=many", status: 400, breaksRequest: true },
];

/** One spec-valid request per operation, for the generic refusals (401, 403, 404, 429). Nothing it asks for is done. */
const SAMPLES: Record<Operation, Pick<Case, "params" | "query" | "init">> = {
  "GET /users": { query: () => "limit=5" },
  "GET /users/{id}": { params: (f) => ({ id: f.userId }) },
  "POST /users": { init: (f) => ({ ...from(f), body: { user: { type: "user", name: "Refused", email: "refused@example.com" } } }) },
  "PUT /users/{id}": { params: (f) => ({ id: f.userId }), init: () => ({ body: { user: { type: "user", name: "Refused", email: "refused@example.com", role: "admin" } } }) },
  "DELETE /users/{id}": { params: (f) => ({ id: f.userId }) },
  "GET /users/me": {},
  "GET /users/{id}/license": { params: (f) => ({ id: f.userId }) },
  "GET /teams": {},
  "GET /teams/{id}": { params: (f) => ({ id: f.teamId }) },
  "POST /teams": { init: () => ({ body: { team: { type: "team", name: "Refused" } } }) },
  "PUT /teams/{id}": { params: (f) => ({ id: f.teamId }), init: () => ({ body: { team: { type: "team", name: "Refused" } } }) },
  "DELETE /teams/{id}": { params: (f) => ({ id: f.teamId }) },
  "GET /teams/{id}/members": { params: (f) => ({ id: f.teamId }) },
  "PUT /teams/{id}/users/{user_id}": { params: (f) => ({ id: f.teamId, user_id: f.userId }), init: () => ({ body: { role: "observer" } }) },
  "DELETE /teams/{id}/users/{user_id}": { params: (f) => ({ id: f.teamId, user_id: f.userId }) },
  "GET /schedules": {},
  "GET /schedules/{id}": { params: (f) => ({ id: f.scheduleId }) },
  "GET /schedules/{id}/users": { params: (f) => ({ id: f.scheduleId }) },
  "GET /schedules/{id}/overrides": { params: (f) => ({ id: f.scheduleId }), query: (f) => week(f) },
  "POST /schedules/{id}/overrides": {
    params: (f) => ({ id: f.scheduleId }),
    init: (f) => ({ body: { overrides: [{ start: isoAt(f.now + 20 * DAY), end: isoAt(f.now + 21 * DAY), user: { id: f.userId, type: "user_reference" } }] } }),
  },
  "DELETE /schedules/{id}/overrides/{override_id}": { params: (f) => ({ id: f.scheduleId, override_id: f.created.overrideId ?? "Q000000" }) },
  "GET /oncalls": {},
  "GET /escalation_policies": {},
  "GET /escalation_policies/{id}": { params: (f) => ({ id: f.policyId }) },
  "GET /abilities": {},
  "GET /abilities/{id}": { params: () => ({ id: "teams" }) },
  "GET /licenses": {},
  "GET /license_allocations": {},
  "GET /audit/records": {},
  "GET /users/{id}/audit/records": { params: (f) => ({ id: f.userId }) },
  "GET /teams/{id}/audit/records": { params: (f) => ({ id: f.teamId }) },
  "GET /schedules/{id}/audit/records": { params: (f) => ({ id: f.scheduleId }) },
  "GET /escalation_policies/{id}/audit/records": { params: (f) => ({ id: f.policyId }) },
  "DELETE /oauth_delegations": { query: (f) => `user_id=${f.userId}&type=web` },
};

const methodOf = (op: Operation) => op.slice(0, op.indexOf(" "));
const documented = (op: Operation): Set<number> => new Set(documentedStatuses(methodOf(op), op.slice(op.indexOf(" ") + 1)));

describe("responses conform to the spec", () => {
  it.each(CASES.map((c) => [`${c.op}: ${c.label} → ${c.status}`, c] as const))("%s", async (_name, c) => {
    await check(sim, c);
  });
});

describe("documented refusals conform to the spec", () => {
  const withStatus = (status: number) => REQUIRED_OPERATIONS.filter((op) => documented(op).has(status));

  it.each(withStatus(401))("%s → 401 with an unknown key", async (op) => {
    await check(sim, { op, label: "unknown key", ...SAMPLES[op], init: (f) => ({ ...SAMPLES[op].init?.(f), key: "not-a-key_0000" }), status: 401 });
  });

  it.each(withStatus(403))("%s → 403 (read-only key for a write, a token without the scope for a read)", async (op) => {
    const write = methodOf(op) !== "GET";
    // Any scope but the one the operation needs: abilities.read, or users.read for the abilities endpoints.
    const token = write ? undefined : await oauthToken(sim, [op.includes("/abilities") ? "users.read" : "abilities.read"]);
    const auth: PdInit = write ? { key: sim.keys.readOnly } : { bearer: token };
    await check(sim, { op, label: "refused", ...SAMPLES[op], init: (f) => ({ ...SAMPLES[op].init?.(f), ...auth }), status: 403 });
  });

  it.each(withStatus(404).filter((op) => op.includes("{") && !NOT_PRODUCIBLE[`${op} 404`]))("%s → 404 for an unknown id", async (op) => {
    const params = (f: Fixtures) => {
      const known = SAMPLES[op].params?.(f) ?? {};
      const last = Object.keys(known).at(-1) as string;
      return { ...known, [last]: UNKNOWN_ID };
    };
    await check(sim, { op, label: "unknown id", ...SAMPLES[op], params, status: 404 });
  });

  it("402 when the account lacks the teams or audit trail ability", async () => {
    expect((await control(sim, "/abilities", { disable: ["teams", "audit_trail"] })).status).toBe(200);
    try {
      await check(sim, { op: "GET /teams", label: "no teams ability", status: 402 });
      await check(sim, { op: "GET /teams/{id}/members", label: "no teams ability", params: (f) => ({ id: f.teamId }), status: 402 });
      await check(sim, { op: "PUT /teams/{id}/users/{user_id}", label: "no teams ability", ...SAMPLES["PUT /teams/{id}/users/{user_id}"], status: 402 });
      await check(sim, { op: "GET /audit/records", label: "no audit trail", status: 402 });
    } finally {
      await control(sim, "/abilities", { enable: ["teams", "audit_trail"] });
    }
  });

  it.each(withStatus(500))("%s → its documented 500 (an injected fault)", async (op) => {
    expect((await control(sim, "/faults", { routes: { [op]: { errors: { probability: 1, statuses: [500] } } } })).status).toBe(200);
    try {
      await check(sim, { op, label: "server error", ...SAMPLES[op], status: 500 });
    } finally {
      await control(sim, "/faults", {});
    }
  });

  describe("429 when the credential's budget is spent", () => {
    let limited: RunningSimulator;
    beforeAll(async () => {
      // Same seed and size: the same ids exist. One request a minute on a clock that never moves.
      limited = await startTestSimulator({ seed: 7, size: { users: 60, teams: 8, schedules: 6, escalationPolicies: 6 }, rateLimitPerMinute: 1, rateLimitNow: () => 0 });
      expect((await pd(limited, "/abilities")).status).toBe(200);
    });
    afterAll(() => limited?.close());

    it.each(REQUIRED_OPERATIONS.filter((op) => op !== "GET /users/me"))("%s → 429 code 2020 with the rate-limit headers", async (op) => {
      const res = await check(limited, { op, label: "rate limited", ...SAMPLES[op], status: 429 });
      expect(res.body.error.code).toBe(2020);
      expect(res.headers.get("ratelimit-limit")).toBe("1");
      expect(res.headers.get("ratelimit-remaining")).toBe("0");
      expect(Number(res.headers.get("ratelimit-reset"))).toBeGreaterThan(0);
    });

    it("GET /users/me → 429 for a user-level key too", async () => {
      expect((await pd(limited, "/users/me", { key: limited.keys.user })).status).toBe(200);
      await check(limited, { op: "GET /users/me", label: "rate limited", init: () => ({ key: limited.keys.user }), status: 429 });
    });
  });
});

describe("coverage", () => {
  it("every listed operation answered a success and every documented error status it can produce", () => {
    const missing: string[] = [];
    for (const op of REQUIRED_OPERATIONS) {
      const success = [...documented(op)].filter((s) => s < 300);
      if (!success.some((s) => exercised.has(`${op} ${s === 201 && op === "GET /schedules/{id}/overrides" ? 200 : s}`))) missing.push(`${op} (no success)`);
      for (const status of CHECKED_ERRORS) {
        if (!documented(op).has(status) || exercised.has(`${op} ${status}`)) continue;
        if (!NOT_PRODUCIBLE[`${op} ${status}`]) missing.push(`${op} ${status}`);
      }
    }
    expect(missing).toEqual([]);
    // Every exemption names a status that is documented and really not exercised (no stale entries).
    for (const key of Object.keys(NOT_PRODUCIBLE)) {
      const op = key.slice(0, key.lastIndexOf(" ")) as Operation;
      expect(documented(op).has(Number(key.slice(key.lastIndexOf(" ") + 1))), key).toBe(true);
      expect(exercised.has(key), key).toBe(false);
    }
    // Every success status each operation documents was seen (DELETE override: 204 and 200).
    expect(exercised.has("DELETE /schedules/{id}/overrides/{override_id} 200")).toBe(true);
    expect(exercised.has("DELETE /schedules/{id}/overrides/{override_id} 204")).toBe(true);
  });
});

/**
 * What the portal sends. The real client (lib/pagerduty over its pdjs transport, as the sync worker and the
 * change pipeline build it from a stored connection) talks to a recording proxy in front of a simulator; each
 * captured request must match the spec's path, query, header and body schemas, and each answer its
 * documented response.
 */
describe("requests the portal's PagerDuty client sends conform to the spec", () => {
  let t: TestDb;
  let origin: RunningSimulator;
  let proxy: RecordingProxy;
  let connectionId: string;
  /** "METHOD template" of every request the portal made, for the coverage check. */
  const sent = new Set<string>();

  beforeAll(async () => {
    [t, origin] = await Promise.all([createTestDb(), startTestSimulator({ seed: 11, size: { users: 50, teams: 8, schedules: 6, escalationPolicies: 5 }, rateLimitPerMinute: 0 })]);
    proxy = await startRecordingProxy(origin.url);
    connectionId = await ensureConnection(t.prisma, { apiBaseUrl: proxy.url, secret: { kind: "API_KEY", apiKey: origin.keys.full }, subdomain: "acme" });
  });
  afterAll(async () => {
    await proxy?.close();
    await origin?.close();
    await t?.close();
  });

  /** Validates and forgets what was captured so far; returns the operations it hit. */
  function drain(): RecordedExchange[] {
    const taken = proxy.exchanges.splice(0);
    const violations: string[] = [];
    for (const x of taken) {
      const path = new URL(x.url).pathname;
      // The OAuth token endpoint is PagerDuty's identity service, not part of the REST spec.
      if (path.startsWith("/oauth/")) continue;
      const match = matchOperation(x.method, path);
      violations.push(...validateRequest(x.method, x.url, x.headers, x.body, proxy.url).map((v) => `${v} [${x.method} ${x.url}]`));
      if (!match) continue;
      sent.add(`${match.method} ${match.template}`);
      const body: unknown = x.responseBody ? JSON.parse(x.responseBody) : undefined;
      const include = new URL(x.url).searchParams.getAll("include[]");
      violations.push(...validateResponse(x.method, match.template, x.status, body, { include }));
    }
    expect(violations).toEqual([]);
    expect(taken.length).toBeGreaterThan(0);
    return taken;
  }

  it("a full sync, an incremental sync after API writes, and a full sync attributing drift without the audit trail", async () => {
    const full = await sync(t.prisma, connectionId, { kind: "FULL" });
    expect(full.status, full.error).toBe("SUCCEEDED");
    drain();

    const users = [...origin.state.data.users.values()];
    const owner = users.find((u) => u.role === "owner")!;
    const someone = users.find((u) => u.role === "limited_user")!;
    const schedule = [...origin.state.data.schedules.values()][0]!;
    const now = origin.clock.now();
    // Writes by another API client, so the incremental sync re-reads a new user (and its license), a new
    // team and its members, and a schedule.
    const hire = await pd(origin, "/users", { method: "POST", headers: { From: owner.email }, body: { user: { type: "user", name: "Incremental Hire", email: "incremental.hire@example.com", role: "limited_user" } } });
    expect(hire.status).toBe(201);
    const newTeam = await pd(origin, "/teams", { method: "POST", body: { team: { type: "team", name: "Incremental Team" } } });
    expect(newTeam.status).toBe(201);
    expect((await pd(origin, `/teams/${newTeam.body.team.id}/users/${hire.body.user.id}`, { method: "PUT", body: { role: "responder" } })).status).toBe(204);
    const override = { overrides: [{ start: isoAt(now + DAY), end: isoAt(now + 2 * DAY), user: { id: someone.id, type: "user_reference" } }] };
    expect((await pd(origin, `/schedules/${schedule.id}/overrides`, { method: "POST", body: override })).status).toBe(201);

    const incremental = await sync(t.prisma, connectionId, { kind: "INCREMENTAL" });
    expect(incremental).toMatchObject({ status: "SUCCEEDED", kind: "INCREMENTAL" });
    const paths = drain().map((x) => `${x.method} ${new URL(x.url).pathname}`);
    expect(paths).toEqual(expect.arrayContaining([`GET /users/${hire.body.user.id}`, `GET /users/${hire.body.user.id}/license`, `GET /teams/${newTeam.body.team.id}`, `GET /schedules/${schedule.id}`]));

    // Without the audit trail, drift found by a full sync is attributed from the per-resource feeds.
    expect((await control(origin, "/abilities", { disable: ["audit_trail"] })).status).toBe(200);
    const team = [...origin.state.data.teams.values()].find((tm) => tm.id !== newTeam.body.team.id && !origin.state.membership(tm.id, someone.id))!;
    expect((await control(origin, "/edits", { kind: "set_role", userId: someone.id, role: "user" })).status).toBe(201);
    expect((await control(origin, "/edits", { kind: "add_member", teamId: team.id, userId: someone.id, role: "observer" })).status).toBe(201);
    const drifted = await sync(t.prisma, connectionId, { kind: "FULL" });
    await control(origin, "/abilities", { enable: ["audit_trail"] });
    expect(drifted.status, drifted.error).toBe("SUCCEEDED");
    expect(drifted.drift).toBeGreaterThan(0);
    expect(drain().map((x) => `${x.method} ${new URL(x.url).pathname}`)).toEqual(expect.arrayContaining([`GET /users/${someone.id}/audit/records`, `GET /teams/${team.id}/audit/records`]));
  });

  it("every kind of write the change pipeline makes, each with its read-back", async () => {
    const row = await t.prisma.pagerDutyConnection.findUniqueOrThrow({ where: { id: connectionId } });
    const users = [...origin.state.data.users.values()];
    const owner = users.find((u) => u.role === "owner")!;
    const clients = pipelineClients(row, owner.email, { timeoutMs: 5_000, baseDelayMs: 5 });
    const member = users.find((u) => u.role === "limited_user" && origin.state.openIncidentsOf(u.id) === 0)!;
    const team = [...origin.state.data.teams.values()].find((tm) => !origin.state.membership(tm.id, member.id))!;
    const license = [...origin.state.data.licenses.values()].find((l) => l.valid_roles.includes("limited_user"))!;

    const changes: Desired[] = [
      { kind: "TEAM_MEMBER_PUT", teamId: team.id, userId: member.id, role: "responder" },
      { kind: "TEAM_MEMBER_PUT", teamId: team.id, userId: member.id, role: "manager" },
      { kind: "TEAM_MEMBER_REMOVE", teamId: team.id, userId: member.id },
      { kind: "USER_ROLE_CHANGE", userId: member.id, role: "user" },
      { kind: "USER_CREATE", name: "Pipeline Person", email: "pipeline.person@example.com", role: "limited_user", licenseId: license.id, timeZone: "Europe/Paris", jobTitle: "Engineer" },
      { kind: "USER_SIGN_OUT", userId: member.id, types: ["web", "mobile"] },
      { kind: "USER_SIGN_OUT", userId: member.id, types: ["web"] },
    ];
    for (const desired of changes) {
      expect((await observe(clients.read, desired)).matches, `${desired.kind} not yet applied`).toBe(false);
      await writeChange(clients.write, desired);
      if (desired.kind !== "USER_SIGN_OUT") expect((await observe(clients.read, desired)).matches, `${desired.kind} applied`).toBe(true);
    }
    const created = (await observe(clients.read, changes[4]!)).userId!;
    const deletion: Desired = { kind: "USER_DELETE", userId: created };
    expect((await observe(clients.read, deletion)).matches).toBe(false);
    await writeChange(clients.write, deletion);
    expect((await observe(clients.read, deletion)).matches).toBe(true);

    const exchanges = drain();
    // POST /users carried the From header of a user on the account (NOTES §1.2).
    const creation = exchanges.find((x) => x.method === "POST" && new URL(x.url).pathname === "/users")!;
    expect(creation.headers.from).toBe(owner.email);
    // The sign-out named both apps in one comma-separated type (NOTES §2.1).
    expect(exchanges.some((x) => x.method === "DELETE" && new URL(x.url).searchParams.get("type") === "web,mobile")).toBe(true);
  });

  it("the credential check (abilities and the harmless write probe)", async () => {
    const row = await t.prisma.pagerDutyConnection.findUniqueOrThrow({ where: { id: connectionId } });
    const result = await checkCredential(pipelineClients(row, undefined).read);
    expect(result).toMatchObject({ ok: true, accessLevel: "full" });
    drain();
  });

  it("covered the sync's reads and every write of the change pipeline", () => {
    const expected = [
      // Full sync
      "GET /abilities",
      "GET /users",
      "GET /licenses",
      "GET /license_allocations",
      "GET /schedules",
      "GET /escalation_policies",
      "GET /teams",
      "GET /teams/{id}/members",
      "GET /oncalls",
      // Incremental sync
      "GET /audit/records",
      "GET /users/{id}",
      "GET /users/{id}/license",
      "GET /schedules/{id}",
      "GET /users/{id}/audit/records",
      "GET /teams/{id}/audit/records",
      // Change pipeline writes
      "PUT /teams/{id}/users/{user_id}",
      "DELETE /teams/{id}/users/{user_id}",
      "PUT /users/{id}",
      "POST /users",
      "DELETE /users/{id}",
      "DELETE /oauth_delegations",
    ];
    expect(expected.filter((op) => !sent.has(op))).toEqual([]);
  });
});
