/**
 * Credentials (NOTES §1.3): account keys (full access, read-only), the user-level key, and OAuth
 * client-credentials tokens with scopes and a one-day expiry. Refusals: read-only write → 403, missing scope →
 * 403, unknown/expired/missing credentials → 401.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "@/simulator";
import { DEFAULT_KEYS } from "@/simulator";
import { control, oauthToken, pd, startTestSimulator } from "./support/simulator";

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startTestSimulator({ size: { users: 30, teams: 4, schedules: 3, escalationPolicies: 3 } });
});
afterAll(() => sim.close());

const anyTeam = () => [...sim.state.data.teams.values()][0]!;
const memberOf = (teamId: string) => sim.state.membersOfTeam(teamId)[0]!;

function tokenRequest(form: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(sim.oauth.tokenUrl, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body: new URLSearchParams(form) });
}

describe("account keys", () => {
  it("accepts the default keys as they are (with _, + and -) and refuses unknown, missing or malformed credentials with 401 code 2006", async () => {
    expect(sim.keys).toEqual(DEFAULT_KEYS);
    expect((await pd(sim, "/users?limit=1")).status).toBe(200);
    expect((await pd(sim, "/users?limit=1", { key: sim.keys.readOnly })).status).toBe(200);
    for (const init of [{ key: "not-a-key" }, { key: null }, { key: `${sim.keys.full}x` }, { key: null, headers: { Authorization: `Basic ${btoa("a:b")}` } }, { key: null, headers: { Authorization: "Token" } }, { bearer: "pdus+_unknown" }]) {
      const res = await pd(sim, "/users", init);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { message: "Authentication failed", code: 2006 } });
    }
  });

  it("refuses every kind of write with a read-only key (403) and applies none of them", async () => {
    const team = anyTeam();
    const member = memberOf(team.id);
    const schedule = [...sim.state.data.schedules.values()][0]!;
    const ro = { key: sim.keys.readOnly };
    const audit = sim.state.data.auditRecords.length;
    const writes = [
      pd(sim, "/teams", { ...ro, method: "POST", body: { team: { type: "team", name: "Read Only Team" } } }),
      pd(sim, `/teams/${team.id}`, { ...ro, method: "PUT", body: { team: { name: "Renamed" } } }),
      pd(sim, `/teams/${team.id}/users/${member.userId}`, { ...ro, method: "PUT", body: { role: "observer" } }),
      pd(sim, `/teams/${team.id}/users/${member.userId}`, { ...ro, method: "DELETE" }),
      pd(sim, `/users/${member.userId}`, { ...ro, method: "PUT", body: { user: { job_title: "X" } } }),
      pd(sim, `/users/${member.userId}`, { ...ro, method: "DELETE" }),
      pd(sim, `/schedules/${schedule.id}/overrides`, { ...ro, method: "POST", body: { overrides: [] } }),
      pd(sim, `/oauth_delegations?user_id=${member.userId}&type=web`, { ...ro, method: "DELETE" }),
    ];
    for (const res of await Promise.all(writes)) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe(2010);
    }
    expect(sim.state.data.auditRecords.length).toBe(audit);
    expect(sim.state.membership(team.id, member.userId)?.role).toBe(member.role);
    expect(sim.state.signOuts).toEqual([]);
  });

  it("takes a custom full-access key (--token), which then replaces the default one", async () => {
    const custom = await startTestSimulator({ size: { users: 3, teams: 1, schedules: 0, escalationPolicies: 0 }, fullAccessKey: "u+my_Own-Key" });
    try {
      expect(custom.keys.full).toBe("u+my_Own-Key");
      expect((await pd(custom, "/users")).status).toBe(200);
      expect((await pd(custom, "/users", { key: DEFAULT_KEYS.full })).status).toBe(401);
    } finally {
      await custom.close();
    }
  });
});

describe("user-level key", () => {
  it("acts as the account owner: /users/me answers them; account-level credentials get 400", async () => {
    const owner = [...sim.state.data.users.values()].find((u) => u.role === "owner")!;
    const me = await pd(sim, "/users/me", { key: sim.keys.user });
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ id: owner.id, email: owner.email, role: "owner" });
    for (const init of [{}, { key: sim.keys.readOnly }, { bearer: await oauthToken(sim, ["users.read"]) }]) {
      const res = await pd(sim, "/users/me", init);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body.error)).toMatch(/account-level/);
    }
  });

  it("writes audited as the user, not as a key", async () => {
    const team = anyTeam();
    const member = memberOf(team.id);
    const res = await pd(sim, `/teams/${team.id}/users/${member.userId}`, { key: sim.keys.user, method: "PUT", body: { role: member.role === "observer" ? "responder" : "observer" } });
    expect(res.status).toBe(204);
    const record = sim.state.data.auditRecords.at(-1)!;
    const owner = [...sim.state.data.users.values()].find((u) => u.role === "owner")!;
    expect(record.actors).toEqual([{ id: owner.id, type: "user_reference", summary: owner.name }]);
    expect(record.method).toMatchObject({ type: "api_token", truncated_token: sim.keys.user.slice(-4) });
  });
});

describe("OAuth client credentials", () => {
  it("issues a bearer token for the asked scopes that lasts one day", async () => {
    const res = await tokenRequest({ grant_type: "client_credentials", client_id: sim.oauth.clientId, client_secret: sim.oauth.clientSecret, scope: "as_account-us.acme users.read teams.write" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: "bearer", expires_in: 86_400, scope: "as_account-us.acme users.read teams.write" });
    expect(body.access_token).toEqual(expect.stringMatching(/^pdus\+_/));
  });

  it("accepts HTTP Basic client authentication and the EU region", async () => {
    const basic = `Basic ${Buffer.from(`${sim.oauth.clientId}:${sim.oauth.clientSecret}`).toString("base64")}`;
    const res = await tokenRequest({ grant_type: "client_credentials", scope: "as_account-eu.acme users.read" }, { Authorization: basic });
    expect(res.status).toBe(200);
    const { access_token } = (await res.json()) as { access_token: string };
    expect((await pd(sim, "/users?limit=1", { bearer: access_token })).status).toBe(200);
  });

  it("answers RFC 6749 errors for a bad grant, bad client or an account scope of another subdomain", async () => {
    const good = { grant_type: "client_credentials", client_id: sim.oauth.clientId, client_secret: sim.oauth.clientSecret, scope: "as_account-us.acme users.read" };
    const cases: [Record<string, string>, number, string][] = [
      [{ ...good, grant_type: "password" }, 400, "unsupported_grant_type"],
      [{ ...good, client_secret: "wrong" }, 401, "invalid_client"],
      [{ grant_type: "client_credentials", scope: good.scope }, 400, "invalid_request"],
      [{ ...good, scope: "users.read" }, 400, "invalid_scope"],
      [{ ...good, scope: "as_account-us.other users.read" }, 400, "invalid_scope"],
    ];
    for (const [form, status, error] of cases) {
      const res = await tokenRequest(form);
      expect(res.status).toBe(status);
      expect(((await res.json()) as { error: string }).error).toBe(error);
    }
    // A body that is not a form is a bad request, not a crash.
    const junk = await fetch(sim.oauth.tokenUrl, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
    expect(junk.status).toBe(400);
  });

  it("refuses a route whose scope the token lacks with 403; a write scope implies its read scope", async () => {
    const team = anyTeam();
    const member = memberOf(team.id);
    const readOnly = await oauthToken(sim, ["users.read", "teams.read"]);
    expect((await pd(sim, `/teams/${team.id}/members`, { bearer: readOnly })).status).toBe(200);
    const put = await pd(sim, `/teams/${team.id}/users/${member.userId}`, { bearer: readOnly, method: "PUT", body: { role: member.role } });
    expect(put.status).toBe(403);
    expect(put.body.error).toMatchObject({ code: 2010, errors: ["Required scope: teams.write"] });
    const schedules = await pd(sim, "/schedules", { bearer: readOnly });
    expect(schedules.status).toBe(403);
    expect(schedules.body.error.errors).toEqual(["Required scope: schedules.read"]);
    const audit = await pd(sim, "/audit/records", { bearer: readOnly });
    expect(audit.status).toBe(403);

    const writer = await oauthToken(sim, ["teams.write"]);
    expect((await pd(sim, `/teams/${team.id}`, { bearer: writer })).status).toBe(200);
    expect((await pd(sim, "/users", { bearer: writer })).status).toBe(403);
    // /schedules/{id}/users needs users.read, not schedules.read (NOTES §2.4).
    const schedule = [...sim.state.data.schedules.values()][0]!;
    const scheduleReader = await oauthToken(sim, ["schedules.read"]);
    expect((await pd(sim, `/schedules/${schedule.id}`, { bearer: scheduleReader })).status).toBe(200);
    expect((await pd(sim, `/schedules/${schedule.id}/users`, { bearer: scheduleReader })).status).toBe(403);
    expect((await pd(sim, `/schedules/${schedule.id}/users`, { bearer: readOnly })).status).toBe(200);
  });

  it("grants only the scopes the app is allowed", async () => {
    const limited = await startTestSimulator({ size: { users: 3, teams: 1, schedules: 0, escalationPolicies: 0 }, oauthAllowedScopes: ["users.read"] });
    try {
      const form = new URLSearchParams({ grant_type: "client_credentials", client_id: limited.oauth.clientId, client_secret: limited.oauth.clientSecret, scope: "as_account-us.acme users.read users.write" });
      const answer = (await (await fetch(limited.oauth.tokenUrl, { method: "POST", body: form })).json()) as { scope: string; access_token: string };
      expect(answer.scope).toBe("as_account-us.acme users.read");
      expect((await pd(limited, `/users/${[...limited.state.data.users.keys()][1]}`, { bearer: answer.access_token, method: "DELETE" })).status).toBe(403);
    } finally {
      await limited.close();
    }
  });

  it("expires the token after one day of simulated time (401), and a new token works", async () => {
    const token = await oauthToken(sim, ["users.read"]);
    await control(sim, "/clock", { advance: "PT23H59M" });
    expect((await pd(sim, "/users?limit=1", { bearer: token })).status).toBe(200);
    await control(sim, "/clock", { advance: "PT2M" });
    const expired = await pd(sim, "/users?limit=1", { bearer: token });
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe(2006);
    expect((await pd(sim, "/users?limit=1", { bearer: await oauthToken(sim, ["users.read"]) })).status).toBe(200);
  });
});
