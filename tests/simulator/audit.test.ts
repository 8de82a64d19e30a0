/**
 * Audit records (NOTES §2.8): every kind of write appends the records PagerDuty would, attributed to the key,
 * OAuth app or (out-of-band edits) browser user that made it; the feed is newest first, cursor paged, limited
 * to a 31-day window, filterable, and refused with 402 without the audit-trail ability.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningSimulator } from "@/simulator";
import type { SimAuditRecord } from "@/simulator/core/model";
import { keyReferenceId } from "@/simulator/core/state";
import { control, oauthToken, pd, startTestSimulator } from "./support/simulator";

const T0 = "2025-03-03T09:00:00.000Z";
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startTestSimulator({ size: { users: 40, teams: 5, schedules: 4, escalationPolicies: 4 }, rateLimitPerMinute: 0 });
});
afterAll(() => sim.close());
beforeEach(async () => {
  await control(sim, "/reset", {});
  await control(sim, "/clock", { set: T0, freeze: true });
});

const owner = () => [...sim.state.data.users.values()].find((u) => u.role === "owner")!;
const ref = (id: string, type: string) => expect.objectContaining({ id, type });
const FULL_KEY_ACTOR = () => [{ id: keyReferenceId(sim.keys.full), type: "api_key_reference", summary: expect.any(String) }];
const FULL_KEY_METHOD = () => ({ type: "api_token", truncated_token: sim.keys.full.slice(-4), description: null });

/** The records written since `mark`, oldest first, read back through the API (newest first there). */
async function recordsSince(mark: number): Promise<SimAuditRecord[]> {
  const res = await pd(sim, "/audit/records?limit=1000");
  expect(res.status).toBe(200);
  const fresh = sim.state.data.auditRecords.length - mark;
  return (res.body.records as SimAuditRecord[]).slice(0, fresh).reverse();
}

/** A team member whom no policy of the team targets directly (so they can be removed). */
function removableMember() {
  for (const team of sim.state.data.teams.values()) {
    const policies = sim.state.policiesOfTeam(team.id);
    const m = sim.state.membersOfTeam(team.id).find((x) => !policies.some((p) => p.rules.some((r) => r.targets.some((t) => t.type === "user_reference" && t.id === x.userId))));
    if (m) return { team, member: m };
  }
  throw new Error("no removable member");
}

