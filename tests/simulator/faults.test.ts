/**
 * Injected faults (POST /__sim/faults): 500/502/503 answers, 429 bursts, added latency and hung requests,
 * globally or per route template; a route's spec overrides the global one field by field.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "@/simulator";
import { control, pd, startTestSimulator } from "./support/simulator";

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startTestSimulator({ size: { users: 20, teams: 3, schedules: 2, escalationPolicies: 2 }, log: () => {} });
});
afterAll(() => sim.close());
afterEach(async () => {
  expect((await control(sim, "/faults", {})).status).toBe(200);
  await control(sim, "/stats/reset", {});
});

const faults = (config: unknown) => control(sim, "/faults", config);

describe("5xx faults", () => {
  it.each([500, 502, 503])("answers %i with PagerDuty's error body when asked globally", async (status) => {
    expect((await faults({ errors: { probability: 1, statuses: [status] } })).status).toBe(200);
    for (const path of ["/users", "/teams", "/abilities"]) {
      const res = await pd(sim, path);
      expect(res.status).toBe(status);
      expect(res.body.error).toMatchObject({ code: 2000, message: expect.any(String) });
    }
    const stats = (await control(sim, "/stats")).body;
    expect(stats.faultsInjected).toBe(3);
    expect(stats.byStatus[String(status)]).toBe(3);
  });

  it("limits a per-route fault to its route template (any concrete id)", async () => {
    await faults({ routes: { "GET /teams/{id}/members": { errors: { probability: 1, statuses: [502] } } } });
    const [a, b] = [...sim.state.data.teams.keys()];
    expect((await pd(sim, `/teams/${a}/members`)).status).toBe(502);
    expect((await pd(sim, `/teams/${b}/members`)).status).toBe(502);
    expect((await pd(sim, `/teams/${a}`)).status).toBe(200);
    expect((await pd(sim, "/users")).status).toBe(200);
  });

  it("a faulted write ('before', the default) changes nothing; 'after' applies it and still answers 5xx", async () => {
    const teams = sim.state.data.teams.size;
    await faults({ routes: { "POST /teams": { errors: { probability: 1, statuses: [500] } } } });
    expect((await pd(sim, "/teams", { method: "POST", body: { team: { type: "team", name: "Before Fault" } } })).status).toBe(500);
    expect(sim.state.data.teams.size).toBe(teams);

    await faults({ routes: { "POST /teams": { errors: { probability: 1, statuses: [503], mode: "after" } } } });
    expect((await pd(sim, "/teams", { method: "POST", body: { team: { type: "team", name: "After Fault" } } })).status).toBe(503);
    expect([...sim.state.data.teams.values()].some((t) => t.name === "After Fault")).toBe(true);
    expect((await control(sim, "/stats")).body.writes["POST /teams"]).toBe(1);
  });

  it("draws statuses from the list at the given probability, reproducibly", async () => {
    await faults({ errors: { probability: 0.5, statuses: [500, 502, 503] } });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await pd(sim, "/abilities")).status);
    const failed = statuses.filter((s) => s !== 200);
    expect(failed.length).toBeGreaterThan(5);
    expect(failed.length).toBeLessThan(35);
    expect(new Set(failed)).toEqual(new Set([500, 502, 503]));
    expect((await control(sim, "/stats")).body.faultsInjected).toBe(failed.length);
  });
});

describe("429 bursts", () => {
  it("answers the next N requests with 429 code 2020 and rate headers, then recovers", async () => {
    const set = await faults({ rateLimit: { burst: 3 } });
    expect(set.body.pendingBursts).toEqual({ "*": 3 });
    for (let i = 0; i < 3; i++) {
      const res = await pd(sim, "/users");
      expect(res.status).toBe(429);
      expect(res.body.error.code).toBe(2020);
      expect(res.headers.get("ratelimit-remaining")).toBe("0");
      expect(Number(res.headers.get("ratelimit-reset"))).toBeGreaterThan(0);
    }
    expect((await pd(sim, "/users")).status).toBe(200);
    const stats = (await control(sim, "/stats")).body;
    expect(stats.faultsInjected).toBe(3);
    // Limiter refusals and injected bursts are counted apart.
    expect(stats.rateLimited).toBe(0);
  });

  it("a per-route burst leaves other routes alone", async () => {
    await faults({ routes: { "GET /teams": { rateLimit: { burst: 2 } } } });
    expect((await pd(sim, "/teams")).status).toBe(429);
    expect((await pd(sim, "/users")).status).toBe(200);
    expect((await pd(sim, "/teams")).status).toBe(429);
    expect((await pd(sim, "/teams")).status).toBe(200);
  });

  it("with a probability, starts bursts of `length` consecutive 429s", async () => {
    await faults({ rateLimit: { probability: 0.2, length: 3 } });
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await pd(sim, "/abilities")).status);
    const runs = statuses.join(",").split(/,?200,?/).filter(Boolean).map((run) => run.split(",").length);
    expect(runs.length).toBeGreaterThan(0);
    // Every burst but a trailing one is exactly `length` long (two may touch and read as one run of 6).
    for (const run of runs.slice(0, -1)) expect(run % 3).toBe(0);
  });
});

describe("latency and hung requests", () => {
  it("adds latency to the faulted route only", async () => {
    await faults({ routes: { "GET /abilities": { latency: { ms: 300 } } } });
    const started = performance.now();
    const res = await pd(sim, "/abilities");
    expect(res.status).toBe(200);
    // A lower bound only: the answer cannot come before the injected delay.
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("holds a hung request without answering until the client gives up, and keeps serving others", async () => {
    await faults({ routes: { "GET /teams": { hang: { probability: 1 } } } });
    await expect(pd(sim, "/teams", { signal: AbortSignal.timeout(300) })).rejects.toThrow(/abort|timeout/i);
    expect((await pd(sim, "/users?limit=1")).status).toBe(200);
    expect((await control(sim, "/stats")).body.faultsInjected).toBe(1);
  });

  it("a route spec overrides the global one field by field", async () => {
    await faults({ errors: { probability: 1, statuses: [503] }, routes: { "GET /users": { errors: { probability: 0 } } } });
    expect((await pd(sim, "/users")).status).toBe(200);
    expect((await pd(sim, "/teams")).status).toBe(503);
  });

  it("closing the simulator drops hung requests instead of waiting for them", async () => {
    const other = await startTestSimulator({ size: { users: 5, teams: 1, schedules: 0, escalationPolicies: 0 } });
    await control(other, "/faults", { hang: { probability: 1 } });
    const pending = pd(other, "/users").then(
      () => "answered",
      () => "dropped",
    );
    // Wait until the request has reached the simulator.
    while ((await control(other, "/stats")).body.faultsInjected < 1) await new Promise((r) => setTimeout(r, 10));
    await other.close();
    expect(await pending).toBe("dropped");
  });
});

describe("fault configuration", () => {
  it("reports the configuration and refuses bad specs with a 400 body", async () => {
    const set = await faults({ latency: { ms: 5 }, routes: { "PUT /teams/{id}/users/{user_id}": { errors: { probability: 0.1, statuses: [502] } } } });
    expect(set.body.config.routes["PUT /teams/{id}/users/{user_id}"].errors).toEqual({ probability: 0.1, statuses: [502], mode: "before" });
    expect((await control(sim, "/faults")).body.config.latency).toEqual({ ms: 5, jitterMs: 0 });
    for (const bad of [{ errors: { probability: 2 } }, { errors: { probability: 1, statuses: [404] } }, { routes: { "/users": {} } }, { hang: true }, { unknown: 1 }]) {
      const res = await faults(bad);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 2001, errors: expect.any(Array) });
    }
  });

  it("faults the OAuth token endpoint too", async () => {
    await faults({ routes: { "POST /oauth/token": { errors: { probability: 1, statuses: [503] } } } });
    const res = await fetch(sim.oauth.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: sim.oauth.clientId, client_secret: sim.oauth.clientSecret, scope: "as_account-us.acme users.read" }),
    });
    expect(res.status).toBe(503);
  });
});
