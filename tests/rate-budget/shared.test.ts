/**
 * The database-backed rate budget: several "processes" (each its own connection pool and SharedRateBudget, as
 * separate web servers and workers would have) share one budget per credential. Always on PostgreSQL (the
 * local server, or TEST_DATABASE_URL). Outcomes are counts, never timings: the windows are long enough that
 * no token returns while a test runs, however loaded the machine.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type DbHandle } from "@/lib/db/client";
import { createPagerDutyClient, credentialFingerprint, sharedRateBudget, type RequestBudget } from "@/lib/pagerduty";
import { installSharedRateBudgets, SharedRateBudget, uninstallSharedRateBudgets } from "@/lib/rate-budget";
import { createTestDb, type TestDb } from "../support/db";

let t: TestDb;
const processes: DbHandle[] = [];

beforeAll(async () => {
  t = await createTestDb({ postgres: true, install: false });
  for (let i = 0; i < 3; i++) processes.push(createDb({ kind: "postgres", url: t.url!, poolMax: 3 }));
});
afterAll(async () => {
  uninstallSharedRateBudgets();
  await Promise.all(processes.map((p) => p.close()));
  await t?.close();
});

let n = 0;
/** A fresh credential per test, so tests do not share a row. */
const fingerprint = () => credentialFingerprint("http://127.0.0.1:1", `key-${++n}-${Date.now()}`);

/** One budget per process for the same credential. */
function budgets(fp: string, options: ConstructorParameters<typeof SharedRateBudget>[2] = {}) {
  return processes.map((p) => new SharedRateBudget(p.prisma, fp, { windowMs: 600_000, ...options }));
}

/** Starts `count` acquires on each budget; `granted()` says how many have resolved so far. */
function demand(all: RequestBudget[], count: number) {
  const controller = new AbortController();
  let granted = 0;
  const settled = all.flatMap((b) =>
    Array.from({ length: count }, () =>
      b.acquire(controller.signal).then(
        () => void granted++,
        () => {},
      ),
    ),
  );
  return { granted: () => granted, stop: async () => (controller.abort(new Error("test over")), await Promise.all(settled)) };
}

async function row(fp: string) {
  return t.prisma.pagerDutyRateBudget.findUniqueOrThrow({ where: { fingerprint: fp } });
}