describe("records written by each kind of write", () => {
  it("user create, role update and delete", async () => {
    const mark = sim.state.data.auditRecords.length;
    const created = await pd(sim, "/users", { method: "POST", headers: { From: owner().email }, body: { user: { type: "user", name: "Audit Person", email: "audit.person@example.com", role: "limited_user" } } });
    expect(created.status).toBe(201);
    const id = created.body.user.id as string;
    expect((await pd(sim, `/users/${id}`, { method: "PUT", body: { user: { role: "user" } } })).status).toBe(200);
    expect((await pd(sim, `/users/${id}`, { method: "DELETE" })).status).toBe(204);

    const [create, update, remove, ...rest] = await recordsSince(mark);
    expect(rest).toEqual([]);
    expect(create).toMatchObject({
      action: "create",
      root_resource: ref(id, "user_reference"),
      actors: FULL_KEY_ACTOR(),
      method: FULL_KEY_METHOD(),
      details: { fields: expect.arrayContaining([{ name: "role", value: "limited_user" }, { name: "email", value: "audit.person@example.com" }]) },
    });
    expect(update).toMatchObject({ action: "update", root_resource: ref(id, "user_reference"), details: { fields: [{ name: "role", value: "user", before_value: "limited_user" }] } });
    expect(remove).toMatchObject({ action: "delete", root_resource: ref(id, "user_reference") });
    expect(create!.execution_time).toBe(T0);
    expect(create!.execution_context.request_id).not.toBe(update!.execution_context.request_id);
  });

  it("an update that changes nothing writes nothing", async () => {
    const user = [...sim.state.data.users.values()].find((u) => u.role === "user")!;
    const mark = sim.state.data.auditRecords.length;
    expect((await pd(sim, `/users/${user.id}`, { method: "PUT", body: { user: { role: "user", name: user.name } } })).status).toBe(200);
    expect(sim.state.data.auditRecords.length).toBe(mark);
  });

  it("team create, update and delete", async () => {
    const mark = sim.state.data.auditRecords.length;
    const created = await pd(sim, "/teams", { method: "POST", body: { team: { type: "team", name: "Audited Team" } } });
    const id = created.body.team.id as string;
    expect((await pd(sim, `/teams/${id}`, { method: "PUT", body: { team: { name: "Audited Team 2", description: "d" } } })).status).toBe(200);
    expect((await pd(sim, `/teams/${id}`, { method: "DELETE" })).status).toBe(204);
    const records = await recordsSince(mark);
    expect(records.map((r) => [r.action, r.root_resource.id])).toEqual([
      ["create", id],
      ["update", id],
      ["delete", id],
    ]);
    expect(records[0]!.details?.fields).toEqual([{ name: "name", value: "Audited Team" }]);
    expect(records[1]!.details?.fields).toEqual([
      { name: "name", value: "Audited Team 2", before_value: "Audited Team" },
      { name: "description", value: "d", before_value: null },
    ]);
  });

  it("member add (a members reference and a members.role field in one request), role change and removal", async () => {
    const { team, member } = removableMember();
    const outsider = [...sim.state.data.users.values()].find((u) => !sim.state.membership(team.id, u.id) && !u.role.startsWith("read_only"))!;
    const mark = sim.state.data.auditRecords.length;
    expect((await pd(sim, `/teams/${team.id}/users/${outsider.id}`, { method: "PUT", body: { role: "responder" } })).status).toBe(204);
    expect((await pd(sim, `/teams/${team.id}/users/${outsider.id}`, { method: "PUT", body: { role: "manager" } })).status).toBe(204);
    // The same role again: no change, no record.
    expect((await pd(sim, `/teams/${team.id}/users/${outsider.id}`, { method: "PUT", body: { role: "manager" } })).status).toBe(204);
    expect((await pd(sim, `/teams/${team.id}/users/${member.userId}`, { method: "DELETE" })).status).toBe(204);

    const [added, addedRole, changed, removed, ...rest] = await recordsSince(mark);
    expect(rest).toEqual([]);
    for (const r of [added, addedRole, changed, removed]) expect(r).toMatchObject({ action: "update", root_resource: ref(team.id, "team_reference"), actors: FULL_KEY_ACTOR() });
    expect(added!.details).toMatchObject({ resource: ref(team.id, "team_reference"), references: [{ name: "members", added: [ref(outsider.id, "user_reference")], removed: [] }] });
    expect(addedRole!.details).toMatchObject({ resource: ref(outsider.id, "user_reference"), fields: [{ name: "members.role", value: "responder", before_value: null }] });
    expect(added!.execution_context.request_id).toBe(addedRole!.execution_context.request_id);
    expect(changed!.details).toMatchObject({ fields: [{ name: "members.role", value: "manager", before_value: "responder" }] });
    expect(removed!.details).toMatchObject({ references: [{ name: "members", added: [], removed: [ref(member.userId, "user_reference")] }] });
  });

  it("override add, delete (future) and truncate (in progress), rooted at the schedule", async () => {
    const schedule = [...sim.state.data.schedules.values()][0]!;
    const user = schedule.layers[0]!.users[0]!;
    const mark = sim.state.data.auditRecords.length;
    const add = (start: string, end: string) => pd(sim, `/schedules/${schedule.id}/overrides`, { method: "POST", body: { overrides: [{ start, end, user: { id: user, type: "user_reference" } }] } });
    const future = (await add("2025-03-10T00:00:00Z", "2025-03-11T00:00:00Z")).body[0].override.id;
    const current = (await add("2025-03-03T08:00:00Z", "2025-03-03T20:00:00Z")).body[0].override.id;
    expect((await pd(sim, `/schedules/${schedule.id}/overrides/${future}`, { method: "DELETE" })).status).toBe(204);
    expect((await pd(sim, `/schedules/${schedule.id}/overrides/${current}`, { method: "DELETE" })).status).toBe(200);

    const records = await recordsSince(mark);
    expect(records.map((r) => r.action)).toEqual(["create", "create", "delete", "update"]);
    for (const r of records) expect(r.root_resource).toMatchObject({ id: schedule.id, type: "schedule_reference" });
    expect(records[0]!.details).toMatchObject({ resource: { id: future, type: "override_reference" }, fields: expect.arrayContaining([{ name: "user", value: user }]) });
    expect(records[3]!.details?.fields).toEqual([{ name: "end", value: T0, before_value: "2025-03-03T20:00:00.000Z" }]);
  });

  it("attributes OAuth writes to the app (app_reference, method oauth)", async () => {
    const { team, member } = removableMember();
    const token = await oauthToken(sim, ["teams.write"]);
    const mark = sim.state.data.auditRecords.length;
    expect((await pd(sim, `/teams/${team.id}/users/${member.userId}`, { method: "DELETE", bearer: token })).status).toBe(204);
    const [record] = await recordsSince(mark);
    expect(record!.actors).toEqual([{ id: keyReferenceId(sim.oauth.clientId), type: "app_reference", summary: expect.any(String) }]);
    expect(record!.method).toEqual({ type: "oauth", truncated_token: token.slice(-4), description: null });
  });

  it("attributes control-API edits to a browser user: set_role, add_member, remove_member, add_override", async () => {
    const { team, member } = removableMember();
    const target = [...sim.state.data.users.values()].find((u) => u.role === "limited_user" && !sim.state.membership(team.id, u.id))!;
    const schedule = [...sim.state.data.schedules.values()][0]!;
    const admin = [...sim.state.data.users.values()].find((u) => u.role === "admin")!;
    const mark = sim.state.data.auditRecords.length;
    const edits = [
      { kind: "set_role", userId: target.id, role: "user" },
      { kind: "add_member", teamId: team.id, userId: target.id, role: "observer" },
      { kind: "remove_member", teamId: team.id, userId: member.userId, actorUserId: admin.id },
      { kind: "add_override", scheduleId: schedule.id, userId: target.id, start: "2025-03-04T00:00:00Z", end: "2025-03-04T12:00:00Z" },
    ];
    const answered: SimAuditRecord[] = [];
    for (const edit of edits) {
      const res = await control(sim, "/edits", edit);
      expect(res.status).toBe(201);
      answered.push(...res.body.audit_records);
    }
    const records = await recordsSince(mark);
    expect(records).toEqual(answered);
    expect(records.map((r) => r.root_resource.type)).toEqual(["user_reference", "team_reference", "team_reference", "team_reference", "schedule_reference"]);
    for (const r of records) expect(r.method).toEqual({ type: "browser", truncated_token: null, description: null });
    expect(records[0]!.actors).toEqual([ref(owner().id, "user_reference")]);
    expect(records[3]!.actors).toEqual([ref(admin.id, "user_reference")]);
    expect(records[0]!.details?.fields).toContainEqual({ name: "role", value: "user", before_value: "limited_user" });
    expect(sim.state.data.users.get(target.id)?.role).toBe("user");
    expect(sim.state.membership(team.id, target.id)?.role).toBe("observer");
    expect(sim.state.membership(team.id, member.userId)).toBeUndefined();
    expect(schedule.overrides.some((o) => o.userId === target.id && o.start === "2025-03-04T00:00:00.000Z")).toBe(true);
  });
});

