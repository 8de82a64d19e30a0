/**
 * Coverage safety, from PagerDuty's own on-calls: each scenario is built in the simulator (a team, a schedule
 * rotating two people in 24-hour turns, the team's escalation policy targeting that schedule), then a real
 * sync reads GET /schedules, /escalation_policies and /oncalls into the synced model the check uses.
 * Removing the person on call now warns; a person chooses "after their shift" (SCHEDULED, applied when the
 * shift ends on the simulator's clock) or "now" with a recorded reason; automation waits for the shift end.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { configurePipeline, CoverageDecisionNeeded, sweepChanges } from "@/lib/changes";
import type { Db } from "@/lib/db";
import type { Worker } from "@/lib/jobs";
import { RateBudget } from "@/lib/pagerduty";
import { runSync } from "@/lib/sync/run";
import type { RunningSimulator } from "@/simulator";
import { startTestSimulator } from "../simulator/support/simulator";
import { createTestDb, type TestDb } from "../support/db";
import { adminCause, changeWorker, connectTo, FAST_PIPELINE, memberRecords, requestChanges, settled, sleep, stopPipelineHarness, system } from "./support";

let sim: RunningSimulator;
let t: TestDb;
let db: Db;
let worker: Worker;
let connectionId: string;
const HOUR = 3_600_000;
const person = { type: "person" as const, id: "p-coverage", label: "lead@example.test" };
/** The simulated "now" every test starts from (real time, so the sync's on-call window covers it). */
let T0: number;

interface Scenario {
  teamId: string;
  /** On call now, alone at level 1, until `end`. */
  userId: string;
  /** Takes over at `end`. */
  nextId: string;
  policyName: string;
  end: Date;
}
const scenarios: Record<"ask" | "now" | "afterShift" | "automation", Scenario> = {} as never;
let soleLayerUserId: string;

function newUser(label: string): string {
  const template = sim.state.usersOrdered().find((u) => u.role === "user")!;
  const id = sim.state.ids.next();
  sim.state.seedUser({ ...template, id, name: `Coverage ${label}`, email: `coverage.${label}.${id.toLowerCase()}@example.test`, createdAt: new Date(T0 - 30 * 24 * HOUR).toISOString() });
  return id;
}

/** A team whose policy's level 1 is a schedule rotating `userId` and `nextId` daily; `userId`'s turn ends `hoursLeft` after T0. */
function buildScenario(label: string, hoursLeft: number): Scenario {
  const s = sim.state;
  const [userId, nextId] = [newUser(`${label}-a`), newUser(`${label}-b`)];
  const teamId = s.ids.next();
  s.seedTeam({ id: teamId, name: `Coverage ${label}`, description: null, default_role: "manager", createdAt: new Date(T0 - 30 * 24 * HOUR).toISOString() });
  for (const u of [userId, nextId]) s.seedMembership({ teamId, userId: u, role: "responder" });
  const scheduleId = s.ids.next();
  const end = new Date(T0 + hoursLeft * HOUR);
  s.data.schedules.set(scheduleId, {
    id: scheduleId,
    name: `Coverage ${label} rota`,
    description: null,
    time_zone: "UTC",
    layers: [
      {
        id: s.ids.next(),
        name: "Daily",
        start: new Date(T0 - 14 * 24 * HOUR).toISOString(),
        end: null,
        rotation_virtual_start: new Date(end.getTime() - 24 * HOUR).toISOString(),
        rotation_turn_length_seconds: 24 * 3600,
        users: [userId, nextId],
        restrictions: [],
      },
    ],
    overrides: [],
    teamIds: [teamId],
  });
  const policyName = `Coverage ${label} on-call`;
  s.seedPolicy({ id: s.ids.next(), name: policyName, description: null, num_loops: 0, on_call_handoff_notifications: "if_has_services", rules: [{ id: s.ids.next(), escalation_delay_in_minutes: 30, targets: [{ type: "schedule_reference", id: scheduleId }] }], teamId });
  s.touch();
  return { teamId, userId, nextId, policyName, end };
}

beforeAll(async () => {
  sim = await startTestSimulator({ rateLimitPerMinute: 0, size: { users: 50, teams: 8, schedules: 6, escalationPolicies: 5 } });
  T0 = Math.floor(Date.now() / 60_000) * 60_000;
  sim.clock.freeze(T0);
  scenarios.ask = buildScenario("ask", 8);
  scenarios.now = buildScenario("now", 8);
  scenarios.afterShift = buildScenario("after", 8);
  scenarios.automation = buildScenario("auto", 3);
  // The only person on a schedule's layer (a schedule no policy uses: no shift to wait for).
  soleLayerUserId = newUser("solo");
  const scheduleId = sim.state.ids.next();
  sim.state.data.schedules.set(scheduleId, {
    id: scheduleId,
    name: "Database nights",
    description: null,
    time_zone: "UTC",
    layers: [{ id: sim.state.ids.next(), name: "Nights", start: new Date(T0 - 24 * HOUR).toISOString(), end: null, rotation_virtual_start: new Date(T0 - 24 * HOUR).toISOString(), rotation_turn_length_seconds: 7 * 24 * 3600, users: [soleLayerUserId], restrictions: [] }],
    overrides: [],
    teamIds: [],
  });
  sim.state.touch();

  t = await createTestDb();
  db = t.prisma;
  connectionId = (await connectTo(db, sim)).id;
  const synced = await runSync(db, connectionId, { kind: "FULL", trigger: "MANUAL", progressThrottleMs: 0, tuning: { timeoutMs: 5_000, retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 50 }, budget: new RateBudget({ limit: 100_000 }) } });
  expect(synced.status).toBe("SUCCEEDED");
  configurePipeline({ ...FAST_PIPELINE, now: () => sim.clock.now() });
  worker = changeWorker(db);
});
afterAll(() => stopPipelineHarness({ worker, t, sim }));
beforeEach(() => sim.clock.freeze(T0));

