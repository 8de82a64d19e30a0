import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SimUser } from "@/simulator/core/model";
import { KEYS, startOrg, type Org } from "./org-harness";

let org: Org;
beforeAll(async () => {
  org = await startOrg({ seed: 5, size: { users: 120, teams: 10, schedules: 6, escalationPolicies: 6 } });
});
afterAll(() => org.close());

const anyUser = (pred: (u: SimUser) => boolean) => [...org.state.data.users.values()].find(pred)!;
const from = () => ({ From: org.owner().email });

describe("GET /users", () => {
  it("pages by name with the classic envelope, always sending team references", async () => {
    const res = await org.call("/users?limit=10&offset=5&total=true");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ limit: 10, offset: 5, more: true, total: 120 });
    const expected = org.state.usersOrdered().slice(5, 15);
    expect(res.body.users.map((u: { id: string }) => u.id)).toEqual(expected.map((u) => u.id));
    const first = res.body.users[0];
    expect(first).toMatchObject({ type: "user", summary: first.name, self: `${org.url}/users/${first.id}`, html_url: `https://acme.pagerduty.com/users/${first.id}` });
    expect(first.teams).toEqual(org.state.teamsOfUser(first.id).map((m) => expect.objectContaining({ id: m.teamId, type: "team_reference" })));
    expect((await org.call("/users")).body).toMatchObject({ limit: 25, offset: 0, total: null });
  });

  it("matches `query` case-insensitively against names and emails", async () => {
    const target = anyUser((u) => u.role === "limited_user");
    const byEmail = await org.call(`/users?query=${encodeURIComponent(target.email.toUpperCase())}`);
    expect(byEmail.body.users.map((u: { id: string }) => u.id)).toEqual([target.id]);
    const lastName = target.name.split(" ").at(-1)!.toLowerCase();
    const byName = await org.call(`/users?query=${encodeURIComponent(lastName)}&limit=100`);
    expect(byName.body.users.length).toBeGreaterThan(0);
    for (const u of byName.body.users) expect(`${u.name} ${u.email}`.toLowerCase()).toContain(lastName);
  });

  it("filters by team_ids[] (members of any listed team)", async () => {
    const [a, b] = [...org.state.data.teams.keys()];
    const res = await org.call(`/users?team_ids[]=${a}&team_ids[]=${b}&limit=100`);
    const expected = new Set([...org.state.membersOfTeam(a!), ...org.state.membersOfTeam(b!)].map((m) => m.userId));
    expect(new Set(res.body.users.map((u: { id: string }) => u.id))).toEqual(expected);
  });

  it("refuses team_ids[] with 402 when the account lacks the teams ability", async () => {
    const noTeams = await startOrg({ abilities: ["read_only_users", "audit_trail"] });
    try {
      const res = await noTeams.call("/users?team_ids[]=PABCDEF");
      expect(res.status).toBe(402);
      expect(res.body.error.code).toBe(2014);
      expect((await noTeams.call("/users")).status).toBe(200);
    } finally {
      await noTeams.close();
    }
  });

  it("caps offset + limit at 10,000 with 400 code 2002", async () => {
    const big = await startOrg({ seed: 2, size: { users: 10_050, teams: 20, schedules: 2, escalationPolicies: 2 } });
    try {
      const refused = await big.call("/users?offset=9950&limit=100");
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe(2002);
      expect(refused.body.error.errors[0]).toMatch(/Offset\+limit exceeds maximum allowed value of 10000/);
      const last = await big.call("/users?offset=9900&limit=100&total=true");
      expect(last.status).toBe(200);
      expect(last.body).toMatchObject({ offset: 9900, limit: 100, more: true, total: 10_050 });
      expect(last.body.users).toHaveLength(100);
    } finally {
      await big.close();
    }
  });
});