describe("GET /audit/records", () => {
  /** Writes `n` team renames, `stepHours` apart, starting at T0. */
  async function renames(n: number, stepHours: number): Promise<void> {
    const team = [...sim.state.data.teams.values()][0]!;
    for (let i = 0; i < n; i++) {
      await control(sim, "/clock", { set: new Date(Date.parse(T0) + i * stepHours * 3_600_000).toISOString() });
      expect((await pd(sim, `/teams/${team.id}`, { method: "PUT", body: { team: { description: `rename ${i}` } } })).status).toBe(200);
    }
  }

  async function walk(query: string, limit: number) {
    const pages: SimAuditRecord[][] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: { limit: number; records: SimAuditRecord[]; next_cursor: string | null } } = await pd(sim, `/audit/records?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(res.status).toBe(200);
      expect(res.body.limit).toBe(limit);
      pages.push(res.body.records);
      cursor = res.body.next_cursor;
    } while (cursor && pages.length < 100);
    return pages;
  }

  it("pages newest first with next_cursor (null at the end), inside since/until", async () => {
    await renames(20, 24);
    const since = "2025-03-05T00:00:00Z";
    const until = "2025-03-15T00:00:00Z";
    const pages = await walk(`since=${since}&until=${until}`, 3);
    const served = pages.flat();
    const expected = sim.state.data.auditRecords.filter((r) => r.execution_time >= "2025-03-05" && r.execution_time <= "2025-03-15T00:00:00.000Z").reverse();
    expect(expected).toHaveLength(10);
    expect(served.map((r) => r.id)).toEqual(expected.map((r) => r.id));
    expect(pages.map((p) => p.length)).toEqual([3, 3, 3, 1]);
    const times = served.map((r) => r.execution_time);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it("covers a long period in successive 31-day windows; a wider window is a 400", async () => {
    await renames(12, 24 * 7); // twelve weekly changes: 77 days
    const wide = await pd(sim, "/audit/records?since=2025-03-01T00:00:00Z&until=2025-04-02T00:00:01Z");
    expect(wide.status).toBe(400);
    expect(wide.body.error.errors[0]).toMatch(/31 days/);
    expect((await pd(sim, "/audit/records?since=2025-03-01T00:00:00Z&until=2025-04-01T00:00:00Z")).status).toBe(200);

    const seen: string[] = [];
    for (let start = Date.parse("2025-03-01T00:00:00Z"); start < Date.parse("2025-06-01T00:00:00Z"); start += 31 * 86_400_000) {
      const end = new Date(start + 31 * 86_400_000 - 1).toISOString();
      for (const page of await walk(`since=${new Date(start).toISOString()}&until=${end}`, 2)) seen.push(...page.map((r) => r.id));
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual(sim.state.data.auditRecords.map((r) => r.id).sort());
  });

  it("defaults to the last 24 hours", async () => {
    await renames(3, 20); // T0, T0+20h, T0+40h; now = T0+40h
    const res = await pd(sim, "/audit/records");
    expect(res.body.records.map((r: SimAuditRecord) => r.details?.fields?.[0]?.value)).toEqual(["rename 2", "rename 1"]);
    expect(res.body.next_cursor).toBeNull();
  });

  it("filters by root_resource_types[], actions[], actor and method; refuses unknown values", async () => {
    const { team, member } = removableMember();
    await pd(sim, "/users", { method: "POST", headers: { From: owner().email }, body: { user: { type: "user", name: "Filter Person", email: "filter.person@example.com" } } });
    await pd(sim, `/teams/${team.id}/users/${member.userId}`, { method: "DELETE", bearer: await oauthToken(sim, ["teams.write"]) });
    await control(sim, "/edits", { kind: "set_role", userId: [...sim.state.data.users.values()].find((u) => u.role === "limited_user")!.id, role: "user" });

    const get = async (q: string) => (await pd(sim, `/audit/records?${q}`)).body.records as SimAuditRecord[];
    expect((await get("root_resource_types[]=teams")).map((r) => r.root_resource.id)).toEqual([team.id]);
    expect((await get("root_resource_types[]=users&actions[]=create")).map((r) => r.action)).toEqual(["create"]);
    expect(await get("root_resource_types[]=users&root_resource_types[]=teams")).toHaveLength(3);
    expect(await get("actor_type=app_reference")).toHaveLength(1);
    expect(await get(`actor_type=api_key_reference&actor_id=${keyReferenceId(sim.keys.full)}`)).toHaveLength(1);
    expect(await get("actor_type=api_key_reference&actor_id=PNOBODY")).toHaveLength(0);
    expect((await get("method_type=browser")).map((r) => r.actors[0]?.id)).toEqual([owner().id]);
    expect(await get(`method_type=oauth&method_truncated_token=zzzz`)).toHaveLength(0);

    for (const bad of ["root_resource_types[]=incidents", "actions[]=merge", "actor_type=robot", "actor_id=PABC", "method_type=fax", "method_truncated_token=abcd", "since=yesterday", "until=2025-01-01T00:00:00Z&since=2025-02-01T00:00:00Z", "cursor=%%%", "limit=-1"]) {
      const res = await pd(sim, `/audit/records?${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.body.error.code).toBeGreaterThan(0);
    }
  });

  it("answers 402 without the audit-trail ability; per-resource feeds still answer", async () => {
    const { team } = removableMember();
    await pd(sim, `/teams/${team.id}`, { method: "PUT", body: { team: { description: "before 402" } } });
    await control(sim, "/abilities", { disable: ["audit_trail"] });
    const refused = await pd(sim, "/audit/records");
    expect(refused.status).toBe(402);
    expect(refused.body.error.code).toBe(2014);
    const feed = await pd(sim, `/teams/${team.id}/audit/records`);
    expect(feed.status).toBe(200);
    expect(feed.body.records).toHaveLength(1);
  });
});

