/**
 * The control API under /__sim/ (not PagerDuty): statistics by route template, entity counts, reseeding with
 * new sizes, the simulated clock, and out-of-band edits with their validation. Faults, abilities and the rate
 * limit have their own files (faults, account, rate-limit tests).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "@/simulator";
import { control, pd, startTestSimulator } from "./support/simulator";

const SIZE = { users: 30, teams: 4, schedules: 3, escalationPolicies: 3 };
let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startTestSimulator({ seed: 7, size: SIZE, rateLimitPerMinute: 0 });
});
afterAll(() => sim.close());

describe("GET /__sim/stats", () => {
  it("counts requests per route template (not per id), writes, statuses; control calls are not counted", async () => {
    await control(sim, "/stats/reset", {});
    const [u1, u2, u3] = [...sim.state.data.users.keys()];
    for (const id of [u1, u2, u3]) await pd(sim, `/users/${id}`);
    await pd(sim, "/users/PNOSUCH");
    await pd(sim, "/users?limit=1");
    const team = [...sim.state.data.teams.keys()][0]!;
    await pd(sim, `/teams/${team}/users/${u1}`, { method: "PUT", body: { role: "observer" } });
    await pd(sim, "/no/such/endpoint");
    await control(sim, "/state");

    const stats = (await control(sim, "/stats")).body;
    expect(stats.requests).toEqual({ total: 7, byRoute: { "GET /users/{id}": 4, "GET /users": 1, "PUT /teams/{id}/users/{user_id}": 1 } });
    expect(stats.writes).toEqual({ "PUT /teams/{id}/users/{user_id}": 1 });
    expect(stats.byStatus).toEqual({ "200": 4, "204": 1, "404": 2 });
    expect(stats).toMatchObject({ rateLimited: 0, faultsInjected: 0 });

    const reset = (await control(sim, "/stats/reset", {})).body;
    expect(reset.requests).toEqual({ total: 0, byRoute: {} });
  });
});

describe("GET /__sim/state and POST /__sim/reset", () => {
  it("counts entities; a reset reseeds (same seed, same organisation), optionally with new sizes, and clears stats and faults", async () => {
    const state = (await control(sim, "/state")).body;
    expect(state).toMatchObject({
      users: SIZE.users,
      teams: SIZE.teams,
      schedules: SIZE.schedules,
      escalationPolicies: SIZE.escalationPolicies,
      memberships: sim.state.data.memberships.size,
      oncallsNow: expect.any(Number),
      ownerId: expect.any(String),
    });
    expect(state.oncallsNow).toBeGreaterThan(0);
    const ids = [...sim.state.data.users.keys()];

    await pd(sim, `/users/${ids[5]}`, { method: "DELETE" });
    await control(sim, "/faults", { errors: { probability: 1 } });
    const again = await control(sim, "/reset", {});
    expect(again.body.users).toBe(SIZE.users);
    expect([...sim.state.data.users.keys()]).toEqual(ids);
    expect((await pd(sim, "/users?limit=1")).status).toBe(200);
    expect((await control(sim, "/stats")).body.requests.total).toBe(1);

    const bigger = await control(sim, "/reset", { seed: 8, size: { users: 80, teams: 6 } });
    expect(bigger.body).toMatchObject({ users: 80, teams: 6, schedules: SIZE.schedules, escalationPolicies: SIZE.escalationPolicies });
    expect((await pd(sim, "/users?total=true&limit=1")).body.total).toBe(80);
    expect([...sim.state.data.users.keys()]).not.toEqual(ids);

    for (const bad of [{ size: { users: 0 } }, { size: { users: -3 } }, { seed: "x" }, { size: { people: 3 } }]) {
      const res = await control(sim, "/reset", bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.error.code).toBe(2001);
    }
    await control(sim, "/reset", { seed: 7, size: SIZE });
  });
});

describe("POST /__sim/clock", () => {
  it("freezes, sets, advances (seconds or ISO 8601 durations) and unfreezes simulated time", async () => {
    // Set-and-freeze is exact, however the real clock ticks between the two (it once stopped 1 ms late).
    for (let i = 0; i < 100; i++) {
      const at = new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString();
      expect((await control(sim, "/clock", { set: at, freeze: true })).body.now).toBe(at);
      await control(sim, "/clock", { unfreeze: true });
    }
    const frozen = await control(sim, "/clock", { set: "2025-01-01T00:00:00Z", freeze: true });
    expect(frozen.body).toEqual({ now: "2025-01-01T00:00:00.000Z", frozen: true });
    await new Promise((r) => setTimeout(r, 20));
    expect((await control(sim, "/clock")).body.now).toBe("2025-01-01T00:00:00.000Z");
    expect((await control(sim, "/clock", { advance: 90 })).body.now).toBe("2025-01-01T00:01:30.000Z");
    expect((await control(sim, "/clock", { advance: "P1W2DT3H4M5S" })).body.now).toBe("2025-01-10T03:05:35.000Z");
    expect((await control(sim, "/state")).body.now).toBe("2025-01-10T03:05:35.000Z");

    const running = await control(sim, "/clock", { unfreeze: true });
    expect(running.body.frozen).toBe(false);
    await new Promise((r) => setTimeout(r, 20));
    const later = Date.parse((await control(sim, "/clock")).body.now);
    expect(later).toBeGreaterThan(Date.parse("2025-01-10T03:05:35.000Z"));
    expect(later).toBeLessThan(Date.parse("2025-01-10T04:00:00.000Z"));

    for (const bad of [{ freeze: true, unfreeze: true }, { advance: "1 hour" }, { advance: "P" }, { advance: -5 }, { set: "yesterday" }, { rewind: 1 }]) {
      const res = await control(sim, "/clock", bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.error.code).toBe(2001);
    }
  });

  it("a reset puts the clock back on real time", async () => {
    await control(sim, "/clock", { set: "2020-01-01T00:00:00Z", freeze: true });
    await control(sim, "/reset", {});
    const view = (await control(sim, "/clock")).body;
    expect(view.frozen).toBe(false);
    expect(Math.abs(Date.parse(view.now) - Date.now())).toBeLessThan(60_000);
  });
});

describe("POST /__sim/edits", () => {
  it("applies each kind of edit, visible to PagerDuty reads at once", async () => {
    const team = [...sim.state.data.teams.values()][0]!;
    const user = [...sim.state.data.users.values()].find((u) => u.role === "limited_user" && !sim.state.membership(team.id, u.id))!;
    expect((await control(sim, "/edits", { kind: "set_role", userId: user.id, role: "admin" })).status).toBe(201);
    expect((await pd(sim, `/users/${user.id}`)).body.user.role).toBe("admin");
    expect((await control(sim, "/edits", { kind: "add_member", teamId: team.id, userId: user.id })).status).toBe(201);
    const members = (await pd(sim, `/teams/${team.id}/members?limit=100`)).body.members;
    expect(members).toContainEqual({ user: expect.objectContaining({ id: user.id }), role: "responder" });
    expect((await control(sim, "/edits", { kind: "remove_member", teamId: team.id, userId: user.id })).status).toBe(201);
    expect(sim.state.membership(team.id, user.id)).toBeUndefined();

    const schedule = [...sim.state.data.schedules.values()][0]!;
    const start = new Date(Date.now() + 86_400_000).toISOString();
    const end = new Date(Date.now() + 2 * 86_400_000).toISOString();
    const added = await control(sim, "/edits", { kind: "add_override", scheduleId: schedule.id, userId: user.id, start, end });
    expect(added.status).toBe(201);
    const listed = await pd(sim, `/schedules/${schedule.id}/overrides?since=${start}&until=${end}`);
    expect(listed.body.overrides.map((o: { user: { id: string } }) => o.user.id)).toEqual([user.id]);
  });

  it("moves a user to a license that allows the new role, as the web UI does", async () => {
    const user = [...sim.state.data.users.values()].find((u) => u.role === "user")!;
    expect((await control(sim, "/edits", { kind: "set_role", userId: user.id, role: "read_only_user" })).status).toBe(201);
    expect((await pd(sim, `/users/${user.id}/license`)).body.license.role_group).toBe("Stakeholder");
  });

  it("refuses bad edits with PagerDuty-style 400/404 bodies and changes nothing", async () => {
    const team = [...sim.state.data.teams.values()].sort((a, b) => sim.state.membersOfTeam(a.id).length - sim.state.membersOfTeam(b.id).length)[0]!;
    const owner = [...sim.state.data.users.values()].find((u) => u.role === "owner")!;
    const user = [...sim.state.data.users.values()].find((u) => (u.role === "user" || u.role === "limited_user") && !sim.state.membership(team.id, u.id))!;
    const schedule = [...sim.state.data.schedules.values()][0]!;
    const records = sim.state.data.auditRecords.length;
    const cases: [unknown, number][] = [
      [{ kind: "delete_everything" }, 400],
      [{ kind: "set_role", userId: user.id, role: "emperor" }, 400],
      [{ kind: "set_role", userId: user.id, role: "owner" }, 400],
      [{ kind: "set_role", userId: owner.id, role: "user" }, 400],
      [{ kind: "set_role", userId: "PNOSUCH", role: "user" }, 404],
      [{ kind: "set_role", userId: user.id, role: "user", actorUserId: "PNOSUCH" }, 404],
      [{ kind: "add_member", teamId: "PNOSUCH", userId: user.id }, 404],
      [{ kind: "add_member", teamId: team.id, userId: user.id, role: "boss" }, 400],
      [{ kind: "remove_member", teamId: team.id, userId: user.id }, 404],
      [{ kind: "add_override", scheduleId: schedule.id, userId: user.id, start: "soon", end: "later" }, 400],
      [{ kind: "add_override", scheduleId: schedule.id, userId: user.id, start: "2030-01-02T00:00:00Z", end: "2030-01-01T00:00:00Z" }, 400],
      [{ kind: "add_override", scheduleId: "PNOSUCH", userId: user.id, start: "2030-01-01T00:00:00Z", end: "2030-01-02T00:00:00Z" }, 404],
      [{ kind: "add_override", scheduleId: schedule.id, userId: "PNOSUCH", start: "2030-01-01T00:00:00Z", end: "2030-01-02T00:00:00Z" }, 404],
      ["[]", 400],
      ["{", 400],
    ];
    for (const [body, status] of cases) {
      const res = await control(sim, "/edits", body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error).toMatchObject({ code: expect.any(Number), message: expect.any(String) });
    }
    expect(sim.state.data.auditRecords.length).toBe(records);
    expect((await control(sim, "/nothing-here")).status).toBe(404);
  });
});
