/**
 * /schedules over HTTP (NOTES §2.4), against the hand-built schedules of support/known-schedule.ts: the list
 * with users/teams/escalation-policy references, GET with since/until/time_zone/overflow rendering layers,
 * overrides and the final schedule, /schedules/{id}/users, and overrides (list; batch create with a status
 * per item; delete 204, or 200 when an in-progress override is truncated).
 * The renderer's own rules (DST, restrictions, precedence) are tested in simulator/schedule/render.test.ts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningSimulator } from "@/simulator";
import { freezeAtKnownNow, KNOWN_NOW, startKnownSimulator, type KnownSchedule } from "./support/known-schedule";
import { pd } from "./support/simulator";

let sim: RunningSimulator;
let k: KnownSchedule;
beforeAll(async () => {
  ({ sim, k } = await startKnownSimulator());
});
afterAll(() => sim.close());
beforeEach(async () => {
  await freezeAtKnownNow(sim);
  k.daily.overrides = [];
  sim.state.touch();
});

type Entry = { start: string; end: string; user: { id: string } };
const letters = () => Object.fromEntries(Object.entries(k.users).map(([letter, id]) => [id, letter]));
const compact = (entries: Entry[]) => entries.map((e) => [letters()[e.user.id] ?? e.user.id, e.start, e.end]);

function override(start: string, end: string, userId: string) {
  return pd(sim, `/schedules/${k.daily.id}/overrides`, { method: "POST", body: { overrides: [{ start, end, user: { id: userId, type: "user_reference" } }] } });
}

describe("GET /schedules", () => {
  it("lists schedules by name with users, teams and escalation policies references", async () => {
    const res = await pd(sim, "/schedules?query=known");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ limit: 25, offset: 0, more: false, total: null });
    const [daily, office] = res.body.schedules;
    expect(daily).toMatchObject({ id: k.daily.id, type: "schedule", name: "Known Daily", time_zone: "Etc/UTC", description: "A, B, C daily", self: `${sim.url}/schedules/${k.daily.id}` });
    expect(daily.users.map((u: { id: string; type: string }) => [u.id, u.type])).toEqual([k.users.A, k.users.B, k.users.C].map((id) => [id, "user_reference"]));
    expect(daily.teams).toEqual([expect.objectContaining({ id: k.teamId, type: "team_reference" })]);
    expect(daily.escalation_policies).toEqual([expect.objectContaining({ id: k.policy.id, type: "escalation_policy_reference", summary: "AAA Known Policy" })]);
    expect(office.id).toBe(k.office.id);
    expect(office).not.toHaveProperty("description");
    // Without include[], no rendered parts.
    expect(daily).not.toHaveProperty("final_schedule");

    const all = await pd(sim, "/schedules?limit=100&total=true");
    expect(all.body.total).toBe(sim.state.data.schedules.size);
    const byTeam = await pd(sim, `/schedules?team_ids[]=${k.teamId}&limit=100`);
    for (const s of byTeam.body.schedules) expect(s.teams.map((t: { id: string }) => t.id)).toContain(k.teamId);
  });

  it("renders the included parts when asked with a range", async () => {
    const res = await pd(sim, "/schedules?query=known%20daily&include[]=final_schedule&since=2025-06-03T12:00:00Z&until=2025-06-04T12:00:00Z");
    const [daily] = res.body.schedules;
    expect(compact(daily.final_schedule.rendered_schedule_entries)).toEqual([
      ["B", "2025-06-03T12:00:00Z", "2025-06-04T00:00:00Z"],
      ["C", "2025-06-04T00:00:00Z", "2025-06-04T12:00:00Z"],
    ]);
    expect(daily).not.toHaveProperty("schedule_layers");
  });
});

describe("GET /schedules/{id}", () => {
  it("renders layers, overrides and the final schedule in [since, until), truncated at the bounds", async () => {
    expect((await override("2025-06-04T06:00:00Z", "2025-06-04T08:00:00Z", k.users.D)).body[0].status).toBe(201);
    const res = await pd(sim, `/schedules/${k.daily.id}?since=2025-06-03T12:00:00Z&until=2025-06-05T12:00:00Z`);
    expect(res.status).toBe(200);
    const s = res.body.schedule;
    expect(s.schedule_layers).toHaveLength(1);
    const layer = s.schedule_layers[0];
    expect(layer).toMatchObject({ name: "Layer 1", start: "2025-06-02T00:00:00Z", rotation_virtual_start: "2025-06-02T00:00:00Z", rotation_turn_length_seconds: 86_400, restrictions: [] });
    expect(layer.users.map((u: { user: { id: string } }) => letters()[u.user.id])).toEqual(["A", "B", "C"]);
    expect(compact(layer.rendered_schedule_entries)).toEqual([
      ["B", "2025-06-03T12:00:00Z", "2025-06-04T00:00:00Z"],
      ["C", "2025-06-04T00:00:00Z", "2025-06-05T00:00:00Z"],
      ["A", "2025-06-05T00:00:00Z", "2025-06-05T12:00:00Z"],
    ]);
    expect(layer.rendered_coverage_percentage).toBe(100);
    expect(s.overrides_subschedule.name).toBe("Overrides");
    expect(compact(s.overrides_subschedule.rendered_schedule_entries)).toEqual([["D", "2025-06-04T06:00:00Z", "2025-06-04T08:00:00Z"]]);
    expect(s.overrides_subschedule.rendered_coverage_percentage).toBe(4.17);
    expect(s.final_schedule.name).toBe("Final Schedule");
    expect(compact(s.final_schedule.rendered_schedule_entries)).toEqual([
      ["B", "2025-06-03T12:00:00Z", "2025-06-04T00:00:00Z"],
      ["C", "2025-06-04T00:00:00Z", "2025-06-04T06:00:00Z"],
      ["D", "2025-06-04T06:00:00Z", "2025-06-04T08:00:00Z"],
      ["C", "2025-06-04T08:00:00Z", "2025-06-05T00:00:00Z"],
      ["A", "2025-06-05T00:00:00Z", "2025-06-05T12:00:00Z"],
    ]);
  });

  it("writes times in time_zone, keeps whole entries with overflow=true, and defaults until to since + 2 weeks", async () => {
    const berlin = await pd(sim, `/schedules/${k.daily.id}?since=2025-06-03T12:00:00Z&until=2025-06-04T00:00:00Z&time_zone=Europe/Berlin`);
    expect(compact(berlin.body.schedule.final_schedule.rendered_schedule_entries)).toEqual([["B", "2025-06-03T14:00:00+02:00", "2025-06-04T02:00:00+02:00"]]);
    expect(berlin.body.schedule.schedule_layers[0].start).toBe("2025-06-02T02:00:00+02:00");
    expect(berlin.body.schedule.time_zone).toBe("Etc/UTC");

    const overflow = await pd(sim, `/schedules/${k.daily.id}?since=2025-06-03T12:00:00Z&until=2025-06-03T13:00:00Z&overflow=true`);
    expect(compact(overflow.body.schedule.final_schedule.rendered_schedule_entries)).toEqual([["B", "2025-06-03T00:00:00Z", "2025-06-04T00:00:00Z"]]);

    const sinceOnly = await pd(sim, `/schedules/${k.daily.id}?since=2025-06-03T12:00:00Z`);
    expect(sinceOnly.body.schedule.final_schedule.rendered_schedule_entries.at(-1).end).toBe("2025-06-17T12:00:00Z");
    const neither = await pd(sim, `/schedules/${k.daily.id}`);
    expect(neither.body.schedule.final_schedule.rendered_schedule_entries[0].start).toBe("2025-06-03T12:00:00Z");
  });

  it("renders a restricted weekly layer in the schedule's zone, gaps left uncovered", async () => {
    const res = await pd(sim, `/schedules/${k.office.id}?since=2025-06-02T00:00:00-04:00&until=2025-06-04T00:00:00-04:00`);
    const layer = res.body.schedule.schedule_layers[0];
    expect(layer.restrictions).toEqual([{ type: "daily_restriction", start_time_of_day: "09:00:00", duration_seconds: 28_800 }]);
    expect(compact(layer.rendered_schedule_entries)).toEqual([
      ["A", "2025-06-02T09:00:00-04:00", "2025-06-02T17:00:00-04:00"],
      ["A", "2025-06-03T09:00:00-04:00", "2025-06-03T17:00:00-04:00"],
    ]);
    expect(layer.rendered_coverage_percentage).toBe(33.33);
    expect(res.body.schedule.final_schedule.rendered_coverage_percentage).toBe(33.33);
  });

  it("answers 404 code 3004 for an unknown schedule and 400 for bad parameters", async () => {
    const missing = await pd(sim, "/schedules/PNOSUCH");
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe(3004);
    for (const q of ["since=soon", "time_zone=Mars/Base", "since=2025-06-05T00:00:00Z&until=2025-06-04T00:00:00Z"]) {
      const res = await pd(sim, `/schedules/${k.daily.id}?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.code).toBe(2001);
    }
  });
});

describe("GET /schedules/{id}/users", () => {
  it("lists the users on call in the range, by name, not paginated", async () => {
    await override("2025-06-03T13:00:00Z", "2025-06-03T14:00:00Z", k.users.D);
    const res = await pd(sim, `/schedules/${k.daily.id}/users?since=2025-06-03T12:00:00Z&until=2025-06-04T12:00:00Z`);
    expect(res.status).toBe(200);
    const expected = [k.users.B, k.users.C, k.users.D].map((id) => sim.state.data.users.get(id)!).sort((a, b) => a.name.localeCompare(b.name));
    expect(res.body.users.map((u: { id: string }) => u.id)).toEqual(expected.map((u) => u.id));
    expect(res.body.users[0]).toMatchObject({ type: "user", email: expect.any(String) });
    expect(res.body).not.toHaveProperty("more");
    expect((await pd(sim, "/schedules/PNOSUCH/users")).status).toBe(404);
  });
});

describe("schedule overrides", () => {
  it("creates a batch with a status per item: good items 201, bad items 400 with errors, nothing else affected", async () => {
    const res = await pd(sim, `/schedules/${k.daily.id}/overrides`, {
      method: "POST",
      body: {
        overrides: [
          { start: "2025-06-06T09:00:00+02:00", end: "2025-06-06T17:00:00+02:00", user: { id: k.users.D, type: "user_reference" }, time_zone: "Europe/Berlin" },
          { start: "2025-06-06T09:00:00Z", end: "2025-06-06T17:00:00Z", user: { id: "PNOSUCH", type: "user_reference" } },
          { start: "2025-06-06T17:00:00Z", end: "2025-06-06T09:00:00Z", user: { id: k.users.A, type: "user_reference" } },
          { start: "tomorrow", end: "2025-06-06T09:00:00Z", user: { id: k.users.A, type: "user_reference" } },
          { start: "2025-06-06T09:00:00Z", end: "2025-06-06T17:00:00Z" },
          "not an object",
        ],
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.map((item: { status: number }) => item.status)).toEqual([201, 400, 400, 400, 400, 400]);
    expect(res.body[0].override).toMatchObject({ id: expect.any(String), start: "2025-06-06T09:00:00+02:00", end: "2025-06-06T17:00:00+02:00", user: { id: k.users.D, type: "user_reference" } });
    for (const item of res.body.slice(1)) expect(item.errors).toEqual([expect.any(String)]);
    expect(res.body[1].override.user.id).toBe("PNOSUCH");
    expect(k.daily.overrides).toHaveLength(1);
  });

  it("accepts the single {override} form and refuses an empty or missing batch", async () => {
    const single = await pd(sim, `/schedules/${k.daily.id}/overrides`, { method: "POST", body: { override: { start: "2025-06-07T00:00:00Z", end: "2025-06-07T06:00:00Z", user: { id: k.users.A, type: "user_reference" } } } });
    expect(single.status).toBe(201);
    expect(single.body.override).toMatchObject({ start: "2025-06-07T00:00:00Z", user: { id: k.users.A } });
    for (const body of [{ overrides: [] }, {}, { overrides: "x" }, { override: { start: "2025-06-07T06:00:00Z", end: "2025-06-07T00:00:00Z", user: { id: k.users.A } } }]) {
      const res = await pd(sim, `/schedules/${k.daily.id}/overrides`, { method: "POST", body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe(2001);
    }
    expect((await pd(sim, "/schedules/PNOSUCH/overrides", { method: "POST", body: { overrides: [] } })).status).toBe(404);
  });

  it("lists overrides meeting [since, until) (both required), truncated unless overflow, editable ones only on request", async () => {
    await override("2025-06-03T06:00:00Z", "2025-06-03T10:00:00Z", k.users.D); // ended
    await override("2025-06-04T06:00:00Z", "2025-06-04T18:00:00Z", k.users.A);
    await override("2025-06-20T00:00:00Z", "2025-06-21T00:00:00Z", k.users.B); // outside
    const list = async (q: string) => (await pd(sim, `/schedules/${k.daily.id}/overrides?${q}`)).body.overrides.map((o: Entry) => [letters()[o.user.id], o.start, o.end]);
    expect(await list("since=2025-06-03T00:00:00Z&until=2025-06-04T12:00:00Z")).toEqual([
      ["D", "2025-06-03T06:00:00Z", "2025-06-03T10:00:00Z"],
      ["A", "2025-06-04T06:00:00Z", "2025-06-04T12:00:00Z"],
    ]);
    expect(await list("since=2025-06-03T00:00:00Z&until=2025-06-04T12:00:00Z&overflow=true")).toContainEqual(["A", "2025-06-04T06:00:00Z", "2025-06-04T18:00:00Z"]);
    expect(await list("since=2025-06-03T00:00:00Z&until=2025-06-04T12:00:00Z&editable=true&time_zone=America/New_York")).toEqual([["A", "2025-06-04T02:00:00-04:00", "2025-06-04T08:00:00-04:00"]]);
    for (const q of ["", "since=2025-06-03T00:00:00Z", "until=2025-06-03T00:00:00Z", "since=x&until=y"]) {
      const res = await pd(sim, `/schedules/${k.daily.id}/overrides?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.code).toBe(2001);
    }
  });

  it("deletes a future override (204), truncates one in progress to now (200), refuses a past one (400) and unknown ids (404)", async () => {
    const future = (await override("2025-06-05T00:00:00Z", "2025-06-05T06:00:00Z", k.users.D)).body[0].override.id;
    const current = (await override("2025-06-03T10:00:00Z", "2025-06-03T16:00:00Z", k.users.D)).body[0].override.id;
    const past = (await override("2025-06-02T10:00:00Z", "2025-06-02T16:00:00Z", k.users.D)).body[0].override.id;
    const del = (id: string) => pd(sim, `/schedules/${k.daily.id}/overrides/${id}`, { method: "DELETE" });

    const deleted = await del(future);
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    expect(k.daily.overrides.some((o) => o.id === future)).toBe(false);

    expect((await del(current)).status).toBe(200);
    expect(k.daily.overrides.find((o) => o.id === current)?.end).toBe(KNOWN_NOW);
    const final = (await pd(sim, `/schedules/${k.daily.id}?since=2025-06-03T00:00:00Z&until=2025-06-04T00:00:00Z`)).body.schedule.final_schedule;
    expect(compact(final.rendered_schedule_entries)).toEqual([
      ["B", "2025-06-03T00:00:00Z", "2025-06-03T10:00:00Z"],
      ["D", "2025-06-03T10:00:00Z", "2025-06-03T12:00:00Z"],
      ["B", "2025-06-03T12:00:00Z", "2025-06-04T00:00:00Z"],
    ]);

    const refused = await del(past);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 4004, errors: ["You cannot remove a past override"] });
    expect((await del("QNOSUCH")).status).toBe(404);
    expect((await pd(sim, `/schedules/PNOSUCH/overrides/${past}`, { method: "DELETE" })).status).toBe(404);
  });
});