const removal = (s: Scenario) => ({ kind: "team_member_remove" as const, teamId: s.teamId, userId: s.userId });

describe("coverage safety", () => {
  it("the sync read the rota from PagerDuty: the person is on call alone now, the other takes over at the shift's end", async () => {
    const s = scenarios.ask;
    const shifts = await db.pdOncallShift.findMany({ where: { connectionId, userPdId: { in: [s.userId, s.nextId] }, removedAt: null }, orderBy: { start: "asc" } });
    expect(shifts[0]).toMatchObject({ userPdId: s.userId, escalationLevel: 1, end: s.end });
    expect(shifts[1]).toMatchObject({ userPdId: s.nextId, start: s.end });
  });

  it("warns a person about the only on-call and writes nothing until they choose", async () => {
    const s = scenarios.ask;
    const before = await db.changeRequest.count();
    const attempt = requestChanges(db, { connectionId, cause: adminCause(), requestedBy: person, changes: [{ spec: removal(s) }] });
    await expect(attempt).rejects.toBeInstanceOf(CoverageDecisionNeeded);
    await expect(attempt).rejects.toThrow(new RegExp(`only on-call at level 1 of ${s.policyName} now until ${s.end.toISOString()}`));
    await expect(attempt).rejects.toThrow(/apply after their current shift.*or "apply now" with a reason/);
    expect(await db.changeRequest.count()).toBe(before);
    // The colleague's turn starts at the shift's end, within the 24-hour horizon: a gap then, named as such.
    await expect(requestChanges(db, { connectionId, cause: adminCause(), requestedBy: person, changes: [{ spec: { kind: "team_member_remove", teamId: s.teamId, userId: s.nextId } }] })).rejects.toThrow(
      new RegExp(`only on-call at level 1 of ${s.policyName} from ${s.end.toISOString()}`),
    );
  });

  it("'apply now' records the reason and applies at once", async () => {
    const s = scenarios.now;
    const created = await requestChanges(db, { connectionId, cause: adminCause(), requestedBy: person, changes: [{ spec: removal(s), coverage: { mode: "now", reason: "Leaver: access must end today" } }] });
    const [row] = await settled(db, [created.changes[0]!.id]);
    expect(row).toMatchObject({ status: "VERIFIED", overrideReason: "Leaver: access must end today" });
    expect(row!.coverageWarning).toMatchObject({ shiftEnd: s.end.toISOString() });
    expect(sim.state.membership(s.teamId, s.userId)).toBeUndefined();
    expect(await db.auditEvent.findFirst({ where: { action: "change.requested", targetId: created.batchId } })).toMatchObject({ reason: "Leaver: access must end today" });
  });

  it("'after their shift' waits until the shift ends on the simulated clock, then applies once", async () => {
    const s = scenarios.afterShift;
    const created = await requestChanges(db, { connectionId, cause: adminCause(), requestedBy: person, changes: [{ spec: removal(s), coverage: { mode: "after_shift" } }] });
    const id = created.changes[0]!.id;
    expect(created.changes[0]!.status).toBe("SCHEDULED");
    expect((await db.changeRequest.findUniqueOrThrow({ where: { id } })).runAt?.toISOString()).toBe(s.end.toISOString());

    sim.clock.advance(7 * HOUR); // an hour before the shift ends
    expect(await db.$transaction((tx) => sweepChanges(tx, new Date(sim.clock.now())))).toBe(0);
    await sleep(300);
    expect((await db.changeRequest.findUniqueOrThrow({ where: { id } })).status).toBe("SCHEDULED");
    expect(sim.state.membership(s.teamId, s.userId)).toBeDefined();

    sim.clock.advance(HOUR); // the shift's end
    expect(await db.$transaction((tx) => sweepChanges(tx, new Date(sim.clock.now())))).toBe(1);
    const [row] = await settled(db, [id]);
    expect(row!.status).toBe("VERIFIED");
    expect(sim.state.membership(s.teamId, s.userId)).toBeUndefined();
    const records = memberRecords(sim.state, s.teamId, s.userId);
    expect(records).toHaveLength(1);
    expect(Date.parse(records[0]!.execution_time)).toBeGreaterThanOrEqual(s.end.getTime());
  });

  it("automation without a decision schedules the removal after the shift by itself", async () => {
    const s = scenarios.automation;
    const created = await requestChanges(db, { connectionId, cause: { kind: "expiry", id: randomUUID() }, requestedBy: system, changes: [{ spec: removal(s) }] });
    expect(created.changes[0]).toMatchObject({ status: "SCHEDULED", coverageWarning: { shiftEnd: s.end.toISOString() } });
  });

  it("warns about the only person on a schedule layer, where there is no shift end to wait for", async () => {
    await expect(requestChanges(db, { connectionId, cause: adminCause(), requestedBy: person, changes: [{ spec: { kind: "user_delete", userId: soleLayerUserId } }] })).rejects.toThrow(
      /only person on layer Nights of schedule Database nights.*not possible: no shift end/,
    );
    await expect(
      requestChanges(db, { connectionId, cause: adminCause(), requestedBy: person, changes: [{ spec: { kind: "user_delete", userId: soleLayerUserId }, coverage: { mode: "after_shift" } }] }),
    ).rejects.toThrow(/There is no shift end to wait for/);
  });
});
