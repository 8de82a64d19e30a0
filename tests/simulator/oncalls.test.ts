/**
 * GET /oncalls (NOTES §2.5) over a hand-built policy (support/known-schedule.ts): whole shifts overlapping the
 * range, escalation levels, permanent on-calls for direct user targets, the filters, `earliest`, `include[]`,
 * `time_zone`, the 90-day horizon, and the simulated clock moving the on-call boundaries.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningSimulator } from "@/simulator";
import { freezeAtKnownNow, KNOWN_NOW, startKnownSimulator, type KnownSchedule } from "./support/known-schedule";
import { control, pd } from "./support/simulator";

let sim: RunningSimulator;
let k: KnownSchedule;
beforeAll(async () => {
  ({ sim, k } = await startKnownSimulator());
});
afterAll(() => sim.close());
beforeEach(() => freezeAtKnownNow(sim));

interface Row {
  level: number;
  user: string;
  schedule: string | null;
  start: string | null;
  end: string | null;
}

/** The policy's on-calls as compact rows (schedule as "daily"/"office"). */
async function oncalls(query = ""): Promise<Row[]> {
  const res = await pd(sim, `/oncalls?escalation_policy_ids[]=${k.policy.id}&limit=100${query}`);
  expect(res.status).toBe(200);
  const name = (id: string | undefined) => (id === k.daily.id ? "daily" : id === k.office.id ? "office" : (id ?? null));
  const who = Object.fromEntries(Object.entries(k.users).map(([letter, id]) => [id, letter]));
  return res.body.oncalls.map((o: { escalation_level: number; user: { id: string }; schedule: { id: string } | null; start: string | null; end: string | null }) => ({
    level: o.escalation_level,
    user: who[o.user.id] ?? o.user.id,
    schedule: name(o.schedule?.id),
    start: o.start,
    end: o.end,
  }));
}

