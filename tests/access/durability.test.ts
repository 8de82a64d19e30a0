/**
 * Durability of just-in-time access on a simulated clock: an expiry that fell due while the worker was
 * down is applied by the next worker at start; an undecided request times out (and cannot be approved
 * after); an unanswered request reminds its approvers, then escalates to the fallback approver, who may
 * decide it only from then on; a removal that would leave an on-call shift uncovered waits for the shift's
 * end (the pipeline's coverage rule); a granted membership removed in PagerDuty shows as drift.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "@/lib/access/jobs";
import { decideRequest } from "@/lib/access/decide";
import { createRequest } from "@/lib/access/requests";
import { createRequestInput } from "@/lib/access/schemas";
import { ACCESS_TICK_JOB, accessTick } from "@/lib/access/tick";
import { cancelChange, configurePipeline, sweepChanges } from "@/lib/changes";
import { APPLY_CHANGE_JOB } from "@/lib/changes/queue";
import type { Actor } from "@/lib/auth/session";
import { Worker } from "@/lib/jobs";
import { RateBudget } from "@/lib/pagerduty";
import { runSync } from "@/lib/sync/run";
import { changeWorker, FAST_PIPELINE } from "../changes/support";
import { control } from "../simulator/support/simulator";
import { actorOf, namedApprovers, newTeam, pdUsers, person, personOfPdUser, snapshot, startAccessWorld, stopAccessWorld, teamItem, tickUntil, untilStatus, type AccessWorld } from "./support";

let w: AccessWorld;
let approver: Actor;
beforeAll(async () => {
  w = await startAccessWorld();
  approver = actorOf(await person(w.db, { label: "approver" }));
});
afterAll(() => stopAccessWorld(w));

const MIN = 60_000;
const history = async (id: string) => (await w.db.accessRequestEvent.findMany({ where: { requestId: id }, orderBy: { seq: "asc" } })).map((e) => e.kind);

/** A member of nothing on a new team, a catalog item for it, and the requester's portal person. */
async function setup(role: "manager" | "responder" | "observer" = "responder", rules = {}) {
  const [userId] = pdUsers(w, 1);
  const teamId = await newTeam(w);
  const item = await teamItem(w, teamId, role, { ...namedApprovers([approver.personId]), ...rules });
  return { userId: userId!, teamId, ...item, requester: await personOfPdUser(w, userId!) };
}

async function granted(requester: Actor, itemId: string, minutes: number) {
  const { requestId } = await createRequest(w.db, requester, createRequestInput.parse({ itemId, durationMinutes: minutes, reason: "incident cover" }));
  expect((await decideRequest(w.db, approver, { requestId, decision: "approve", comment: "" })).status).toBe("approved");
  return (await untilStatus(w, requestId, "ACTIVE")).id;
}

