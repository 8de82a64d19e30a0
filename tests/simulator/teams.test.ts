/**
 * /teams and team membership (NOTES §2.2–2.3): list/get/create/update/delete (refused while the team has
 * escalation policies or schedules), members with team roles, PUT upsert → 204, DELETE → 204 or 400 while a
 * policy of the team targets the user, 402 without the teams ability.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "@/simulator";
import { control, pd, startTestSimulator } from "./support/simulator";

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startTestSimulator({ size: { users: 60, teams: 8, schedules: 6, escalationPolicies: 6 }, rateLimitPerMinute: 0 });
});
afterAll(() => sim.close());

const teams = () => [...sim.state.data.teams.values()];
const directTargetsOf = (teamId: string) =>
  new Set(sim.state.policiesOfTeam(teamId).flatMap((p) => p.rules.flatMap((r) => r.targets.filter((t) => t.type === "user_reference").map((t) => t.id))));

describe("GET /teams", () => {
  it("lists by name with the classic envelope, filters by query, gets one, 404 for an unknown id", async () => {
    const all = await pd(sim, "/teams?limit=100&total=true");
    expect(all.body).toMatchObject({ limit: 100, offset: 0, more: false, total: 8 });
    const names = all.body.teams.map((t: { name: string }) => t.name);
    expect(names).toEqual([...names].sort((a: string, b: string) => a.localeCompare(b)));
    const first = all.body.teams[0];
    expect(first).toMatchObject({ type: "team", summary: first.name, self: `${sim.url}/teams/${first.id}`, html_url: `https://acme.pagerduty.com/teams/${first.id}`, default_role: "manager" });

    const paged = await pd(sim, "/teams?limit=3&offset=3");
    expect(paged.body.teams.map((t: { id: string }) => t.id)).toEqual(all.body.teams.slice(3, 6).map((t: { id: string }) => t.id));
    expect(paged.body.more).toBe(true);

    const word = first.name.split(" ")[0].toUpperCase();
    const byQuery = await pd(sim, `/teams?query=${encodeURIComponent(word)}`);
    expect(byQuery.body.teams.length).toBeGreaterThan(0);
    for (const t of byQuery.body.teams) expect(t.name.toUpperCase()).toContain(word);

    expect((await pd(sim, `/teams/${first.id}`)).body.team).toEqual(first);
    const missing = await pd(sim, "/teams/PNOSUCH");
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: expect.any(Number), message: expect.any(String) });
  });
});

describe("team writes", () => {
  it("creates (201), updates (200) and deletes (204) a team; reads see each write", async () => {
    const created = await pd(sim, "/teams", { method: "POST", body: { team: { type: "team", name: "Site Reliability", description: "SRE", default_role: "none" } } });
    expect(created.status).toBe(201);
    const id = created.body.team.id;
    expect(created.body.team).toMatchObject({ name: "Site Reliability", description: "SRE", default_role: "none" });
    const updated = await pd(sim, `/teams/${id}`, { method: "PUT", body: { team: { type: "team", name: "SRE", default_role: "manager" } } });
    expect(updated.status).toBe(200);
    expect((await pd(sim, `/teams/${id}`)).body.team).toMatchObject({ name: "SRE", description: "SRE", default_role: "manager" });
    expect((await pd(sim, `/teams/${id}`, { method: "DELETE" })).status).toBe(204);
    expect((await pd(sim, `/teams/${id}`)).status).toBe(404);
    expect((await pd(sim, `/teams/${id}`, { method: "DELETE" })).status).toBe(404);
  });

  it("refuses bad team bodies with 400 and PagerDuty's error body", async () => {
    const taken = teams()[0]!.name;
    const bodies: unknown[] = [
      {},
      { team: "Ops" },
      { team: { type: "team" } },
      { team: { type: "team", name: "" } },
      { team: { type: "team", name: 42 } },
      { team: { type: "user", name: "Wrong Type" } },
      { team: { type: "team", name: "x".repeat(101) } },
      { team: { type: "team", name: "Bad Role", default_role: "owner" } },
      { team: { type: "team", name: taken.toLowerCase() } },
    ];
    for (const body of bodies) {
      const res = await pd(sim, "/teams", { method: "POST", body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toMatchObject({ code: 2001, message: "Invalid Input Provided", errors: [expect.any(String)] });
    }
  });

  it("refuses to delete a team with escalation policies or schedules (400 code 6006)", async () => {
    const team = teams().find((t) => sim.state.policiesOfTeam(t.id).length > 0)!;
    const res = await pd(sim, `/teams/${team.id}`, { method: "DELETE" });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(6006);
    expect(res.body.error.errors[0]).toMatch(/escalation policy/);
    expect(sim.state.data.teams.has(team.id)).toBe(true);
    expect((await pd(sim, `/teams/${team.id}?reassignment_team=PNOSUCH`, { method: "DELETE" })).status).toBe(400);
  });
});

describe("team members", () => {
  it("lists members as user references with team roles, by name; include[]=users expands them", async () => {
    const team = teams()[0]!;
    const res = await pd(sim, `/teams/${team.id}/members?limit=100`);
    expect(res.status).toBe(200);
    const expected = sim.state.membersOfTeam(team.id);
    expect(res.body.members).toHaveLength(expected.length);
    for (const m of res.body.members) {
      expect(m.user).toMatchObject({ type: "user_reference", self: `${sim.url}/users/${m.user.id}` });
      expect(m.role).toBe(sim.state.membership(team.id, m.user.id)?.role);
    }
    const names = res.body.members.map((m: { user: { summary: string } }) => m.user.summary);
    expect(names).toEqual([...names].sort((a: string, b: string) => a.localeCompare(b)));
    const expanded = await pd(sim, `/teams/${team.id}/members?limit=2&include[]=users`);
    expect(expanded.body.members[0].user).toMatchObject({ type: "user", email: expect.stringContaining("@") });
    expect((await pd(sim, "/teams/PNOSUCH/members")).status).toBe(404);
  });

  it("PUT adds a member (204), changes the role (204), defaults the role to manager; reads see it at once", async () => {
    const team = teams()[1]!;
    const [outsider, other] = [...sim.state.data.users.values()].filter((u) => !sim.state.membership(team.id, u.id) && !u.role.startsWith("read_only"));
    const put = await pd(sim, `/teams/${team.id}/users/${outsider!.id}`, { method: "PUT", body: { role: "observer" } });
    expect(put.status).toBe(204);
    expect(put.body).toBeUndefined();
    const role = async (userId: string) => (await pd(sim, `/teams/${team.id}/members?limit=100`)).body.members.find((m: { user: { id: string } }) => m.user.id === userId)?.role;
    expect(await role(outsider!.id)).toBe("observer");
    expect((await pd(sim, `/teams/${team.id}/users/${outsider!.id}`, { method: "PUT", body: { role: "responder" } })).status).toBe(204);
    expect(await role(outsider!.id)).toBe("responder");
    expect((await pd(sim, `/teams/${team.id}/users/${other!.id}`, { method: "PUT" })).status).toBe(204);
    expect(await role(other!.id)).toBe("manager");
    const user = await pd(sim, `/users/${outsider!.id}`);
    expect(user.body.user.teams.map((t: { id: string }) => t.id)).toContain(team.id);
  });

  it("PUT refuses a bad role, stakeholders, unknown users and teams", async () => {
    const team = teams()[1]!;
    const user = sim.state.membersOfTeam(team.id)[0]!.userId;
    const stakeholder = [...sim.state.data.users.values()].find((u) => u.role === "read_only_user")!;
    const cases: [string, unknown, number][] = [
      [`/teams/${team.id}/users/${user}`, { role: "owner" }, 400],
      [`/teams/${team.id}/users/${user}`, { role: 3 }, 400],
      [`/teams/${team.id}/users/${user}`, "[1,2]", 400],
      [`/teams/${team.id}/users/${user}`, "{bad json", 400],
      [`/teams/${team.id}/users/${stakeholder.id}`, { role: "observer" }, 400],
      [`/teams/${team.id}/users/PNOSUCH`, { role: "observer" }, 404],
      [`/teams/PNOSUCH/users/${user}`, { role: "observer" }, 404],
    ];
    for (const [path, body, status] of cases) {
      const res = await pd(sim, path, { method: "PUT", body });
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(status);
      expect(res.body.error).toMatchObject({ code: expect.any(Number), message: expect.any(String) });
    }
    expect(sim.state.membership(team.id, stakeholder.id)).toBeUndefined();
  });

  it("DELETE removes a member (204); 400 while a policy of the team targets them directly; 404 for a non-member", async () => {
    const team = teams().find((t) => directTargetsOf(t.id).size > 0 && sim.state.membersOfTeam(t.id).some((m) => !directTargetsOf(t.id).has(m.userId)))!;
    const targeted = [...directTargetsOf(team.id)].find((id) => sim.state.membership(team.id, id))!;
    const refused = await pd(sim, `/teams/${team.id}/users/${targeted}`, { method: "DELETE" });
    expect(refused.status).toBe(400);
    expect(refused.body.error.errors).toEqual(["User cannot be removed as they belong to an escalation policy on this team"]);
    expect(sim.state.membership(team.id, targeted)).toBeDefined();

    const free = sim.state.membersOfTeam(team.id).find((m) => !directTargetsOf(team.id).has(m.userId))!;
    expect((await pd(sim, `/teams/${team.id}/users/${free.userId}`, { method: "DELETE" })).status).toBe(204);
    const members = (await pd(sim, `/teams/${team.id}/members?limit=100`)).body.members.map((m: { user: { id: string } }) => m.user.id);
    expect(members).not.toContain(free.userId);
    expect((await pd(sim, `/teams/${team.id}/users/${free.userId}`, { method: "DELETE" })).status).toBe(404);
    expect((await pd(sim, `/teams/${team.id}/users/PNOSUCH`, { method: "DELETE" })).status).toBe(404);
  });
});

describe("without the teams ability", () => {
  it("answers 402 code 2014 on every team route", async () => {
    const team = teams()[0]!;
    const user = sim.state.membersOfTeam(team.id)[0]!.userId;
    await control(sim, "/abilities", { disable: ["teams"] });
    try {
      for (const [method, path] of [
        ["GET", "/teams"],
        ["GET", `/teams/${team.id}`],
        ["POST", "/teams"],
        ["GET", `/teams/${team.id}/members`],
        ["PUT", `/teams/${team.id}/users/${user}`],
        ["DELETE", `/teams/${team.id}/users/${user}`],
      ] as const) {
        const res = await pd(sim, path, { method, body: method === "POST" ? { team: { type: "team", name: "No Ability" } } : undefined });
        expect(res.status, `${method} ${path}`).toBe(402);
        expect(res.body.error.code).toBe(2014);
      }
    } finally {
      await control(sim, "/abilities", { enable: ["teams"] });
    }
  });
});