describe("GET /users/{id}, /users/me, /users/{id}/license", () => {
  it("gets a user, 404 for an unknown id", async () => {
    const u = anyUser(() => true);
    expect((await org.call(`/users/${u.id}`)).body.user).toMatchObject({ id: u.id, email: u.email, role: u.role });
    const missing = await org.call("/users/PNOSUCH");
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBeDefined();
  });

  it("answers /users/me only for a user-level key", async () => {
    const me = await org.call("/users/me", { auth: `Token token=${KEYS.user}` });
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(org.owner().id);
    expect((await org.call("/users/me")).status).toBe(400);
  });

  it("returns the user's license", async () => {
    const stakeholder = anyUser((u) => u.role === "read_only_user");
    const res = await org.call(`/users/${stakeholder.id}/license`);
    expect(res.body.license).toMatchObject({ name: "Stakeholder", role_group: "Stakeholder", valid_roles: ["read_only_user", "read_only_limited_user"] });
  });
});

describe("POST /users", () => {
  const body = (user: Record<string, unknown>) => ({ user: { type: "user", ...user } });

  it("requires the From header of a user of the account", async () => {
    const missing = await org.call("/users", { method: "POST", body: body({ name: "No From", email: "no.from@example.com" }) });
    expect(missing.status).toBe(400);
    expect(missing.body.error.errors.join(" ")).toMatch(/From header/);
    const stranger = await org.call("/users", { method: "POST", headers: { From: "nobody@else.example" }, body: body({ name: "X Y", email: "x.y@example.com" }) });
    expect(stranger.status).toBe(400);
  });

  it("creates a user with the license of its role, invited", async () => {
    const res = await org.call("/users", { method: "POST", headers: from(), body: body({ name: "Ada Lovelace", email: "ada@example.com", job_title: "Analyst" }) });
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({ name: "Ada Lovelace", email: "ada@example.com", role: "user", invitation_sent: true, job_title: "Analyst", teams: [] });
    const license = await org.call(`/users/${res.body.user.id}/license`);
    expect(license.body.license.name).toBe("Full User");
    const ro = await org.call("/users", { method: "POST", headers: from(), body: body({ name: "Rita Reader", email: "rita@example.com", role: "read_only_user" }) });
    expect(ro.status).toBe(201);
    expect((await org.call(`/users/${ro.body.user.id}/license`)).body.license.name).toBe("Stakeholder");
  });

  it("refuses a duplicate email, bad fields, the owner role, and a license that does not allow the role", async () => {
    const taken = org.owner().email.toUpperCase();
    const dup = await org.call("/users", { method: "POST", headers: from(), body: body({ name: "Dup", email: taken }) });
    expect(dup.status).toBe(400);
    expect(dup.body.error.errors).toContain("Email has already been taken");
    expect((await org.call("/users", { method: "POST", headers: from(), body: body({ email: "noname@example.com" }) })).status).toBe(400);
    expect((await org.call("/users", { method: "POST", headers: from(), body: body({ name: "Bad Tz", email: "tz@example.com", time_zone: "Mars/Olympus" }) })).status).toBe(400);
    expect((await org.call("/users", { method: "POST", headers: from(), body: body({ name: "Bad Role", email: "role@example.com", role: "superuser" }) })).status).toBe(400);
    expect((await org.call("/users", { method: "POST", headers: from(), body: body({ name: "Own", email: "own@example.com", role: "owner" }) })).status).toBe(400);
    const stakeholder = [...org.state.data.licenses.values()].find((l) => l.role_group === "Stakeholder")!;
    const mismatch = await org.call("/users", {
      method: "POST",
      headers: from(),
      body: body({ name: "Mis Match", email: "mismatch@example.com", role: "user", license: { id: stakeholder.id, type: "license_reference" } }),
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.errors[0]).toMatch(/Role user is not valid for the license "Stakeholder"/);
  });

  it("answers 402 for roles the account's abilities do not allow", async () => {
    const basic = await startOrg({ abilities: ["teams"] });
    try {
      const post = (role: string, email: string) => basic.call("/users", { method: "POST", headers: { From: basic.owner().email }, body: { user: { type: "user", name: email, email, role } } });
      expect((await post("read_only_user", "ro@example.com")).status).toBe(402);
      expect((await post("observer", "obs@example.com")).status).toBe(402);
      expect((await post("limited_user", "lim@example.com")).status).toBe(201);
    } finally {
      await basic.close();
    }
  });

  it("is refused for a read-only key (403)", async () => {
    const res = await org.call("/users", { method: "POST", auth: `Token token=${KEYS.readOnly}`, headers: from(), body: body({ name: "Ro Key", email: "ro.key@example.com" }) });
    expect(res.status).toBe(403);
  });
});

describe("PUT /users/{id}", () => {
  it("changes role and fields; a role outside the current license needs a fitting license", async () => {
    const u = anyUser((x) => x.role === "limited_user");
    const up = await org.call(`/users/${u.id}`, { method: "PUT", body: { user: { type: "user", name: u.name, email: u.email, role: "user", job_title: "Lead" } } });
    expect(up.status).toBe(200);
    expect(up.body.user).toMatchObject({ role: "user", job_title: "Lead" });
    const refused = await org.call(`/users/${u.id}`, { method: "PUT", body: { user: { role: "read_only_user" } } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.errors[0]).toMatch(/not valid for the license "Full User"/);
    expect(org.state.data.users.get(u.id)?.role).toBe("user");
    const stakeholder = [...org.state.data.licenses.values()].find((l) => l.role_group === "Stakeholder")!;
    const ok = await org.call(`/users/${u.id}`, { method: "PUT", body: { user: { role: "read_only_user", license: { id: stakeholder.id, type: "license_reference" } } } });
    expect(ok.status).toBe(200);
    expect(ok.body.user.role).toBe("read_only_user");
    expect((await org.call(`/users/${u.id}/license`)).body.license.id).toBe(stakeholder.id);
  });

  it("refuses making someone owner or changing the owner's role, and 404s unknown users", async () => {
    const u = anyUser((x) => x.role === "admin");
    expect((await org.call(`/users/${u.id}`, { method: "PUT", body: { user: { role: "owner" } } })).status).toBe(400);
    expect((await org.call(`/users/${org.owner().id}`, { method: "PUT", body: { user: { role: "admin" } } })).status).toBe(400);
    expect((await org.call("/users/PNOSUCH", { method: "PUT", body: { user: { role: "user" } } })).status).toBe(404);
    const other = anyUser((x) => x.id !== u.id && x.role !== "owner");
    const dup = await org.call(`/users/${u.id}`, { method: "PUT", body: { user: { email: other.email } } });
    expect(dup.status).toBe(400);
  });
});

describe("DELETE /users/{id}", () => {
  it("refuses while unresolved incidents are assigned, deletes otherwise", async () => {
    const blocked = anyUser((u) => org.state.openIncidentsOf(u.id) > 0);
    const refused = await org.call(`/users/${blocked.id}`, { method: "DELETE" });
    expect(refused.status).toBe(400);
    expect(refused.body.error.errors[0]).toMatch(/cannot be deleted as they have 1 unresolved incident/);
    expect(org.state.data.users.has(blocked.id)).toBe(true);

    const free = anyUser((u) => u.role === "limited_user" && org.state.openIncidentsOf(u.id) === 0 && org.state.teamsOfUser(u.id).length > 0);
    const res = await org.call(`/users/${free.id}`, { method: "DELETE" });
    expect(res.status).toBe(204);
    expect((await org.call(`/users/${free.id}`)).status).toBe(404);
    expect(org.state.teamsOfUser(free.id)).toEqual([]);
    expect((await org.call(`/users/${free.id}`, { method: "DELETE" })).status).toBe(404);
  });
});
