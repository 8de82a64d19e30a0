/**
 * Fencing: every write of a change's outcome is fenced by the attempt that claimed it. A stale attempt — its
 * lease lost while it was stuck on a request, without noticing (no abort reached it) — must never overwrite
 * what a newer attempt recorded: not FAILED over VERIFIED, not its error over a clean outcome, not a
 * verification of its own.
 *
 * The stale attempt's PagerDuty requests go through a gate the test opens (no timing involved): attempt A
 * claims the change and sends its request, which the gate holds; attempt B claims the change, applies and
 * verifies it; then the gate answers A's request, and A carries on as if nothing had happened.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ChangeTakenOverError, configurePipeline, runChange } from "@/lib/changes";
import type { Db } from "@/lib/db";
import type { RunningSimulator } from "@/simulator";
import { startTestSimulator } from "../simulator/support/simulator";
import { createTestDb, type TestDb } from "../support/db";
import { adminCause, connectTo, FAST_PIPELINE, mirrorOrganisation, requestChanges, system, waitFor } from "./support";

let sim: RunningSimulator;
let t: TestDb;
let db: Db;
let connectionId: string;

beforeAll(async () => {
  sim = await startTestSimulator({ rateLimitPerMinute: 0 });
  t = await createTestDb();
  db = t.prisma;
  connectionId = (await connectTo(db, sim)).id;
  await mirrorOrganisation(db, connectionId, sim.state);
});
afterEach(() => configurePipeline({}));
afterAll(async () => {
  configurePipeline({});
  await t?.close();
  await sim?.close();
});

/**
 * A fetch that holds the first request matching `match` until `open(answer)`: the answer is either PagerDuty's
 * real one (forwarded then) or a made-up status. Everything else goes straight through.
 */
function gate(match: (method: string, url: URL) => boolean) {
  let held: { resolve: (r: Response) => void; input: Parameters<typeof fetch> } | undefined;
  let used = false;
  const fetchThrough: typeof fetch = (input, init) => {
    const url = new URL(String(input instanceof Request ? input.url : input));
    const method = init?.method ?? "GET";
    if (!used && match(method, url)) {
      used = true;
      return new Promise<Response>((resolve) => (held = { resolve, input: [input, init] }));
    }
    return fetch(input, init);
  };
  return {
    fetch: fetchThrough,
    isHolding: () => held !== undefined,
    async open(answer: "forward" | number) {
      const h = held!;
      if (answer === "forward") h.resolve(await fetch(...h.input));
      else h.resolve(new Response(JSON.stringify({ error: { message: `held answer ${answer}`, code: 2001 } }), { status: answer, headers: { "content-type": "application/json" } }));
    },
  };
}

/** A membership change for a user not yet on the team, in its own transaction as a cause would create it. */
async function newMembershipChange() {
  const team = sim.state.teamsOrdered()[0]!;
  const user = sim.state.usersOrdered().find((u) => !u.role.startsWith("read_only") && !sim.state.membership(team.id, u.id) && !used.has(u.id))!;
  used.add(user.id);
  const created = await requestChanges(db, { connectionId, cause: adminCause(), requestedBy: system, changes: [{ spec: { kind: "team_member_put", teamId: team.id, userId: user.id, role: "responder" } }] });
  return { id: created.changes[0]!.id, teamId: team.id, userId: user.id };
}
const used = new Set<string>();

async function history(id: string) {
  const change = await db.changeRequest.findUniqueOrThrow({ where: { id } });
  const events = await db.changeEvent.findMany({ where: { changeId: id }, orderBy: { at: "asc" } });
  const audits = await db.auditEvent.findMany({ where: { targetId: id }, orderBy: { seq: "asc" } });
  return { change, events: events.map((e) => `${e.from ?? "-"}→${e.to}`), audits: audits.map((a) => a.action) };
}

