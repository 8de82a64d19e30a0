import { describe, expect, it } from "vitest";
import { z } from "zod";
import { enqueue, PermanentJobError, registerJob, retryDelayMs } from "@/lib/jobs";
import { dbNow, jobStatus, sleep, setupJobsDb, waitFor, waitForOutcome } from "./support";


const { db, start } = setupJobsDb();

describe("enqueue and run", () => {
  it("runs a job once and stores its result; the job commits or rolls back with its cause", async () => {
    const seen: { payload: unknown; attempt: number }[] = [];
    registerJob("test.double", async (payload: { n: number }, ctx) => {
      seen.push({ payload, attempt: ctx.attempt });
      return { doubled: payload.n * 2, big: 10n };
    });

    const { id } = await db().$transaction(async (tx) => {
      await tx.person.create({ data: { email: "cause@example.com", name: "Cause" } });
      return enqueue(tx, "test.double", { n: 21 });
    });
    await expect(
      db().$transaction(async (tx) => {
        await enqueue(tx, "test.double", { n: 99 });
        throw new Error("the cause failed");
      }),
    ).rejects.toThrow("the cause failed");

    start();
    const job = await waitForOutcome(db(), id);
    expect(job).toMatchObject({ status: "SUCCEEDED", attempts: 1, result: { doubled: 42, big: "10" }, lockedBy: null, lockedUntil: null });
    expect(job.finishedAt).toBeInstanceOf(Date);
    expect(seen).toEqual([{ payload: { n: 21 }, attempt: 1 }]);
    expect(await db().job.count({ where: { name: "test.double" } })).toBe(1); // the rolled-back one never existed
  });

  it("does not run a job before its runAt", async () => {
    registerJob("test.later", async () => "ran");
    const runAt = new Date((await dbNow(db())).getTime() + 1_500);
    const { id } = await enqueue(db(), "test.later", {}, { runAt });
    start();
    await sleep(200);
    // Judged on the database clock, which decides when a job is due: while it is before runAt, still queued.
    const [early] = await db().$queryRaw<{ status: string; due: boolean }[]>`SELECT "status"::text AS status, "runAt" <= clock_timestamp() AS due FROM "Job" WHERE "id" = ${id}`;
    if (!early!.due) expect(early!.status).toBe("QUEUED");
    const job = await waitForOutcome(db(), id);
    expect(job.startedAt!.getTime()).toBeGreaterThanOrEqual(runAt.getTime());
  });
});

