/**
 * Bad input never crashes or hangs the simulator (issue #3 §8): malformed JSON, bodies of the wrong type,
 * fields of the wrong type, missing required fields, unknown ids and junk query parameters all answer
 * PagerDuty-style 4xx bodies `{"error":{"code","message","errors"?}}`. The sweep walks every PagerDuty route the
 * simulator serves, so a new route is covered the day it is added.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "@/simulator";
import { pagerDutyRoutes } from "@/simulator/routes";
import { pd, startTestSimulator, type PdInit, type PdResponse } from "./support/simulator";

let sim: RunningSimulator;
const logged: string[] = [];
beforeAll(async () => {
  sim = await startTestSimulator({ size: { users: 30, teams: 4, schedules: 3, escalationPolicies: 3 }, rateLimitPerMinute: 0, log: (line) => logged.push(line) });
});
afterAll(() => sim.close());

/** Every request gets an answer within 10 s or the test fails (a hang would otherwise only time out). */
const call = (path: string, init: PdInit = {}) => pd(sim, path, { ...init, signal: AbortSignal.timeout(10_000) });

function expectPdError(res: PdResponse, what: string, statuses = [400, 402, 404]): void {
  expect(statuses, `${what} answered ${res.status} ${JSON.stringify(res.body)}`).toContain(res.status);
  expect(res.body?.error, what).toMatchObject({ code: expect.any(Number), message: expect.any(String) });
  if (res.body.error.errors !== undefined) expect(Array.isArray(res.body.error.errors), what).toBe(true);
}

/** Real ids for a route's parameters (so the route's own validation is reached). */
function realPath(template: string): string {
  const schedule = [...sim.state.data.schedules.values()].find((s) => s.overrides.length > 0) ?? [...sim.state.data.schedules.values()][0]!;
  const collection = template.split("/")[1];
  const ids: Record<string, string> = {
    users: [...sim.state.data.users.keys()][1]!,
    teams: [...sim.state.data.teams.keys()][0]!,
    schedules: schedule.id,
    escalation_policies: [...sim.state.data.escalationPolicies.keys()][0]!,
    abilities: "teams",
  };
  return template
    .replace("{id}", ids[collection ?? ""] ?? "PNOSUCH")
    .replace("{user_id}", ids.users!)
    .replace("{override_id}", schedule.overrides[0]?.id ?? "QNOSUCH");
}

const routes = pagerDutyRoutes.map((r) => [`${r.method} ${r.path}`, r] as const);
const withParams = routes.filter(([, r]) => r.path.includes("{"));
const withBodies = routes.filter(([, r]) => r.method === "POST" || r.method === "PUT");

describe("every route", () => {
  it.each(withParams)("%s answers 4xx for unknown ids", async (key, route) => {
    const path = route.path.replace(/\{[^}]+\}/g, "PNOSUCH");
    const res = await call(path, { method: route.method, body: route.method === "GET" || route.method === "DELETE" ? undefined : {} });
    expectPdError(res, key);
  });

  it.each(withBodies)("%s refuses malformed JSON and bodies that are not objects with 400", async (key, route) => {
    for (const body of ['{"user": {"name": ', "[]", '"text"', "42", "null", "true", "\u0000"]) {
      const res = await call(realPath(route.path), { method: route.method, body, headers: { From: [...sim.state.data.users.values()][0]!.email } });
      expectPdError(res, `${key} ${JSON.stringify(body)}`, [400]);
    }
  });

  it.each(routes.filter(([, r]) => r.method === "GET"))("%s survives junk query parameters", async (key, route) => {
    for (const query of ["limit=abc", "offset=-5", "limit=1e9", "since=garbage", "until=2025-99-99", "time_zone=No/Where", "total=maybe", "include[]=everything", "cursor=%00", "sort_by=;DROP", `${"x".repeat(5000)}=1`]) {
      const res = await call(`${realPath(route.path)}?${query}`);
      expect(res.status, `${key}?${query}`).toBeLessThan(500);
      if (res.status >= 400) expectPdError(res, `${key}?${query}`, [400, 402, 404]);
    }
  });
});

