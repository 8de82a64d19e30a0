/**
 * The per-credential rate limit (NOTES §1.6): `ratelimit-*` headers on every evaluated response, 429 code 2020
 * when the budget is spent, a fresh budget when the window resets, and separate budgets per credential.
 * The limiter runs on an injected real-time source, so crossing a window needs no waiting.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "@/simulator";
import { control, oauthToken, pd, startTestSimulator } from "./support/simulator";

const SMALL = { users: 20, teams: 3, schedules: 2, escalationPolicies: 2 };
let sim: RunningSimulator;
let now = Date.parse("2025-06-02T12:00:00Z");

beforeAll(async () => {
  sim = await startTestSimulator({ size: SMALL, rateLimitPerMinute: 3, rateLimitNow: () => now });
});
afterAll(() => sim.close());

const header = (res: { headers: Headers }, name: string) => res.headers.get(name);

describe("rate limit", () => {
  it("sends ratelimit-limit/remaining/reset, answers 429 code 2020 when spent, and refills when the window resets", async () => {
    const first = await pd(sim, "/users?limit=1");
    expect(first.status).toBe(200);
    expect(header(first, "ratelimit-limit")).toBe("3");
    expect(header(first, "ratelimit-remaining")).toBe("2");
    expect(header(first, "ratelimit-reset")).toBe("60");

    now += 20_000;
    expect(header(await pd(sim, "/teams"), "ratelimit-remaining")).toBe("1");
    const third = await pd(sim, "/abilities");
    expect(header(third, "ratelimit-remaining")).toBe("0");
    expect(header(third, "ratelimit-reset")).toBe("40");

    const refused = await pd(sim, "/users");
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ error: { message: "Rate Limit Exceeded", code: 2020 } });
    expect(header(refused, "ratelimit-limit")).toBe("3");
    expect(header(refused, "ratelimit-remaining")).toBe("0");
    expect(header(refused, "ratelimit-reset")).toBe("40");
    // A refused write is not applied.
    const before = sim.state.data.teams.size;
    const write = await pd(sim, "/teams", { method: "POST", body: { team: { type: "team", name: "Never Made" } } });
    expect(write.status).toBe(429);
    expect(sim.state.data.teams.size).toBe(before);

    now += 40_000;
    const after = await pd(sim, "/users?limit=1");
    expect(after.status).toBe(200);
    expect(header(after, "ratelimit-remaining")).toBe("2");
    expect(header(after, "ratelimit-reset")).toBe("60");

    const stats = (await control(sim, "/stats")).body;
    expect(stats.rateLimited).toBe(2);
    expect(stats.byStatus["429"]).toBe(2);
  });

  it("keeps one budget per credential: each account key and the OAuth app have their own", async () => {
    await control(sim, "/rate-limit", { perMinute: 2 });
    for (let i = 0; i < 2; i++) expect((await pd(sim, "/users?limit=1")).status).toBe(200);
    expect((await pd(sim, "/users?limit=1")).status).toBe(429);

    const readOnly = await pd(sim, "/users?limit=1", { key: sim.keys.readOnly });
    expect(readOnly.status).toBe(200);
    expect(header(readOnly, "ratelimit-remaining")).toBe("1");
    const token = await oauthToken(sim, ["users.read"]);
    const app = await pd(sim, "/users?limit=1", { bearer: token });
    expect(app.status).toBe(200);
    expect(header(app, "ratelimit-remaining")).toBe("1");
  });

  it("sends no ratelimit headers when limiting is off, and never limits then", async () => {
    expect((await control(sim, "/rate-limit", { perMinute: 0 })).body).toEqual({ perMinute: 0 });
    for (let i = 0; i < 10; i++) {
      const res = await pd(sim, "/abilities");
      expect(res.status).toBe(200);
      expect(header(res, "ratelimit-limit")).toBeNull();
    }
    expect((await control(sim, "/rate-limit")).body).toEqual({ perMinute: 0 });
  });

  it("counts unauthenticated requests against nobody: a 401 carries no rate headers", async () => {
    await control(sim, "/rate-limit", { perMinute: 1 });
    const anonymous = await pd(sim, "/users", { key: null });
    expect(anonymous.status).toBe(401);
    expect(header(anonymous, "ratelimit-limit")).toBeNull();
    expect((await pd(sim, "/users?limit=1")).status).toBe(200);
    expect((await pd(sim, "/users?limit=1")).status).toBe(429);
  });

  it("refuses a bad limit through the control API with a 400 body", async () => {
    const bad = await control(sim, "/rate-limit", { perMinute: -1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe(2001);
  });
});