describe("durability", () => {
  it("an expiry that fell due while the worker was down is applied by the next worker when it starts", async () => {
    const { userId, teamId, itemId, requester } = await setup();
    const id = await granted(requester, itemId, 60);
    expect(w.sim.state.membership(teamId, userId)).toBeDefined();

    await w.worker.stop({ timeoutMs: 5_000 }); // the portal goes down
    w.clock.advance(3 * 60 * MIN); // and stays down past the expiry
    expect((await w.db.accessRequest.findUniqueOrThrow({ where: { id } })).status).toBe("ACTIVE");

    // A new worker with its schedules: the access tick runs at start and on every beat, on the portal's clock.
    const restarted = new Worker({ db: w.db, pollMs: 20, leaseMs: 5_000, schedules: true, names: [APPLY_CHANGE_JOB, ACCESS_TICK_JOB], log: () => {} }).start();
    try {
      const { waitFor } = await import("../jobs/support");
      const ended = await waitFor(async () => {
        const r = await w.db.accessRequest.findUniqueOrThrow({ where: { id } });
        return r.status === "ENDED" ? r : null;
      }, 60_000, 100);
      expect(ended.endReason).toBe("EXPIRED");
      expect(w.sim.state.membership(teamId, userId)).toBeUndefined();
      expect(await history(id)).toEqual(expect.arrayContaining(["end_requested", "end_verified"]));
    } finally {
      await restarted.stop({ timeoutMs: 5_000 });
      w.worker = changeWorker(w.db); // back to the plain change worker (the ticks below are explicit)
    }
  });

  it("an undecided request times out on the clock, and is no longer approvable", async () => {
    const { itemId, requester } = await setup("observer", { pendingTimeoutMinutes: 120, remindAfterMinutes: 30, escalateAfterMinutes: 60 });
    const { requestId } = await createRequest(w.db, requester, createRequestInput.parse({ itemId, durationMinutes: 60, reason: "debugging" }));
    w.clock.advance(121 * MIN);
    // Before the tick has noticed: the deadline alone refuses the decision.
    let before = await snapshot(w);
    await expect(decideRequest(w.db, approver, { requestId, decision: "approve", comment: "" })).rejects.toThrow(/expired undecided at .*Nothing was changed/);
    expect(await snapshot(w)).toEqual(before);

    const r = await untilStatus(w, requestId, "TIMED_OUT");
    expect(r.decisionBasis).toBe("SYSTEM");
    expect(await history(requestId)).toContain("timed_out");
    expect(await w.db.notification.count({ where: { personId: requester.personId, kind: "access_request.timed_out", subjectId: requestId } })).toBe(1);
    before = await snapshot(w);
    await expect(decideRequest(w.db, approver, { requestId, decision: "approve", comment: "" })).rejects.toThrow(/no longer waiting for a decision \(it is timed_out\)/);
    expect(await snapshot(w)).toEqual(before);
  });

  it("an unanswered request reminds its approvers, then escalates to the fallback approver, who may then decide it", async () => {
    const { itemId, requester, fallback } = await setup("observer", { pendingTimeoutMinutes: 240, remindAfterMinutes: 30, escalateAfterMinutes: 90 });
    const { requestId } = await createRequest(w.db, requester, createRequestInput.parse({ itemId, durationMinutes: 60, reason: "a customer escalation" }));
    const notes = (personId: string, kind: string) => w.db.notification.count({ where: { personId, kind, subjectId: requestId } });
    const fallbackRefused = async () => {
      const before = await snapshot(w);
      await expect(decideRequest(w.db, fallback, { requestId, decision: "approve", comment: "" })).rejects.toThrow(/not an approver of this request/);
      expect(await snapshot(w)).toEqual(before);
    };

    w.clock.advance(29 * MIN);
    await accessTick(w.db, new Date(w.clock.now));
    expect(await notes(approver.personId, "access_request.reminder")).toBe(0);
    await fallbackRefused();

    w.clock.advance(2 * MIN);
    expect((await accessTick(w.db, new Date(w.clock.now))).reminded).toBe(1);
    expect(await notes(approver.personId, "access_request.reminder")).toBe(1);
    expect(await history(requestId)).toContain("reminded");
    expect((await accessTick(w.db, new Date(w.clock.now))).reminded).toBe(0); // once
    await fallbackRefused();

    w.clock.advance(60 * MIN);
    expect((await accessTick(w.db, new Date(w.clock.now))).escalated).toBe(1);
    expect(await notes(fallback.personId, "access_request.escalated")).toBe(1);
    expect(await history(requestId)).toContain("escalated");
    const decided = await decideRequest(w.db, fallback, { requestId, decision: "approve", comment: "covering for the team" });
    expect(decided.status).toBe("approved");
    expect(await w.db.accessRequestApproval.findFirstOrThrow({ where: { requestId } })).toMatchObject({ approverId: fallback.personId, approverRight: "fallback" });
  });

  it("a removal that would leave an on-call shift uncovered is scheduled after the shift", async () => {
    configurePipeline({ ...FAST_PIPELINE, now: () => w.clock.now });
    try {
      const { userId, teamId, itemId, requester } = await setup("manager");
      const id = await granted(requester, itemId, 60);
      // The next sync finds the requester the only on-call of the team's escalation policy, until 3 h from now.
      const at = new Date(w.clock.now);
      const shiftEnd = new Date(w.clock.now + 180 * MIN);
      const policyId = `P${randomUUID().slice(0, 6).toUpperCase()}`;
      await w.db.pdEscalationPolicy.create({ data: { connectionId: w.connectionId, pdId: policyId, name: "Team on-call", teamPdId: teamId, firstSeenAt: at, lastSeenAt: at } });
      await w.db.pdOncallShift.create({
        data: { connectionId: w.connectionId, shiftKey: `${policyId}|1|${userId}`, userPdId: userId, escalationPolicyPdId: policyId, escalationLevel: 1, start: new Date(w.clock.now - 60 * MIN), end: shiftEnd, firstSeenAt: at, lastSeenAt: at },
      });

      w.clock.advance(61 * MIN);
      const ending = await untilStatus(w, id, "ENDING");
      const change = await w.db.changeRequest.findUniqueOrThrow({ where: { id: ending.endChangeId! } });
      expect(change).toMatchObject({ status: "SCHEDULED", runAt: shiftEnd });
      const events = await w.db.accessRequestEvent.findMany({ where: { requestId: id, kind: "end_requested" } });
      expect(events[0]!.message).toMatch(/scheduled after the current on-call shift/);
      expect(w.sim.state.membership(teamId, userId)?.role).toBe("manager");

      w.clock.set(shiftEnd.getTime() - MIN);
      expect(await w.db.$transaction((tx) => sweepChanges(tx, new Date(w.clock.now)))).toBe(0);
      await accessTick(w.db, new Date(w.clock.now));
      expect((await w.db.accessRequest.findUniqueOrThrow({ where: { id } })).status).toBe("ENDING");

      w.clock.set(shiftEnd.getTime());
      expect(await w.db.$transaction((tx) => sweepChanges(tx, new Date(w.clock.now)))).toBe(1);
      await untilStatus(w, id, "ENDED");
      expect(w.sim.state.membership(teamId, userId)).toBeUndefined();
    } finally {
      configurePipeline(FAST_PIPELINE);
    }
  });

  it("an end whose change is cancelled in the queue says so on the request, once, and stays ENDING", async () => {
    const { userId, teamId, itemId, requester } = await setup("observer");
    const id = await granted(requester, itemId, 30);
    await w.worker.stop({ timeoutMs: 5_000 }); // the end's change waits in the queue
    try {
      w.clock.advance(31 * MIN);
      const ending = await untilStatus(w, id, "ENDING");
      await cancelChange(w.db, w.admin, { changeId: ending.endChangeId!, reason: "keep them on the team for now" });
      await accessTick(w.db, new Date(w.clock.now));
      await accessTick(w.db, new Date(w.clock.now));
      const failed = await w.db.accessRequestEvent.findMany({ where: { requestId: id, kind: "end_failed" } });
      expect(failed).toHaveLength(1);
      expect(failed[0]!.message).toMatch(/was cancelled in the change queue\. PagerDuty still shows the access/);
      expect(await w.db.auditEvent.count({ where: { action: "access_request.end_failed", targetId: id } })).toBe(1);
      expect((await w.db.accessRequest.findUniqueOrThrow({ where: { id } })).status).toBe("ENDING");
      expect(w.sim.state.membership(teamId, userId)?.role).toBe("observer");
    } finally {
      w.worker = changeWorker(w.db);
    }
  });

  it("a granted membership removed in PagerDuty shows as drift on the request, once", async () => {
    const sync = async () => {
      const synced = await runSync(w.db, w.connectionId, { kind: "FULL", trigger: "MANUAL", progressThrottleMs: 0, tuning: { timeoutMs: 5_000, retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 50 }, budget: new RateBudget({ limit: 100_000 }) } });
      expect(synced.status, synced.error ?? "").toBe("SUCCEEDED");
    };
    await sync(); // the baseline: from now on a sync reports what went away
    const { userId, teamId, itemId, requester } = await setup("responder");
    const id = await granted(requester, itemId, 240);
    await sync();
    await accessTick(w.db, new Date(w.clock.now));
    expect(await history(id)).not.toContain("drift");
    await control(w.sim, "/edits", { kind: "remove_member", teamId, userId });
    await sync();
    const drift = await tickUntil(w, () => w.db.accessRequestEvent.findFirst({ where: { requestId: id, kind: "drift" } }));
    expect(drift.message).toMatch(/Drift: PagerDuty no longer shows this access \(gone at the sync of /);
    expect(await w.db.auditEvent.count({ where: { action: "access_request.drift", targetId: id } })).toBe(1);
    await accessTick(w.db, new Date(w.clock.now));
    expect((await history(id)).filter((k) => k === "drift")).toHaveLength(1);
    expect((await w.db.accessRequest.findUniqueOrThrow({ where: { id } })).status).toBe("ACTIVE");
  });
});