describe("retries", () => {
  it("computes exponential backoff with jitter, capped", () => {
    const policy = { baseMs: 1000, maxMs: 10_000 };
    expect([1, 2, 3, 4, 5].map((a) => retryDelayMs(a, policy, () => 0))).toEqual([500, 1000, 2000, 4000, 5000]);
    expect([1, 2, 3, 4, 5].map((a) => retryDelayMs(a, policy, () => 1))).toEqual([1000, 2000, 4000, 8000, 10_000]);
  });

  it("retries with backoff, then succeeds", async () => {
    const attempts: number[] = [];
    const seenBetween: (string | null)[] = [];
    registerJob(
      "test.flaky",
      async (_p, ctx) => {
        attempts.push(Date.now());
        // What the previous attempt left: its error, recorded when it was queued again.
        if (ctx.attempt > 1) seenBetween.push((await jobStatus(ctx.db, ctx.jobId)).lastError);
        if (ctx.attempt < 3) throw new Error(`flaky failure #${ctx.attempt}`);
        return "third time lucky";
      },
      { maxAttempts: 5, backoff: { baseMs: 1000, maxMs: 10_000 } },
    );
    const { id } = await enqueue(db(), "test.flaky");
    start({ random: () => 0 }); // delays are exactly 0.5 s, then 1 s

    const job = await waitForOutcome(db(), id);
    expect(seenBetween).toEqual(["Error: flaky failure #1", "Error: flaky failure #2"]);
    expect(job).toMatchObject({ status: "SUCCEEDED", attempts: 3, result: "third time lucky", lastError: "Error: flaky failure #2" });
    expect(attempts).toHaveLength(3);
    // Lower bounds only: a loaded machine makes the waits longer, never shorter.
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(490);
    expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(990);
  });

  it("gives up after maxAttempts: FAILED with the last error, singleton freed", async () => {
    let calls = 0;
    registerJob("test.broken", async () => {
      calls += 1;
      throw new Error(`PagerDuty said 503 (call ${calls})`);
    }, { maxAttempts: 5, backoff: { baseMs: 10, maxMs: 20 } });
    const { id } = await enqueue(db(), "test.broken", {}, { maxAttempts: 3, singletonKey: "broken" });
    start();
    const job = await waitForOutcome(db(), id);
    expect(job).toMatchObject({ status: "FAILED", attempts: 3, lastError: "Error: PagerDuty said 503 (call 3)", activeKey: null, singletonKey: "broken" });
    expect(calls).toBe(3);
  });

  it("fails at once on a PermanentJobError or an invalid payload", async () => {
    registerJob("test.refused", async () => {
      throw new PermanentJobError("the account key lacks write scope");
    });
    registerJob("test.typed", async (p: { teamId: string }) => p.teamId, { schema: z.object({ teamId: z.string() }) });
    const refused = await enqueue(db(), "test.refused");
    const invalid = await enqueue(db(), "test.typed", { teamId: 42 });
    const valid = await enqueue(db(), "test.typed", { teamId: "PTEAM1" });
    start();
    expect(await waitForOutcome(db(), refused.id)).toMatchObject({ status: "FAILED", attempts: 1, lastError: "PermanentJobError: the account key lacks write scope" });
    const bad = await waitForOutcome(db(), invalid.id);
    expect(bad).toMatchObject({ status: "FAILED", attempts: 1 });
    expect(bad.lastError).toMatch(/invalid payload for test\.typed/);
    expect(await waitForOutcome(db(), valid.id)).toMatchObject({ status: "SUCCEEDED", result: "PTEAM1" });
  });

  it("an attempt that outlives timeoutMs fails and its signal is aborted", async () => {
    let aborted = false;
    registerJob(
      "test.hangs",
      (_p, ctx) =>
        new Promise((_, reject) => {
          ctx.signal.addEventListener("abort", () => {
            aborted = true;
            reject(new Error("stopped"));
          });
        }),
      { maxAttempts: 1, timeoutMs: 150 },
    );
    const { id } = await enqueue(db(), "test.hangs");
    start();
    expect(await waitForOutcome(db(), id)).toMatchObject({ status: "FAILED", attempts: 1, lastError: "JobTimeoutError: timed out after 150 ms" });
    expect(aborted).toBe(true);
  });
});

describe("singletonKey", () => {
  it("keeps at most one queued or running job per key, inside a caller's transaction too", async () => {
    const releasers = new Map<string, () => void>();
    const release = (id: string) => releasers.get(id)!();
    registerJob("test.sync_account", (_p, ctx) => new Promise((resolve) => releasers.set(ctx.jobId, () => resolve("synced"))));
    const first = await enqueue(db(), "test.sync_account", { account: "A" }, { singletonKey: "sync:A" });
    const again = await db().$transaction(async (tx) => {
      const e = await enqueue(tx, "test.sync_account", { account: "A" }, { singletonKey: "sync:A" });
      await tx.person.create({ data: { email: "singleton-cause@example.com", name: "S" } }); // the cause still commits
      return e;
    });
    expect(first.created).toBe(true);
    expect(again).toEqual({ id: first.id, created: false });
    expect(await db().person.count({ where: { email: "singleton-cause@example.com" } })).toBe(1);
    const other = await enqueue(db(), "test.sync_account", { account: "B" }, { singletonKey: "sync:B" });
    expect(other.created).toBe(true);

    start();
    await waitFor(async () => releasers.has(first.id) && releasers.has(other.id));
    expect((await jobStatus(db(), first.id)).status).toBe("RUNNING");
    expect(await enqueue(db(), "test.sync_account", {}, { singletonKey: "sync:A" })).toEqual({ id: first.id, created: false });
    release(first.id);
    await waitForOutcome(db(), first.id);
    expect((await jobStatus(db(), first.id)).activeKey).toBeNull();
    const next = await enqueue(db(), "test.sync_account", {}, { singletonKey: "sync:A" });
    expect(next.created).toBe(true);
    expect(next.id).not.toBe(first.id);
    await waitFor(async () => releasers.has(next.id));
    release(next.id);
    release(other.id);
    expect(await waitForOutcome(db(), next.id)).toMatchObject({ status: "SUCCEEDED", result: "synced" });
    expect(await waitForOutcome(db(), other.id)).toMatchObject({ status: "SUCCEEDED", result: "synced" });
  });
});