describe("GET /oncalls", () => {
  it("at an instant (since = until = now by default): the whole current shift per level, and the permanent direct target", async () => {
    expect(await oncalls()).toEqual([
      { level: 1, user: "B", schedule: "daily", start: "2025-06-03T00:00:00Z", end: "2025-06-04T00:00:00Z" },
      { level: 2, user: "D", schedule: null, start: null, end: null },
    ]);
  });

  it("over a range: every shift overlapping it, whole, ordered by level then start", async () => {
    const rows = await oncalls("&since=2025-06-03T12:00:00Z&until=2025-06-05T12:00:00Z");
    expect(rows).toEqual([
      { level: 1, user: "B", schedule: "daily", start: "2025-06-03T00:00:00Z", end: "2025-06-04T00:00:00Z" },
      { level: 1, user: "C", schedule: "daily", start: "2025-06-04T00:00:00Z", end: "2025-06-05T00:00:00Z" },
      { level: 1, user: "A", schedule: "daily", start: "2025-06-05T00:00:00Z", end: "2025-06-06T00:00:00Z" },
      { level: 2, user: "D", schedule: null, start: null, end: null },
      { level: 3, user: "A", schedule: "office", start: "2025-06-03T13:00:00Z", end: "2025-06-03T21:00:00Z" },
      { level: 3, user: "A", schedule: "office", start: "2025-06-04T13:00:00Z", end: "2025-06-04T21:00:00Z" },
    ]);
  });

  it("renders times in time_zone", async () => {
    const rows = await oncalls("&since=2025-06-03T12:00:00Z&until=2025-06-04T00:00:00Z&time_zone=America/New_York");
    expect(rows.filter((r) => r.level === 3)).toEqual([{ level: 3, user: "A", schedule: "office", start: "2025-06-03T09:00:00-04:00", end: "2025-06-03T17:00:00-04:00" }]);
    expect(rows[0]).toMatchObject({ start: "2025-06-02T20:00:00-04:00", end: "2025-06-03T20:00:00-04:00" });
    expect((await pd(sim, "/oncalls?time_zone=Nowhere/Else")).status).toBe(400);
  });

  it("earliest=true keeps the earliest on-call per policy, level and user", async () => {
    const rows = await oncalls("&since=2025-06-03T00:00:00Z&until=2025-06-10T00:00:00Z&earliest=true");
    expect(rows.map((r) => [r.level, r.user, r.start])).toEqual([
      [1, "B", "2025-06-03T00:00:00Z"],
      [1, "C", "2025-06-04T00:00:00Z"],
      [1, "A", "2025-06-05T00:00:00Z"],
      [2, "D", null],
      [3, "A", "2025-06-03T13:00:00Z"],
      [3, "B", "2025-06-09T13:00:00Z"],
    ]);
  });

  it("filters by user_ids[] and schedule_ids[]; permanent on-calls only with `null` among schedule_ids[]", async () => {
    const range = "&since=2025-06-03T12:00:00Z&until=2025-06-05T12:00:00Z";
    expect((await oncalls(`${range}&user_ids[]=${k.users.A}`)).map((r) => [r.level, r.start])).toEqual([
      [1, "2025-06-05T00:00:00Z"],
      [3, "2025-06-03T13:00:00Z"],
      [3, "2025-06-04T13:00:00Z"],
    ]);
    expect((await oncalls(`${range}&user_ids[]=${k.users.D}&user_ids[]=${k.users.C}`)).map((r) => r.user)).toEqual(["C", "D"]);
    expect((await oncalls(`${range}&schedule_ids[]=${k.daily.id}`)).map((r) => r.user)).toEqual(["B", "C", "A"]);
    expect((await oncalls(`${range}&schedule_ids[]=${k.daily.id}&schedule_ids[]=null`)).map((r) => r.user)).toEqual(["B", "C", "A", "D"]);
    expect((await oncalls(`${range}&schedule_ids[]=null`)).map((r) => r.user)).toEqual(["D"]);
  });

  it("lists every policy without escalation_policy_ids[], pages with the classic envelope", async () => {
    const all = await pd(sim, "/oncalls?limit=100&total=true");
    expect(all.body.total).toBe(all.body.oncalls.length);
    expect(new Set(all.body.oncalls.map((o: { escalation_policy: { id: string } }) => o.escalation_policy.id)).size).toBeGreaterThan(1);
    // "AAA Known Policy" sorts first.
    expect(all.body.oncalls[0].escalation_policy).toMatchObject({ id: k.policy.id, type: "escalation_policy_reference", summary: "AAA Known Policy" });
    const page = await pd(sim, "/oncalls?limit=1&offset=1");
    expect(page.body).toMatchObject({ limit: 1, offset: 1, more: true, total: null });
    expect(page.body.oncalls[0]).toEqual(all.body.oncalls[1]);
  });

  it("include[] expands users, schedules and escalation policies", async () => {
    const res = await pd(sim, `/oncalls?escalation_policy_ids[]=${k.policy.id}&include[]=users&include[]=schedules&include[]=escalation_policies`);
    const [shift, permanent] = res.body.oncalls;
    expect(shift.user).toMatchObject({ id: k.users.B, type: "user", email: expect.any(String) });
    expect(shift.schedule).toMatchObject({ id: k.daily.id, type: "schedule", name: "Known Daily", time_zone: "Etc/UTC" });
    expect(shift.escalation_policy).toMatchObject({ id: k.policy.id, type: "escalation_policy", escalation_rules: expect.any(Array) });
    expect(permanent.schedule).toBeNull();
  });

  it("limits the range to 90 days into the future; until may not precede since; bad dates are 400", async () => {
    const inDays = (d: number) => new Date(Date.parse(KNOWN_NOW) + d * 86_400_000).toISOString();
    expect((await pd(sim, `/oncalls?until=${inDays(89)}&escalation_policy_ids[]=${k.policy.id}`)).status).toBe(200);
    for (const query of [`until=${inDays(91)}`, `since=${inDays(1)}&until=${inDays(92)}`, `since=${inDays(2)}&until=${inDays(1)}`, "since=tomorrow", "until=2025-13-45T00:00:00Z"]) {
      const res = await pd(sim, `/oncalls?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe(2001);
    }
  });
});

describe("simulated time moves on-call boundaries", () => {
  it("hands over at the shift boundary and as restriction windows open", async () => {
    await control(sim, "/clock", { set: "2025-06-03T23:59:59Z" });
    expect((await oncalls()).map((r) => [r.level, r.user])).toEqual([
      [1, "B"],
      [2, "D"],
    ]);
    await control(sim, "/clock", { advance: 1 });
    expect((await oncalls()).map((r) => [r.level, r.user])).toEqual([
      [1, "C"],
      [2, "D"],
    ]);
    await control(sim, "/clock", { advance: "PT13H" }); // 06-04 13:00Z = 09:00 EDT
    expect((await oncalls()).map((r) => [r.level, r.user, r.start])).toEqual([
      [1, "C", "2025-06-04T00:00:00Z"],
      [2, "D", null],
      [3, "A", "2025-06-04T13:00:00Z"],
    ]);
    await control(sim, "/clock", { advance: "P6D" }); // Tue 06-10 13:00Z: C's day (A, B, C from 06-02), B's office-hours week
    expect((await oncalls()).map((r) => [r.level, r.user])).toEqual([
      [1, "C"],
      [2, "D"],
      [3, "B"],
    ]);
  });

  it("an override takes the on-call for its span; /__sim/state counts on-calls now like /oncalls?earliest=true", async () => {
    const created = await pd(sim, `/schedules/${k.daily.id}/overrides`, {
      method: "POST",
      body: { overrides: [{ start: "2025-06-03T10:00:00Z", end: "2025-06-03T14:00:00Z", user: { id: k.users.D, type: "user_reference" } }] },
    });
    expect(created.body[0].status).toBe(201);
    expect((await oncalls()).filter((r) => r.level === 1)).toEqual([{ level: 1, user: "D", schedule: "daily", start: "2025-06-03T10:00:00Z", end: "2025-06-03T14:00:00Z" }]);
    await control(sim, "/clock", { set: "2025-06-03T14:00:00Z" });
    expect((await oncalls()).filter((r) => r.level === 1)).toEqual([{ level: 1, user: "B", schedule: "daily", start: "2025-06-03T14:00:00Z", end: "2025-06-04T00:00:00Z" }]);

    let listed = 0;
    for (let offset = 0, more = true; more; offset += 100) {
      const page = await pd(sim, `/oncalls?earliest=true&limit=100&offset=${offset}`);
      listed += page.body.oncalls.length;
      more = page.body.more;
    }
    expect((await control(sim, "/state")).body.oncallsNow).toBe(listed);
  });
});
