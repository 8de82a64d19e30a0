/**
 * Classic pagination on every classic list (NOTES §1.4): default limit 25, at most 100, `more`, `total` only with
 * `total=true`, and the hard cap `offset + limit > 10000` → 400 code 2002 however short the list is.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "@/simulator";
import { pd, startTestSimulator } from "./support/simulator";

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startTestSimulator({ size: { users: 130, teams: 6, schedules: 4, escalationPolicies: 4 }, rateLimitPerMinute: 0 });
});
afterAll(() => sim.close());

const lists = (): [string, string][] => {
  const team = [...sim.state.data.teams.values()].sort((a, b) => sim.state.membersOfTeam(b.id).length - sim.state.membersOfTeam(a.id).length)[0]!;
  return [
    ["/users", "users"],
    ["/teams", "teams"],
    [`/teams/${team.id}/members`, "members"],
    ["/schedules", "schedules"],
    ["/escalation_policies", "escalation_policies"],
    ["/oncalls", "oncalls"],
    ["/license_allocations", "license_allocations"],
  ];
};

describe("classic pagination", () => {
  it("defaults to 25, clamps limit to 100, sends more, and total only with total=true", async () => {
    const users = await pd(sim, "/users");
    expect(users.body).toMatchObject({ limit: 25, offset: 0, more: true, total: null });
    expect(users.body.users).toHaveLength(25);
    const clamped = await pd(sim, "/users?limit=500&total=true");
    expect(clamped.body).toMatchObject({ limit: 100, more: true, total: 130 });
    expect(clamped.body.users).toHaveLength(100);
    const last = await pd(sim, "/users?limit=100&offset=100");
    expect(last.body).toMatchObject({ more: false, total: null });
    expect(last.body.users).toHaveLength(30);
    const past = await pd(sim, "/users?offset=200");
    expect(past.body).toMatchObject({ users: [], more: false });

    // Pages join into the whole list, without gaps or repeats.
    const ids: string[] = [];
    for (let offset = 0; ; offset += 40) {
      const page = await pd(sim, `/users?limit=40&offset=${offset}`);
      ids.push(...page.body.users.map((u: { id: string }) => u.id));
      if (!page.body.more) break;
    }
    expect(ids).toEqual(sim.state.usersOrdered().map((u) => u.id));
  });

  it("refuses offset + limit > 10000 with 400 code 2002 on every classic list, and allows exactly 10000", async () => {
    for (const [path, key] of lists()) {
      const refused = await pd(sim, `${path}?offset=9901&limit=100`);
      expect(refused.status, path).toBe(400);
      expect(refused.body.error.code).toBe(2002);
      expect(refused.body.error.message).toBe("Arguments Caused Error");
      expect(refused.body.error.errors[0]).toMatch(/^Offset\+limit exceeds maximum allowed value of 10000/);
      // With the default limit of 25 the cap is reached earlier.
      expect((await pd(sim, `${path}?offset=9980`)).status, path).toBe(400);
      const edge = await pd(sim, `${path}?offset=9900&limit=100`);
      expect(edge.status, path).toBe(200);
      expect(edge.body[key]).toEqual([]);
    }
  });

  it("answers 400 code 2001 for limit and offset that are not integers", async () => {
    for (const q of ["limit=ten", "offset=-1", "offset=1.5", "limit=1e2"]) {
      const res = await pd(sim, `/teams?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.code).toBe(2001);
    }
  });
});