describe("fields of the wrong type and missing required fields", () => {
  it("answers 400 code 2001 with an explanation", async () => {
    const from = { From: [...sim.state.data.users.values()].find((u) => u.role === "owner")!.email };
    const user = [...sim.state.data.users.keys()][1]!;
    const team = [...sim.state.data.teams.keys()][0]!;
    const schedule = [...sim.state.data.schedules.keys()][0]!;
    const cases: [string, PdInit][] = [
      ["/users", { method: "POST", headers: from, body: { user: { type: "user", name: 5, email: "five@example.com" } } }],
      ["/users", { method: "POST", headers: from, body: { user: { type: "user", name: "Array Mail", email: ["a@example.com"] } } }],
      ["/users", { method: "POST", headers: from, body: { user: { type: "user", name: "Num Role", email: "numrole@example.com", role: 5 } } }],
      ["/users", { method: "POST", headers: from, body: { user: { type: "user", name: "Str License", email: "strlic@example.com", license: "Full User" } } }],
      ["/users", { method: "POST", headers: from, body: { user: { type: "user", email: "noname@example.com" } } }],
      ["/users", { method: "POST", headers: from, body: { user: { type: "user", name: "No Email" } } }],
      ["/users", { method: "POST", headers: from, body: { user: { type: "user", name: "Bad Mail", email: "not-an-email" } } }],
      ["/users", { method: "POST", headers: from, body: { name: "Unwrapped", email: "unwrapped@example.com" } }],
      [`/users/${user}`, { method: "PUT", body: { user: { name: 5 } } }],
      [`/users/${user}`, { method: "PUT", body: { user: { time_zone: 5 } } }],
      [`/users/${user}`, { method: "PUT", body: { user: [] } }],
      [`/users/${user}`, { method: "PUT", body: { user: { name: "" } } }],
      ["/teams", { method: "POST", body: { team: { type: "team", name: ["x"] } } }],
      ["/teams", { method: "POST", body: { team: { type: "team", name: "Num Desc", description: 5 } } }],
      [`/teams/${team}`, { method: "PUT", body: { team: { default_role: 1 } } }],
      [`/teams/${team}/users/${user}`, { method: "PUT", body: { role: null } }],
      [`/schedules/${schedule}/overrides`, { method: "POST", body: { overrides: {} } }],
      [`/schedules/${schedule}/overrides?since=2025-01-01T00:00:00Z`, {}],
      ["/oauth_delegations?user_id[]=x&type=web", { method: "DELETE" }],
    ];
    const before = { users: sim.state.data.users.size, teams: sim.state.data.teams.size, audit: sim.state.data.auditRecords.length };
    for (const [path, init] of cases) {
      const res = await call(path, init);
      expectPdError(res, `${init.method ?? "GET"} ${path} ${JSON.stringify(init.body)}`, [400]);
      expect(res.body.error.code).toBe(2001);
      expect(`${res.body.error.message} ${(res.body.error.errors ?? []).join(" ")}`.length).toBeGreaterThan(10);
    }
    expect({ users: sim.state.data.users.size, teams: sim.state.data.teams.size, audit: sim.state.data.auditRecords.length }).toEqual(before);
  });

  it("answers wrong-typed override items one by one inside a 201 batch", async () => {
    const schedule = [...sim.state.data.schedules.keys()][0]!;
    const res = await call(`/schedules/${schedule}/overrides`, { method: "POST", body: { overrides: [{ start: 5, end: 6, user: { id: 5 } }, { start: "2030-01-01T00:00:00Z", end: "2030-01-02T00:00:00Z", user: "P1" }] } });
    expect(res.status).toBe(201);
    expect(res.body.map((i: { status: number }) => i.status)).toEqual([400, 400]);
  });
});

describe("the server itself", () => {
  it("answers 404 bodies for unknown paths and methods, 413 for oversized bodies, and serves on afterwards", async () => {
    for (const [path, method] of [
      ["/nothing", "GET"],
      ["/users", "DELETE"],
      ["/users/%E0%A4%A", "GET"],
      ["/teams//members", "GET"],
    ] as const) {
      expectPdError(await call(path, { method }), `${method} ${path}`, [404]);
    }
    const huge = await call("/teams", { method: "POST", body: JSON.stringify({ team: { type: "team", name: "x".repeat(2 * 1024 * 1024) } }) }).catch((error: unknown) => error);
    // The server answers 413 and closes the connection; a client may see the answer or the reset.
    if (!(huge instanceof Error)) expectPdError(huge as PdResponse, "oversized body", [413]);
    expect((await call("/users?limit=1")).status).toBe(200);
  });

  it("logged no unexpected failure (no handler threw anything but a PagerDuty error)", () => {
    expect(logged).toEqual([]);
  });
});
