import { describe, expect, it } from "vitest";
import { verifyAuditChain } from "@/lib/audit";
import { ensureSchedule, enqueue, registerJob, unregisterForTests } from "@/lib/jobs";
import { RUN_LOG_DDL, dbNow, jobStatus, sleep, setupJobsDb, waitFor, waitForOutcome } from "./support";


const { db, start } = setupJobsDb((t) => t.superuser(RUN_LOG_DDL));

// Lease tests use leases of seconds and heartbeats of a quarter second: a heartbeat would have to be late by
// more than two seconds for a live worker to lose a job. What they assert is judged on the database clock
// (the one leases are judged by), never on how long something took here.
describe("leases", () => {
  it("a crashed worker's job is re-claimed by another worker once its lease expires", async () => {
    const runs: { worker: string; attempt: number }[] = [];
    registerJob("test.lease", (_p, ctx) => {
      runs.push({ worker: ctx.workerId, attempt: ctx.attempt });
      if (ctx.attempt === 1) return new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(new Error("killed")))); // never finishes on its own
      return Promise.resolve("done by the survivor");
    });
    const { id } = await enqueue(db(), "test.lease");
    const doomed = start({ id: "doomed", leaseMs: 2_500, heartbeatMs: 250 });
    await waitFor(async () => runs.length === 1);
    await doomed.abandon(); // the process "dies": no more heartbeats, no outcome recorded
    const leaseAtCrash = (await jobStatus(db(), id)).lockedUntil!;
    start({ id: "survivor", leaseMs: 2_500, heartbeatMs: 250 });

    const job = await waitForOutcome(db(), id);
    expect(job).toMatchObject({ status: "SUCCEEDED", attempts: 2, result: "done by the survivor" });
    expect(job.lastError).toMatch(/lease expired: worker doomed stopped renewing it/);
    expect(runs.map((r) => r.worker)).toEqual(["doomed", "survivor"]);
    // Not taken over before the lease ran out: the survivor's claim came after the lease the crash left.
    expect(job.startedAt!.getTime()).toBeGreaterThanOrEqual(leaseAtCrash.getTime());
  });

  it("a job running longer than its lease keeps it through heartbeats and runs once", async () => {
    const runs: string[] = [];
    const LEASE = 2_500;
    registerJob("test.long", async (_p, ctx) => {
      runs.push(ctx.workerId);
      // Runs until the database clock is a second past the lease it was claimed with: only heartbeats kept it.
      const { startedAt } = await jobStatus(ctx.db, ctx.jobId);
      while ((await dbNow(ctx.db)).getTime() < startedAt!.getTime() + LEASE + 1_000) await sleep(100);
      return "long done";
    });
    const { id } = await enqueue(db(), "test.long");
    start({ id: "a", leaseMs: LEASE, heartbeatMs: 250 });
    await waitFor(async () => runs.length === 1);
    start({ id: "b", leaseMs: LEASE, heartbeatMs: 250 }); // polls every 20 ms, hungry for expired leases
    expect(await waitForOutcome(db(), id, 30_000)).toMatchObject({ status: "SUCCEEDED", attempts: 1 });
    expect(runs).toEqual(["a"]);
  });

  it("gives a job up when its last attempt was lost with its worker", async () => {
    registerJob("test.lost_twice", (_p, ctx) => new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(new Error("killed")))), { maxAttempts: 1 });
    const { id } = await enqueue(db(), "test.lost_twice");
    const doomed = start({ id: "doomed-2", leaseMs: 2_000, heartbeatMs: 250 });
    await waitFor(async () => (await db().job.findUniqueOrThrow({ where: { id } })).status === "RUNNING");
    await doomed.abandon();
    start({ id: "heir", leaseMs: 2_000, heartbeatMs: 250 });
    const job = await waitForOutcome(db(), id);
    expect(job).toMatchObject({ status: "FAILED", attempts: 1 });
    expect(job.lastError).toMatch(/last one was lost when its worker stopped/);
  });
});

describe("graceful stop", () => {
  it("stops claiming at once and waits for running jobs to finish", async () => {
    // The running job finishes only after stop() was called: however slow the machine, the waiting job
    // cannot be claimed by a slot that freed before the stop.
    let release!: () => void;
    const stopCalled = new Promise<void>((resolve) => (release = resolve));
    registerJob("test.slow", async () => {
      await stopCalled;
      await sleep(100);
      return "finished";
    });
    const running = await enqueue(db(), "test.slow");
    const w = start({ concurrency: 1 });
    await waitFor(async () => w.activeJobIds.length === 1);
    const waiting = await enqueue(db(), "test.slow");
    const stopped = w.stop();
    release();
    await stopped;
    expect(await db().job.findUniqueOrThrow({ where: { id: running.id } })).toMatchObject({ status: "SUCCEEDED", result: "finished" });
    expect(await db().job.findUniqueOrThrow({ where: { id: waiting.id } })).toMatchObject({ status: "QUEUED", attempts: 0 });
    await db().job.update({ where: { id: waiting.id }, data: { status: "CANCELLED", activeKey: null } });
  });
});

