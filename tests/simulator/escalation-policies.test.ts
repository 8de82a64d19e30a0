/**
 * /escalation_policies (NOTES §2.6): list with `query`, `team_ids[]`, `user_ids[]`, `include[]`, `sort_by`;
 * get with `include[]`; 404 for an unknown id.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "@/simulator";
import { startKnownSimulator, type KnownSchedule } from "./support/known-schedule";
import { control, pd } from "./support/simulator";

let sim: RunningSimulator;
let k: KnownSchedule;
beforeAll(async () => {
  ({ sim, k } = await startKnownSimulator({ users: 50, teams: 5, schedules: 5, escalationPolicies: 8 }));
});
afterAll(() => sim.close());

const ids = (body: { escalation_policies: { id: string }[] }) => body.escalation_policies.map((p) => p.id);
const policies = () => [...sim.state.data.escalationPolicies.values()];

describe("GET /escalation_policies", () => {
  it("lists by name with rules, targets as references and the one team", async () => {
    const res = await pd(sim, "/escalation_policies?limit=100&total=true");
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(policies().length);
    const names = res.body.escalation_policies.map((p: { name: string }) => p.name);
    expect(names).toEqual([...names].sort((a: string, b: string) => a.localeCompare(b)));
    const known = res.body.escalation_policies[0];
    expect(known).toMatchObject({
      id: k.policy.id,
      type: "escalation_policy",
      summary: "AAA Known Policy",
      self: `${sim.url}/escalation_policies/${k.policy.id}`,
      num_loops: 0,
      services: [],
      teams: [{ id: k.teamId, type: "team_reference", summary: expect.any(String), self: expect.any(String), html_url: expect.any(String) }],
    });
    expect(known.escalation_rules.map((r: { escalation_delay_in_minutes: number; targets: { id: string; type: string }[] }) => r.targets.map((t) => [t.type, t.id]))).toEqual([
      [["schedule_reference", k.daily.id]],
      [["user_reference", k.users.D]],
      [["schedule_reference", k.office.id]],
    ]);
    const desc = await pd(sim, "/escalation_policies?limit=100&sort_by=name:desc");
    expect(ids(desc.body)).toEqual(ids(res.body).reverse());
    expect((await pd(sim, "/escalation_policies?sort_by=id")).status).toBe(400);
  });

  it("filters by query, team_ids[] and user_ids[] (direct targets)", async () => {
    expect(ids((await pd(sim, "/escalation_policies?query=aaa%20known")).body)).toEqual([k.policy.id]);

    const [t1, t2] = [...sim.state.data.teams.keys()];
    const byTeams = await pd(sim, `/escalation_policies?team_ids[]=${t1}&team_ids[]=${t2}&limit=100`);
    const expectedByTeam = policies().filter((p) => p.teamId === t1 || p.teamId === t2);
    expect(new Set(ids(byTeams.body))).toEqual(new Set(expectedByTeam.map((p) => p.id)));
    expect(expectedByTeam.length).toBeGreaterThan(1);

    const byUser = await pd(sim, `/escalation_policies?user_ids[]=${k.users.D}&limit=100`);
    expect(ids(byUser.body)).toContain(k.policy.id);
    for (const p of byUser.body.escalation_policies) {
      expect(p.escalation_rules.some((r: { targets: { id: string; type: string }[] }) => r.targets.some((t) => t.type === "user_reference" && t.id === k.users.D))).toBe(true);
    }
    // A user only on a targeted schedule is not a direct target.
    expect(ids((await pd(sim, `/escalation_policies?user_ids[]=${k.users.C}&query=aaa`)).body)).toEqual([]);
    expect(ids((await pd(sim, "/escalation_policies?user_ids[]=PNOSUCH")).body)).toEqual([]);
  });

  it("include[]=targets expands users (schedules stay references); include[]=teams expands the team", async () => {
    const res = await pd(sim, `/escalation_policies?query=aaa&include[]=targets&include[]=teams`);
    const [policy] = res.body.escalation_policies;
    expect(policy.escalation_rules[1].targets[0]).toMatchObject({ id: k.users.D, type: "user", email: expect.any(String) });
    expect(policy.escalation_rules[0].targets[0]).toMatchObject({ id: k.daily.id, type: "schedule_reference" });
    expect(policy.teams[0]).toMatchObject({ id: k.teamId, type: "team", name: expect.any(String) });
  });

  it("refuses team_ids[] with 402 without the teams ability", async () => {
    await control(sim, "/abilities", { disable: ["teams"] });
    try {
      const res = await pd(sim, `/escalation_policies?team_ids[]=${k.teamId}`);
      expect(res.status).toBe(402);
      expect((await pd(sim, "/escalation_policies")).status).toBe(200);
    } finally {
      await control(sim, "/abilities", { enable: ["teams"] });
    }
  });
});

describe("GET /escalation_policies/{id}", () => {
  it("gets one (with include[]), 404 for an unknown id", async () => {
    const res = await pd(sim, `/escalation_policies/${k.policy.id}?include[]=targets`);
    expect(res.status).toBe(200);
    expect(res.body.escalation_policy).toMatchObject({ id: k.policy.id, name: "AAA Known Policy" });
    expect(res.body.escalation_policy.escalation_rules[1].targets[0].type).toBe("user");
    const plain = await pd(sim, `/escalation_policies/${k.policy.id}`);
    expect(plain.body.escalation_policy.escalation_rules[1].targets[0].type).toBe("user_reference");
    const missing = await pd(sim, "/escalation_policies/PNOSUCH");
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: expect.any(Number), message: expect.any(String) });
  });
});