describe("per-resource feeds", () => {
  it("list the changes made to the resource, including team membership records that name a user", async () => {
    const { team, member } = removableMember();
    const user = member.userId;
    await pd(sim, `/teams/${team.id}/users/${user}`, { method: "PUT", body: { role: member.role === "manager" ? "responder" : "manager" } });
    await control(sim, "/edits", { kind: "set_role", userId: user, role: sim.state.data.users.get(user)!.role === "user" ? "limited_user" : "user" });
    const byUser = (await pd(sim, `/users/${user}/audit/records`)).body;
    expect(byUser.records.map((r: SimAuditRecord) => r.root_resource.type)).toEqual(["user_reference", "team_reference"]);
    expect(byUser.next_cursor).toBeNull();
    const byTeam = (await pd(sim, `/teams/${team.id}/audit/records?limit=1`)).body;
    expect(byTeam.records).toHaveLength(1);
    expect(byTeam.next_cursor).toBeNull();

    const schedule = [...sim.state.data.schedules.values()][0]!;
    await control(sim, "/edits", { kind: "add_override", scheduleId: schedule.id, userId: user, start: "2025-03-05T00:00:00Z", end: "2025-03-05T06:00:00Z" });
    expect((await pd(sim, `/schedules/${schedule.id}/audit/records`)).body.records).toHaveLength(1);
    const policy = [...sim.state.data.escalationPolicies.values()][0]!;
    expect((await pd(sim, `/escalation_policies/${policy.id}/audit/records`)).body.records).toEqual([]);
    for (const path of ["/users/PNOSUCH", "/teams/PNOSUCH", "/schedules/PNOSUCH", "/escalation_policies/PNOSUCH"]) {
      expect((await pd(sim, `${path}/audit/records`)).status).toBe(404);
    }
  });
});