const PUT_MEMBER = (method: string, url: URL) => method === "PUT" && url.pathname.includes("/users/");
const READ_MEMBERS = (method: string, url: URL) => method === "GET" && url.pathname.endsWith("/members");

/**
 * Attempt A (`start`, attempt 1) gets stuck on its gated request; attempt B (attempt 2) then claims the change
 * and runs it to VERIFIED. Returns A's pending result and the change's history as B left it.
 */
async function staleAttemptAfterNewerOne(match: (method: string, url: URL) => boolean, start: (changeId: string) => Promise<unknown>) {
  const g = gate(match);
  configurePipeline({ ...FAST_PIPELINE, applyTries: 1, client: { ...FAST_PIPELINE.client, fetch: g.fetch } });
  const change = await newMembershipChange();
  const stale = start(change.id).then(
    (outcome) => ({ outcome }),
    (error: unknown) => ({ error }),
  );
  await waitFor(async () => g.isHolding());
  expect(await runChange(db, change.id, { attempt: 2, maxAttempts: 8 })).toBe("VERIFIED");
  const before = await history(change.id);
  return { change, g, stale, before };
}

const attempt = (maxAttempts: number) => (changeId: string) => runChange(db, changeId, { attempt: 1, maxAttempts });

describe("a stale attempt cannot overwrite a newer attempt's outcome", () => {
  it("its write failing on its last attempt does not turn VERIFIED into FAILED", async () => {
    const { change, g, stale, before } = await staleAttemptAfterNewerOne(PUT_MEMBER, attempt(1));
    await g.open(503);
    const result = await stale;
    expect(result).toMatchObject({ error: expect.any(ChangeTakenOverError) });
    const after = await history(change.id);
    expect(after).toEqual(before);
    expect(after.change).toMatchObject({ status: "VERIFIED", attempts: 2, lastErrorMessage: null });
    expect(after.audits).toEqual(["change.verified"]);
    expect(sim.state.membership(change.teamId, change.userId)?.role).toBe("responder");
  });

  it("a permanent refusal answered to it is not recorded over the verified change", async () => {
    const { change, g, stale, before } = await staleAttemptAfterNewerOne(PUT_MEMBER, attempt(8));
    await g.open(400);
    expect(await stale).toMatchObject({ error: expect.any(ChangeTakenOverError) });
    expect(await history(change.id)).toEqual(before);
  });

  it("its error before a retry is not written onto the newer attempt's outcome", async () => {
    const { change, g, stale, before } = await staleAttemptAfterNewerOne(PUT_MEMBER, attempt(8));
    await g.open(503); // not its last attempt: it would record the error and leave the retry to the job
    expect(await stale).toMatchObject({ error: expect.any(ChangeTakenOverError) });
    const after = await history(change.id);
    expect(after).toEqual(before);
    expect(after.change.suggestedFix).toBeNull();
  });

  it("its verification, read after the newer attempt settled the change, records nothing", async () => {
    // A applies, then is stuck on its verification read; B claims the applied change and verifies it first.
    const { change, g, stale, before } = await staleAttemptAfterNewerOne(READ_MEMBERS, attempt(8));
    await g.open("forward");
    expect(await stale).toMatchObject({ error: expect.any(ChangeTakenOverError) });
    const after = await history(change.id);
    expect(after).toEqual(before);
    expect(after.audits).toEqual(["change.verified"]);
  });

  it("the job of a stale attempt ends quietly instead of retrying", async () => {
    await import("@/lib/changes/jobs");
    const { jobDefinition } = await import("@/lib/jobs");
    const handler = jobDefinition("changes.apply")!.handler;
    const job = (changeId: string) => handler({ changeId }, { jobId: "stale-job", attempt: 1, maxAttempts: 1, workerId: "stale", db, signal: new AbortController().signal });
    const { g, stale } = await staleAttemptAfterNewerOne(PUT_MEMBER, job);
    await g.open(503);
    expect(await stale).toEqual({ outcome: { outcome: "taken_over" } });
  });
});
