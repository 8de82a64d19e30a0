/**
 * Coverage safety: removing the only on-call of an escalation level (or the only person on a schedule layer)
 * warns; a person chooses "after their shift" (SCHEDULED, applied when the shift ends on the simulator's
 * clock) or "now" with a recorded reason; automation waits for the shift end by itself.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configurePipeline, CoverageDecisionNeeded, sweepChanges } from "@/lib/changes";
import type { Db } from "@/lib/db";
import type { Worker } from "@/lib/jobs";
import type { RunningSimulator } from "@/simulator";
import { startTestSimulator } from "../simulator/support/simulator";
import { createTestDb, type TestDb } from "../support/db";
import { adminCause, changeWorker, connectTo, memberRecords, mirrorOrganisation, requestChanges, settled, sleep, system } from "./support";

let sim: RunningSimulator;
let t: TestDb;
let db: Db;
let worker: Worker;
let connectionId: string;
const HOUR = 3_600_000;
const person = { type: "person" as const, id: "p-coverage", label: "lead@example.test" };

beforeAll(async () => {
  sim = await startTestSimulator({ rateLimitPerMinute: 0 });
  sim.clock.freeze(Date.parse("2026-11-23T09:00:00Z"));
  t = await createTestDb();
  db = t.prisma;
  connectionId = (await connectTo(db, sim)).id;
  await mirrorOrganisation(db, connectionId, sim.state);
  configurePipeline({ verifyDelayMs: 20, applyDelayMs: 20, client: { baseDelayMs: 20 }, now: () => sim.clock.now() });
  worker = changeWorker(db);
});
afterAll(async () => {
  await worker?.stop({ timeoutMs: 5_000 });
  configurePipeline({});
  await t?.close();
  await sim?.close();
});

/** A member of a team (not a direct policy target, so PagerDuty allows the removal) made the sole on-call of a team policy. */
async function soleOnCall(shiftEndsInHours: number) {
  const team = sim.state.teamsOrdered().find((tm) => sim.state.membersOfTeam(tm.id).length > 2)!;
  const used = new Set((await db.changeRequest.findMany({ select: { userPdId: true } })).map((c) => c.userPdId));
  const member = sim.state.membersOfTeam(team.id).find((m) => !used.has(m.userId) && !sim.state.policiesOfTeam(team.id).some((p) => p.rules.some((r) => r.targets.some((x) => x.id === m.userId))))!;
  const policyId = `PCOV${randomUUID().slice(0, 6)}`;
  const now = sim.clock.now();
  await db.pdEscalationPolicy.create({ data: { connectionId, pdId: policyId, name: `${team.name} On-call`, teamPdId: team.id, firstSeenAt: new Date(now), lastSeenAt: new Date(now) } });
  const start = new Date(now - 2 * HOUR);
  const end = new Date(now + shiftEndsInHours * HOUR);
  await db.pdOncallShift.create({
    data: { connectionId, shiftKey: `${policyId}|1|S|${member.userId}`, userPdId: member.userId, schedulePdId: null, escalationPolicyPdId: policyId, escalationLevel: 1, start, end, firstSeenAt: start, lastSeenAt: start },
  });
  return { teamId: team.id, userId: member.userId, policyName: `${team.name} On-call`, end };
}