describe("schedules", () => {
  it("enqueue once per interval, however many workers tick", async () => {
    registerJob("test.tick", async () => "tick");
    ensureSchedule("test.tick.hourly", "test.tick", 3600, { source: "schedule" });
    start({ id: "s1", schedules: true, pollMs: 10 });
    start({ id: "s2", schedules: true, pollMs: 10 });
    await waitFor(async () => (await db().job.count({ where: { name: "test.tick", status: "SUCCEEDED" } })) === 1);
    await sleep(300); // ~30 ticks of each worker
    expect(await db().job.count({ where: { name: "test.tick" } })).toBe(1);
    const schedule = await db().jobSchedule.findUniqueOrThrow({ where: { name: "test.tick.hourly" } });
    expect(schedule.nextRunAt.getTime() - Date.now()).toBeGreaterThan(3500 * 1000);

    // The next interval comes due (moved back in time, as if an hour had passed): one more run.
    await db().jobSchedule.update({ where: { name: "test.tick.hourly" }, data: { nextRunAt: new Date(Date.now() - 3 * 3600 * 1000 - 5000) } });
    await waitFor(async () => (await db().job.count({ where: { name: "test.tick", status: "SUCCEEDED" } })) === 2);
    await sleep(300);
    expect(await db().job.count({ where: { name: "test.tick" } })).toBe(2);
    const jobs = await db().job.findMany({ where: { name: "test.tick" } });
    expect(jobs.every((j) => j.singletonKey === "schedule:test.tick.hourly")).toBe(true);
    expect(jobs[0]!.payload).toEqual({ source: "schedule" });
    // Three missed intervals were caught up with one run, and the next slot keeps the phase.
    const next = await db().jobSchedule.findUniqueOrThrow({ where: { name: "test.tick.hourly" } });
    expect(next.nextRunAt.getTime()).toBeGreaterThan(Date.now());
    unregisterForTests("test.tick.hourly");
  });
});

describe("schedule log", () => {
  it("says a schedule fired the first time only, not at every interval", async () => {
    registerJob("test.chatty", async () => "ok");
    ensureSchedule("test.chatty.hourly", "test.chatty", 3600, {});
    const lines: { message: string; fields?: Record<string, unknown> }[] = [];
    start({ id: "logger", schedules: true, pollMs: 10, log: (_level, message, fields) => lines.push({ message, fields }) });
    await waitFor(async () => (await db().job.count({ where: { name: "test.chatty", status: "SUCCEEDED" } })) === 1);
    await db().jobSchedule.update({ where: { name: "test.chatty.hourly" }, data: { nextRunAt: new Date(Date.now() - 3600 * 1000) } });
    await waitFor(async () => (await db().job.count({ where: { name: "test.chatty", status: "SUCCEEDED" } })) === 2);
    const fired = lines.filter((l) => l.message.startsWith("scheduled jobs enqueued") && (l.fields?.schedules as string[]).includes("test.chatty.hourly"));
    expect(fired).toHaveLength(1);
    unregisterForTests("test.chatty.hourly");
  });
});

describe("two workers on one database", () => {
  it("never run the same job twice", async () => {
    registerJob("test.record_run", async (_p, ctx) => {
      await ctx.db.$executeRaw`INSERT INTO job_run_log (job_id, worker) VALUES (${ctx.jobId}, ${ctx.workerId})`;
      await sleep(2);
    });
    const count = 200;
    await db().job.createMany({ data: Array.from({ length: count }, (_, i) => ({ id: `run-${i}`, name: "test.record_run", payload: { i } })) });
    start({ id: "w1", concurrency: 4, pollMs: 5 });
    start({ id: "w2", concurrency: 4, pollMs: 5 });
    await waitFor(async () => (await db().job.count({ where: { name: "test.record_run", status: "SUCCEEDED" } })) === count, 45_000, 50);

    const log = await db().$queryRaw<{ job_id: string; runs: bigint; workers: string }[]>`
      SELECT job_id, count(*) AS runs, string_agg(worker, ',') AS workers FROM job_run_log GROUP BY job_id`;
    expect(log).toHaveLength(count);
    expect(log.filter((r) => r.runs !== 1n)).toEqual([]);
    const byWorker = await db().$queryRaw<{ worker: string; n: bigint }[]>`SELECT worker, count(*) AS n FROM job_run_log GROUP BY worker ORDER BY worker`;
    expect(byWorker.map((r) => r.worker)).toEqual(["w1", "w2"]); // both took part
  });
});

describe("the audit.verify_chain job", () => {
  it("records the verification in the chain as the system", async () => {
    await import("@/lib/jobs/handlers");
    const { id } = await enqueue(db(), "audit.verify_chain");
    start();
    const job = await waitForOutcome(db(), id);
    expect(job).toMatchObject({ status: "SUCCEEDED", result: { ok: true, events: 0 } });
    const event = await db().auditEvent.findFirstOrThrow({ where: { action: "audit.chain_verified" } });
    expect(event).toMatchObject({ actorType: "SYSTEM", actorLabel: "job:audit.verify_chain", targetType: "audit_chain", after: { ok: true, events: 0 } });
    expect((await verifyAuditChain(db())).ok).toBe(true);
  });
});

describe("urgent jobs", () => {
  it("an urgent job due later is claimed ahead of older queued jobs", async () => {
    const order: string[] = [];
    registerJob("test.bulk", (p: { n: number }) => {
      order.push(`bulk${p.n}`);
      return Promise.resolve();
    });
    registerJob("test.tick", () => {
      order.push("tick");
      return Promise.resolve();
    }, { urgent: true });
    for (let n = 0; n < 5; n++) await enqueue(db(), "test.bulk", { n });
    const tick = await enqueue(db(), "test.tick");
    // One slot: the worker takes one job at a time, so the order of claims is the order of runs.
    start({ id: "single", concurrency: 1, names: ["test.bulk", "test.tick"] });
    await waitForOutcome(db(), tick.id);
    await waitFor(async () => order.length === 6);
    expect(order[0]).toBe("tick");
    expect(order.slice(1)).toEqual(["bulk0", "bulk1", "bulk2", "bulk3", "bulk4"]);
    unregisterForTests("test.bulk");
    unregisterForTests("test.tick");
  });
});
