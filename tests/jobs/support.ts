import { afterAll, afterEach, beforeAll } from "vitest";
import { Worker, type WorkerOptions } from "@/lib/jobs";
import type { Db } from "@/lib/db";
import { createTestDb, type TestDb } from "../support/db";

export const quiet: WorkerOptions["log"] = () => {};

/** Polls until `check` returns a truthy value (or fails the test after `timeoutMs`). */
export async function waitFor<T>(check: () => Promise<T | null | undefined | false>, timeoutMs = 15_000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A fast-polling worker for tests; stopped by the caller. Its lease (10 s, renewed every 3.3 s) outlasts any
 * pause a loaded machine gives the event loop: a job is never re-claimed from under a live worker by accident.
 * Tests about leases set their own, with margins of seconds.
 */
export function testWorker(db: Db, options: Partial<WorkerOptions> = {}) {
  return new Worker({ db, pollMs: 20, leaseMs: 10_000, schedules: false, log: quiet, ...options });
}

/** The database's clock: leases and due times are judged by it, so tests that reason about them read it too. */
export async function dbNow(db: Db): Promise<Date> {
  const [row] = await db.$queryRaw<{ now: Date }[]>`SELECT clock_timestamp() AS now`;
  return row!.now;
}

export async function jobStatus(db: Db, id: string) {
  return db.job.findUniqueOrThrow({ where: { id } });
}

/** Resolves once the job has reached SUCCEEDED or FAILED. */
export function waitForOutcome(db: Db, id: string, timeoutMs?: number) {
  return waitFor(async () => {
    const job = await jobStatus(db, id);
    return job.status === "SUCCEEDED" || job.status === "FAILED" ? job : null;
  }, timeoutMs);
}

export const RUN_LOG_DDL = `CREATE TABLE IF NOT EXISTS job_run_log (job_id text NOT NULL, worker text NOT NULL, at timestamptz NOT NULL DEFAULT now())`;

/**
 * One migrated database for a test file, and a `start` that launches test workers which are all
 * stopped after each test (so no worker of one test claims the next test's jobs).
 */
export function setupJobsDb(setup: (t: TestDb) => Promise<void> = async () => {}) {
  let t: TestDb | undefined;
  let workers: Worker[] = [];
  beforeAll(async () => {
    t = await createTestDb();
    await setup(t);
  });
  afterEach(async () => {
    await Promise.all(workers.map((w) => w.stop({ timeoutMs: 2_000 })));
    workers = [];
  });
  afterAll(async () => {
    await t?.close();
  });
  const db = () => t!.prisma;
  const start = (options: Partial<WorkerOptions> = {}) => {
    const w = testWorker(db(), options).start();
    workers.push(w);
    return w;
  };
  return { db, start };
}