describe("coverage safety", () => {
  it("warns a person about the only on-call and writes nothing until they choose", async () => {
    const sole = await soleOnCall(8);
    const before = await db.changeRequest.count();
    const attempt = requestChanges(db, { connectionId, cause: adminCause(), requestedBy: person, changes: [{ spec: { kind: "team_member_remove", teamId: sole.teamId, userId: sole.userId } }] });
    await expect(attempt).rejects.toBeInstanceOf(CoverageDecisionNeeded);
    await expect(attempt).rejects.toThrow(new RegExp(`only on-call at level 1 of ${sole.policyName} now until ${sole.end.toISOString()}`));
    await expect(attempt).rejects.toThrow(/apply after their current shift.*or "apply now" with a reason/);
    expect(await db.changeRequest.count()).toBe(before);
  });

  it("'apply now' records the reason and applies at once", async () => {
    const sole = await soleOnCall(8);
    const created = await requestChanges(db, {
      connectionId,
      cause: adminCause(),
      requestedBy: person,
      changes: [{ spec: { kind: "team_member_remove", teamId: sole.teamId, userId: sole.userId }, coverage: { mode: "now", reason: "Leaver: access must end today" } }],
    });
    const [row] = await settled(db, [created.changes[0]!.id]);
    expect(row).toMatchObject({ status: "VERIFIED", overrideReason: "Leaver: access must end today" });
    expect(row!.coverageWarning).toMatchObject({ shiftEnd: sole.end.toISOString() });
    expect(await db.auditEvent.findFirst({ where: { action: "change.requested", targetId: created.batchId } })).toMatchObject({ reason: "Leaver: access must end today" });
  });

  it("'after their shift' waits until the shift ends on the simulated clock, then applies once", async () => {
    const sole = await soleOnCall(8);
    const created = await requestChanges(db, {
      connectionId,
      cause: adminCause(),
      requestedBy: person,
      changes: [{ spec: { kind: "team_member_remove", teamId: sole.teamId, userId: sole.userId }, coverage: { mode: "after_shift" } }],
    });
    const id = created.changes[0]!.id;
    expect(created.changes[0]!.status).toBe("SCHEDULED");
    expect((await db.changeRequest.findUniqueOrThrow({ where: { id } })).runAt?.toISOString()).toBe(sole.end.toISOString());

    sim.clock.advance(7 * HOUR); // an hour before the shift ends
    expect(await db.$transaction((tx) => sweepChanges(tx, new Date(sim.clock.now())))).toBe(0);
    await sleep(300);
    expect((await db.changeRequest.findUniqueOrThrow({ where: { id } })).status).toBe("SCHEDULED");
    expect(sim.state.membership(sole.teamId, sole.userId)).toBeDefined();

    sim.clock.advance(HOUR); // the shift's end
    expect(await db.$transaction((tx) => sweepChanges(tx, new Date(sim.clock.now())))).toBe(1);
    const [row] = await settled(db, [id]);
    expect(row!.status).toBe("VERIFIED");
    expect(sim.state.membership(sole.teamId, sole.userId)).toBeUndefined();
    const records = memberRecords(sim.state, sole.teamId, sole.userId);
    expect(records).toHaveLength(1);
    expect(Date.parse(records[0]!.execution_time)).toBeGreaterThanOrEqual(sole.end.getTime());
  });

  it("automation without a decision schedules the removal after the shift by itself", async () => {
    const sole = await soleOnCall(3);
    const created = await requestChanges(db, { connectionId, cause: { kind: "expiry", id: randomUUID() }, requestedBy: system, changes: [{ spec: { kind: "team_member_remove", teamId: sole.teamId, userId: sole.userId } }] });
    expect(created.changes[0]).toMatchObject({ status: "SCHEDULED", coverageWarning: { shiftEnd: sole.end.toISOString() } });
  });

  it("warns about the only person on a schedule layer", async () => {
    const user = sim.state.usersOrdered().find((u) => u.role === "user")!;
    const at = new Date();
    await db.pdSchedule.create({ data: { connectionId, pdId: "PSOLO01", name: "Database nights", firstSeenAt: at, lastSeenAt: at } });
    await db.pdScheduleLayerMember.create({ data: { connectionId, schedulePdId: "PSOLO01", layerId: "L1", layerName: "Nights", position: 0, userPdId: user.id, firstSeenAt: at, lastSeenAt: at } });
    await expect(requestChanges(db, { connectionId, cause: adminCause(), requestedBy: person, changes: [{ spec: { kind: "user_delete", userId: user.id } }] })).rejects.toThrow(
      /only person on layer Nights of schedule Database nights.*not possible: no shift end/,
    );
  });
});
