/**
 * A misbehaving PagerDuty: 20% 5xx answers and 429 bursts on every route. Every change still ends VERIFIED,
 * and none is applied twice: the simulator's audit records show one application per change and its stats one
 * successful write per change. In "after" mode the write IS applied and answered 502; the executor reads
 * before writing again, so it does not send it twice.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { configurePipeline } from "@/lib/changes";
import type { Db } from "@/lib/db";
import type { Worker } from "@/lib/jobs";
import type { RunningSimulator } from "@/simulator";
import { control, startTestSimulator } from "../simulator/support/simulator";
import { createTestDb, type TestDb } from "../support/db";
import { adminCause, changeWorker, connectTo, memberRecords, mirrorOrganisation, requestChanges, settled, system } from "./support";

let sim: RunningSimulator;
let t: TestDb;
let db: Db;
let worker: Worker;
let connectionId: string;
const PUT = "PUT /teams/{id}/users/{user_id}";

beforeAll(async () => {
  // A short rate-limit window: a 429 burst makes the client wait for the reset, seconds instead of a minute.
  sim = await startTestSimulator({ rateLimitPerMinute: 100_000, rateLimitWindowMs: 1_000 });
  t = await createTestDb();
  db = t.prisma;
  connectionId = (await connectTo(db, sim)).id;
  await mirrorOrganisation(db, connectionId, sim.state);
  worker = changeWorker(db, { concurrency: 4 });
});
afterAll(async () => {
  await worker?.stop({ timeoutMs: 5_000 });
  configurePipeline({});
  await t?.close();
  await sim?.close();
});
beforeEach(async () => {
  configurePipeline({ verifyDelayMs: 20, applyDelayMs: 50, client: { baseDelayMs: 20 } });
  await control(sim, "/faults", {});
  await control(sim, "/stats/reset", {});
});

const usedPairs = new Set<string>();
/** `n` (team, user) pairs where the user is not yet a member. */
function newMemberships(n: number) {
  const pairs: { teamId: string; userId: string }[] = [];
  for (const team of sim.state.teamsOrdered()) {
    for (const user of sim.state.usersOrdered()) {
      if (pairs.length === n) return pairs;
      const key = `${team.id}:${user.id}`;
      if (user.role.startsWith("read_only") || sim.state.membership(team.id, user.id) || usedPairs.has(key)) continue;
      if (pairs.some((p) => p.userId === user.id)) continue;
      usedPairs.add(key);
      pairs.push({ teamId: team.id, userId: user.id });
    }
  }
  throw new Error("not enough free memberships");
}

async function runBatch(pairs: { teamId: string; userId: string }[]) {
  const created = await requestChanges(db, {
    connectionId,
    cause: adminCause(),
    requestedBy: system,
    changes: pairs.map((p) => ({ spec: { kind: "team_member_put" as const, ...p, role: "responder" as const } })),
  });
  expect(created.held).toBe(false);
  return settled(db, created.changes.map((c) => c.id), 180_000);
}

describe("faults", () => {
  it("20% 5xx and 429 bursts: every change verified, none applied twice", async () => {
    // Below the brake's 10% of the account's users per batch: two batches.
    const pairs = newMemberships(10);
    // Every route: 20% 5xx before the handler, a 429 burst now and then (and one at the start, so there
    // surely is one). The membership PUT: 20% 5xx AFTER the write was applied, the ambiguous case.
    const faults = await control(sim, "/faults", {
      errors: { probability: 0.2, statuses: [500, 502, 503] },
      rateLimit: { burst: 3, probability: 0.05, length: 3 },
      routes: { [PUT]: { errors: { probability: 0.2, statuses: [500, 502, 503], mode: "after" } } },
    });
    expect(faults.status).toBe(200);
    const rows = [...(await runBatch(pairs.slice(0, 5))), ...(await runBatch(pairs.slice(5)))];
    expect(rows.map((r) => r.status)).toEqual(Array(10).fill("VERIFIED"));
    for (const p of pairs) {
      expect(sim.state.membership(p.teamId, p.userId)?.role).toBe("responder");
      expect(memberRecords(sim.state, p.teamId, p.userId)).toHaveLength(2); // one PUT applied: member added + role set
    }
    const { body: stats } = await control(sim, "/stats");
    expect(stats.byStatus["429"]).toBeGreaterThan(0);
    expect((stats.byStatus["500"] ?? 0) + (stats.byStatus["502"] ?? 0) + (stats.byStatus["503"] ?? 0)).toBeGreaterThan(0);
    expect(stats.writes[PUT]).toBe(10); // one applied write per change, whatever the answers were
  });

  it('5xx in "after" mode (applied, then answered 502): verified, and the write is not sent again', async () => {
    const pairs = newMemberships(5);
    await control(sim, "/faults", { routes: { [PUT]: { errors: { probability: 0.5, statuses: [502], mode: "after" } } } });
    const rows = await runBatch(pairs);
    expect(rows.map((r) => r.status)).toEqual(Array(5).fill("VERIFIED"));
    const { body: stats } = await control(sim, "/stats");
    expect(stats.byStatus["502"] ?? 0).toBeGreaterThan(0);
    expect(stats.requests.byRoute[PUT]).toBe(5); // one PUT per change on the wire, even for those answered 502
    expect(stats.writes[PUT]).toBe(5);
    const events = await db.changeEvent.findMany({ where: { changeId: { in: rows.map((r) => r.id) }, to: "APPLIED" } });
    expect(events.filter((e) => e.message?.startsWith("PagerDuty already showed the desired state")).length).toBe(stats.byStatus["502"]);
  });
});
