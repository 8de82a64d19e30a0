/**
 * Account-level endpoints (NOTES §2.7, §2.9): abilities (list; one → 204 or 402), licenses with counted
 * allocations, license allocations (classic paging), and DELETE /oauth_delegations (sign a user out).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "@/simulator";
import { control, oauthToken, pd, startTestSimulator } from "./support/simulator";

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startTestSimulator({ size: { users: 45, teams: 4, schedules: 2, escalationPolicies: 2 }, rateLimitPerMinute: 0 });
});
afterAll(() => sim.close());

describe("abilities", () => {
  it("lists the account's abilities; GET /abilities/{id} answers 204 when present and 402 when not", async () => {
    const res = await pd(sim, "/abilities");
    expect(res.status).toBe(200);
    expect(new Set(res.body.abilities)).toEqual(sim.state.data.abilities);
    expect(res.body.abilities).toEqual(expect.arrayContaining(["teams", "audit_trail", "read_only_users"]));

    const present = await pd(sim, "/abilities/teams");
    expect(present.status).toBe(204);
    expect(present.body).toBeUndefined();
    const absent = await pd(sim, "/abilities/offboarding");
    expect(absent.status).toBe(402);
    expect(absent.body.error.code).toBe(2014);
  });

  it("follows abilities turned on and off through the control API", async () => {
    const on = await control(sim, "/abilities", { enable: ["offboarding"], disable: ["sso"] });
    expect(on.body.abilities).toContain("offboarding");
    expect(on.body.abilities).not.toContain("sso");
    expect((await pd(sim, "/abilities/offboarding")).status).toBe(204);
    expect((await pd(sim, "/abilities/sso")).status).toBe(402);
    // Replacing the whole set.
    const replaced = await control(sim, "/abilities", { abilities: ["teams", "audit_trail", "read_only_users", "advanced_permissions", "sso"] });
    expect(replaced.body.abilities).toEqual(["advanced_permissions", "audit_trail", "read_only_users", "sso", "teams"]);
    expect((await pd(sim, "/abilities")).body.abilities.sort()).toEqual(replaced.body.abilities);
    expect((await control(sim, "/abilities", { enable: "teams" })).status).toBe(400);
  });
});

describe("licenses", () => {
  it("lists licenses with valid roles and counted allocations; allocations page with user and license", async () => {
    const res = await pd(sim, "/licenses");
    expect(res.status).toBe(200);
    const users = [...sim.state.data.users.values()];
    for (const license of res.body.licenses) {
      const model = sim.state.data.licenses.get(license.id)!;
      const held = users.filter((u) => u.licenseId === license.id).length;
      expect(license).toMatchObject({ type: "license", name: model.name, valid_roles: model.valid_roles, role_group: model.role_group, current_value: held, allocations_available: model.current_value - held });
    }
    expect(res.body.licenses.map((l: { role_group: string }) => l.role_group).sort()).toEqual(["FullUser", "Stakeholder"]);

    const page = await pd(sim, "/license_allocations?limit=10&offset=10&total=true");
    expect(page.body).toMatchObject({ limit: 10, offset: 10, more: true, total: users.length });
    const ordered = sim.state.usersOrdered().slice(10, 20);
    expect(page.body.license_allocations.map((a: { user: { id: string } }) => a.user.id)).toEqual(ordered.map((u) => u.id));
    const first = page.body.license_allocations[0];
    expect(first).toMatchObject({ user: { type: "user_reference" }, license: { id: ordered[0]!.licenseId, type: "license" }, allocated_at: expect.any(String) });
  });

  it("counts a new user's license at once (reads see writes)", async () => {
    const before = (await pd(sim, "/licenses")).body.licenses.find((l: { role_group: string }) => l.role_group === "Stakeholder");
    const owner = [...sim.state.data.users.values()].find((u) => u.role === "owner")!;
    const created = await pd(sim, "/users", { method: "POST", headers: { From: owner.email }, body: { user: { type: "user", name: "New Stakeholder", email: "new.stakeholder@example.com", role: "read_only_user" } } });
    expect(created.status).toBe(201);
    const after = (await pd(sim, "/licenses")).body.licenses.find((l: { role_group: string }) => l.role_group === "Stakeholder");
    expect(after.current_value).toBe(before.current_value + 1);
    expect(after.allocations_available).toBe(before.allocations_available - 1);
  });
});

describe("DELETE /oauth_delegations", () => {
  it("signs a user out of web and/or mobile with 200 {status: ok}", async () => {
    const user = [...sim.state.data.users.values()][3]!;
    const res = await pd(sim, `/oauth_delegations?user_id=${user.id}&type=web,mobile`, { method: "DELETE" });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok" });
    expect(sim.state.signOuts.at(-1)).toMatchObject({ userId: user.id, types: ["web", "mobile"] });

    const token = await oauthToken(sim, ["oauth_delegations.write"]);
    expect((await pd(sim, `/oauth_delegations?user_id=${user.id}&type=mobile`, { method: "DELETE", bearer: token })).status).toBe(200);
    expect(sim.state.signOuts.at(-1)?.types).toEqual(["mobile"]);
    const noScope = await oauthToken(sim, ["users.write"]);
    expect((await pd(sim, `/oauth_delegations?user_id=${user.id}&type=web`, { method: "DELETE", bearer: noScope })).status).toBe(403);
  });

  it("refuses a missing or unknown user_id and a bad type with 400", async () => {
    const user = [...sim.state.data.users.values()][3]!;
    const count = sim.state.signOuts.length;
    for (const q of ["type=web", `user_id=${user.id}`, `user_id=${user.id}&type=desktop`, `user_id=${user.id}&type=web,tv`, "user_id=PNOSUCH&type=web"]) {
      const res = await pd(sim, `/oauth_delegations?${q}`, { method: "DELETE" });
      expect(res.status, q).toBe(400);
      expect(res.body.error.code).toBe(2001);
    }
    expect(sim.state.signOuts.length).toBe(count);
  });
});