/** Waits until every budget has no reservation in flight and the granted total has stopped moving. */
async function quiet(all: SharedRateBudget[], granted: () => number) {
  let last = -1;
  for (let stable = 0; stable < 3; ) {
    await new Promise((r) => setTimeout(r, 200));
    const now = granted() + all.reduce((sum, b) => sum + b.stats().roundTrips, 0);
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
}

describe("one budget per credential across processes", () => {
  it("three processes together get exactly the limit within a window, not the limit each", async () => {
    const fp = fingerprint();
    const all = budgets(fp, { limit: 40 });
    const load = demand(all, 30); // 90 wanted, 40 allowed
    await quiet(all, load.granted);
    expect(load.granted()).toBe(40);
    const r = await row(fp);
    expect(r.grantedCount.reduce((a, b) => a + b, 0)).toBe(40);
    expect(Number(r.granted)).toBe(40); // net of tokens given back unused
    // Every process took part, each through batches rather than one statement per request.
    const per = all.map((b) => b.stats());
    expect(per.every((s) => s.granted > 0)).toBe(true);
    await load.stop();
  });

  it("reserves in batches: far fewer database round trips than requests", async () => {
    const fp = fingerprint();
    const [one] = budgets(fp, { limit: 960 });
    let done = 0;
    // 8 concurrent callers issuing 300 requests between them, as a sync's page fetchers do.
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (done < 300) {
          done++;
          await one!.acquire();
        }
      }),
    );
    const stats = one!.stats();
    console.info(`[shared budget] ${stats.granted} requests, ${stats.roundTrips} database round trips`);
    expect(stats.granted).toBeGreaterThanOrEqual(300);
    expect(stats.roundTrips).toBeLessThan(stats.granted / 4);
  });

  it("a 429 seen by one process pauses all of them until the later of ratelimit-reset and Retry-After", async () => {
    const fp = fingerprint();
    const [a, b] = budgets(fp, { limit: 960 });
    await a!.acquire();
    a!.observe({ status: 429, limit: 960, remaining: 0, resetSeconds: 5, retryAfterSeconds: 120 });
    await expect.poll(async () => (await row(fp)).rateLimited).toBe(1);
    const r = await row(fp);
    const pausedFor = r.pausedUntil!.getTime() - r.updatedAt.getTime();
    expect(pausedFor).toBeGreaterThanOrEqual(119_000); // Retry-After won over ratelimit-reset
    const load = demand([a!, b!], 5);
    await quiet([a!, b!], load.granted);
    expect(load.granted()).toBe(0);
    expect(b!.stats().rateLimited).toBe(0); // b never saw a 429 itself: the row told it
    await load.stop();
  });

  it("PagerDuty's ratelimit-remaining lowers what every process may send until its reset", async () => {
    const fp = fingerprint();
    const [a, b, c] = budgets(fp, { limit: 960 });
    await a!.acquire();
    a!.observe({ status: 200, limit: 960, remaining: 6, resetSeconds: 300, inFlight: 0 });
    await a!.acquire(); // carries the observation to the row with the next reservation
    const load = demand([b!, c!], 20);
    await quiet([a!, b!, c!], load.granted);
    // 6 left at the server when it answered: the one batch a took after that counts against them.
    const r = await row(fp);
    expect(r.serverRemaining).toBe(0);
    expect(load.granted() + a!.stats().granted).toBeLessThanOrEqual(2 + 6);
    expect(load.granted()).toBeGreaterThan(0);
    await load.stop();
  });

  it("a lower ratelimit-limit from the server applies to every process", async () => {
    const fp = fingerprint();
    const [a, b] = budgets(fp, { limit: 960, maxBatch: 1 });
    await a!.acquire();
    a!.observe({ status: 200, limit: 10, remaining: 900, resetSeconds: 300 });
    await a!.acquire();
    const load = demand([b!], 30);
    await quiet([a!, b!], load.granted);
    expect((await row(fp)).limit).toBe(10);
    expect(load.granted()).toBe(8);
    await load.stop();
  });

  it("tokens a process could not use are given back for the others", async () => {
    const fp = fingerprint();
    const [a, b] = budgets(fp, { limit: 10, maxBatch: 10, batchTtlMs: 60_000, maxResetJitterMs: 0 });
    // Ten callers ask a at once (one reservation of ten); eight give up while it is on its way.
    const controller = new AbortController();
    const gaveUp = Array.from({ length: 8 }, () => a!.acquire(controller.signal).catch(() => "aborted"));
    const kept = [a!.acquire(), a!.acquire()];
    setImmediate(() => controller.abort(new Error("caller gave up")));
    expect(await Promise.all(gaveUp)).toEqual(Array(8).fill("aborted"));
    await Promise.all(kept);
    // a holds 8 unused tokens; a 429 makes it drop them, and its next reservation gives them back.
    a!.observe({ status: 429, resetSeconds: 0, retryAfterSeconds: 0 });
    await a!.acquire();
    const load = demand([b!], 20);
    await quiet([a!, b!], load.granted);
    // Without the give-back b would get nothing: a's first batch took all ten.
    expect(load.granted()).toBe(6);
    expect((await row(fp)).grantedCount.reduce((x, y) => x + y, 0)).toBe(10);
    await load.stop();
  });

  it("tokens given back return to PagerDuty's count as well: unused batches do not stall the budget until the reset", async () => {
    const fp = fingerprint();
    const [a, b] = budgets(fp, { limit: 960, maxBatch: 10, batchTtlMs: 200 });
    await a!.acquire();
    a!.observe({ status: 200, limit: 960, remaining: 10, resetSeconds: 300, inFlight: 0 });
    // Ten callers at once, eight give up: a holds 8 of the 10 PagerDuty still allows, then drops them.
    const controller = new AbortController();
    const gaveUp = Array.from({ length: 8 }, () => a!.acquire(controller.signal).catch(() => "aborted"));
    const kept = [a!.acquire(), a!.acquire()];
    setImmediate(() => controller.abort(new Error("caller gave up")));
    await Promise.all([...gaveUp, ...kept]);
    await expect.poll(async () => (await row(fp)).serverRemaining).toBe(0);
    await new Promise((r) => setTimeout(r, 300)); // the batch's lifetime is over: the next reservation gives it back
    await a!.acquire();
    const load = demand([b!], 20);
    await quiet([a!, b!], load.granted);
    // 10 allowed after the answer: 2 used by a's callers, 8 given back, 1 for a's last caller, 7 left for b.
    expect(load.granted()).toBe(7);
    await load.stop();
  });

  it("tokens come back one window after their batch, never sooner", async () => {
    const fp = fingerprint();
    const [a] = budgets(fp, { limit: 5, windowMs: 1_500, safetyMs: 500, batchTtlMs: 200, maxBatch: 5 });
    const grants: number[] = [];
    await Promise.all(Array.from({ length: 12 }, () => a!.acquire().then(() => grants.push(Date.now()))));
    grants.sort((x, y) => x - y);
    // Whatever the load, no 1.5-second span holds more than 5 grants (timings only make grants later).
    for (const start of grants) expect(grants.filter((g) => g >= start && g < start + 1_500).length).toBeLessThanOrEqual(5);
  });
});

describe("wiring", () => {
  it("once installed (getDb does it on PostgreSQL), every PagerDuty client of the process draws from the database", async () => {
    installSharedRateBudgets(processes[0]!.prisma);
    try {
      const client = createPagerDutyClient({ baseUrl: "http://127.0.0.1:9", credential: { kind: "api_key", token: "k" } });
      expect(client.budget).toBeInstanceOf(SharedRateBudget);
      expect(sharedRateBudget(client.fingerprint)).toBe(client.budget);
    } finally {
      uninstallSharedRateBudgets();
    }
    const local = createPagerDutyClient({ baseUrl: "http://127.0.0.1:9", credential: { kind: "api_key", token: "k" } });
    expect(local.budget).not.toBeInstanceOf(SharedRateBudget);
  });
});
