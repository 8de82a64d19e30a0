import { describe, expect, it } from "vitest";
import { createPagerDutyClient, RateBudget, sharedRateBudget, credentialFingerprint, type RateObservation, type RequestBudget } from "@/lib/pagerduty";

/** Grants observed against a manual clock: returns the times at which each acquire resolved. */
async function drive(budget: RateBudget, clock: { t: number }, requests: number, stepMs: number, untilMs: number): Promise<number[]> {
  const grants: number[] = [];
  for (let i = 0; i < requests; i++) void budget.acquire().then(() => grants.push(clock.t));
  while (clock.t <= untilMs) {
    await new Promise((resolve) => setImmediate(resolve));
    clock.t += stepMs;
    // Timers in the budget use real setTimeout; poke it by observing nothing new.
    budget.observe({ status: 200 });
  }
  await new Promise((resolve) => setImmediate(resolve));
  return grants;
}

describe("RateBudget", () => {
  it("never grants more than the limit within any window, and returns tokens one window later", async () => {
    const clock = { t: 0 };
    const budget = new RateBudget({ limit: 10, windowMs: 1000, safetyMs: 0, now: () => clock.t });
    const grants = await drive(budget, clock, 35, 10, 3500);
    expect(grants).toHaveLength(35);
    for (const start of grants) {
      expect(grants.filter((g) => g >= start && g < start + 1000).length).toBeLessThanOrEqual(10);
    }
    // Maximum throughput: the burst at 0, then a new batch as each window ends.
    expect(grants.slice(0, 10).every((g) => g === 0)).toBe(true);
    expect(grants[10]).toBe(1000);
    expect(grants[34]).toBe(3000);
  });

  it("pauses for the whole reset after a 429 and honours ratelimit-remaining", async () => {
    const clock = { t: 0 };
    const budget = new RateBudget({ limit: 100, windowMs: 60_000, safetyMs: 0, maxResetJitterMs: 0, now: () => clock.t });
    await budget.acquire();
    budget.observe({ status: 429, remaining: 0, resetSeconds: 5 });
    expect(budget.stats().pausedUntil).toBe(5000);
    const grants = await drive(budget, clock, 1, 100, 6000);
    expect(grants[0]).toBeGreaterThanOrEqual(5000);

    // The server says 2 left for 10 s: the third request waits for that reset.
    const c2 = { t: 0 };
    const b2 = new RateBudget({ limit: 100, windowMs: 60_000, safetyMs: 0, now: () => c2.t });
    b2.observe({ status: 200, remaining: 2, resetSeconds: 10 });
    const g2 = await drive(b2, c2, 3, 500, 11_000);
    expect(g2.slice(0, 2)).toEqual([0, 0]);
    expect(g2[2]).toBeGreaterThanOrEqual(10_000);
  });

  it("a 429 pauses for the later of ratelimit-reset and Retry-After", () => {
    const clock = { t: 0 };
    const budget = new RateBudget({ limit: 100, windowMs: 60_000, maxResetJitterMs: 0, now: () => clock.t });
    budget.observe({ status: 429, remaining: 0, resetSeconds: 5, retryAfterSeconds: 30 });
    expect(budget.stats().pausedUntil).toBe(30_000);
    budget.observe({ status: 429, resetSeconds: 40, retryAfterSeconds: 2 });
    expect(budget.stats().pausedUntil).toBe(40_000);
  });

  it("the client reads Retry-After (seconds or an HTTP date) from a 429 and gives it to the budget", async () => {
    const seen: RateObservation[] = [];
    const budget: RequestBudget = { acquire: async () => {}, observe: (info) => void seen.push(info), stats: () => new RateBudget().stats() };
    const answers = [
      new Response(JSON.stringify({ error: { message: "Rate Limit Exceeded", code: 2020 } }), { status: 429, headers: { "content-type": "application/json", "retry-after": "30" } }),
      new Response(JSON.stringify({ error: { message: "Rate Limit Exceeded", code: 2020 } }), { status: 429, headers: { "content-type": "application/json", "retry-after": new Date(Date.now() + 120_000).toUTCString() } }),
      new Response(JSON.stringify({ abilities: ["teams"] }), { status: 200, headers: { "content-type": "application/json" } }),
    ];
    const fetchAnswers: typeof fetch = async () => answers.shift()!;
    const client = createPagerDutyClient({ baseUrl: "http://127.0.0.1:9", credential: { kind: "api_key", token: "k" }, budget, fetch: fetchAnswers });
    expect(await client.listAbilities()).toEqual(["teams"]);
    expect(seen.map((o) => o.status)).toEqual([429, 429, 200]);
    expect(seen[0]!.retryAfterSeconds).toBe(30);
    expect(seen[1]!.retryAfterSeconds).toBeGreaterThan(100); // an HTTP date two minutes ahead
    expect(seen[2]!.retryAfterSeconds).toBeUndefined();
  });

  it("adopts the server's ratelimit-limit", () => {
    const budget = new RateBudget({ limit: 960 });
    budget.observe({ status: 200, limit: 120 });
    expect(budget.stats().limit).toBe(120);
  });

  it("rejects a waiter whose signal aborts, without losing the slot for others", async () => {
    const budget = new RateBudget({ limit: 1, windowMs: 60_000 });
    await budget.acquire();
    const controller = new AbortController();
    const waiting = budget.acquire(controller.signal);
    controller.abort(new Error("cancelled"));
    await expect(waiting).rejects.toThrow("cancelled");
    expect(budget.stats().waiting).toBe(0);
  });

  it("is shared per credential fingerprint, and the fingerprint is not the token", () => {
    const token = "u+abcdEFGH_1234-token";
    const fp = credentialFingerprint("https://api.pagerduty.com", token);
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    expect(fp).not.toContain(token);
    expect(sharedRateBudget(fp)).toBe(sharedRateBudget(fp));
    expect(sharedRateBudget(fp)).not.toBe(sharedRateBudget(credentialFingerprint("https://api.eu.pagerduty.com", token)));
  });
});
