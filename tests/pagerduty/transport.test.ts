/**
 * Evidence for docs/decisions/0004: pdjs's own behaviour on 429 and timeouts, and what the wrapper makes of
 * it. A bare HTTP server is enough here; everything else runs against the simulator.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { api } from "@pagerduty/pdjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pdjsTransport, fetchTransport, type WireRequest } from "@/lib/pagerduty/transport";
import type { EgressTarget } from "@/lib/net/egress";

let server: http.Server;
let base = "";
const seen: { path: string; socket: object; headers: http.IncomingHttpHeaders }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ path: req.url ?? "", socket: req.socket, headers: req.headers });
    if (req.url?.startsWith("/limited")) {
      res.writeHead(429, { "content-type": "application/json", "ratelimit-limit": "960", "ratelimit-remaining": "0", "ratelimit-reset": "7" });
      res.end(JSON.stringify({ error: { code: 2020, message: "Rate Limit Exceeded" } }));
    } else if (req.url?.startsWith("/hang")) {
      // never answer
    } else if (req.url?.startsWith("/forbidden")) {
      res.writeHead(403, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: 2010, message: "Access Denied" } }));
    } else {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ users: [], more: false }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** What the egress guard answers for an allow-listed local server (the executor asks it; here we are below it). */
const allowed = (url: string): EgressTarget => ({ url: new URL(url), host: new URL(url).host, allowListed: true, addresses: [] });

const request = (path: string, query: WireRequest["query"] = {}): WireRequest => ({
  method: "GET",
  url: `${base}${path}`,
  query,
  auth: { tokenType: "token", token: "k+ey_123" },
  headers: {},
  target: allowed(`${base}${path}`),
});

describe("pdjs transport wrapper", () => {
  it("baseline: bare pdjs resolves a 429 only after retrying it itself", async () => {
    const before = seen.length;
    const response = await api({ url: `${base}/limited/raw`, token: "x", retryTimeout: 5 });
    expect(response.status).toBe(429);
    expect(seen.length - before).toBe(4); // 1 + 3 hidden retries, none visible to the caller
  });

  it("hands back the first 429 with its headers and sends nothing more", async () => {
    const before = seen.length;
    const response = await pdjsTransport(request("/limited/wrapped"), new AbortController().signal);
    expect(response.status).toBe(429);
    expect(response.header("ratelimit-reset")).toBe("7");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen.length - before).toBe(1);
  });

  it("resolves a 403 with its body (pdjs does not reject) and uses PagerDuty's conventions", async () => {
    const response = await pdjsTransport(request("/forbidden", { "team_ids[]": ["A", "B"], limit: 100 }), new AbortController().signal);
    expect(response.status).toBe(403);
    expect(response.body).toEqual({ error: { code: 2010, message: "Access Denied" } });
    const last = seen.at(-1)!;
    expect(last.path).toBe("/forbidden?team_ids%5B%5D=A&team_ids%5B%5D=B&limit=100");
    expect(last.headers.accept).toBe("application/vnd.pagerduty+json;version=2");
    expect(last.headers.authorization).toBe("Token token=k+ey_123");
  });

  it("aborts a hung request when our signal fires", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("timeout")), 100);
    const started = Date.now();
    await expect(pdjsTransport(request("/hang"), controller.signal)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("reuses keep-alive connections", async () => {
    const before = seen.length;
    for (let i = 0; i < 3; i++) await pdjsTransport(request("/ok"), new AbortController().signal);
    const sockets = new Set(seen.slice(before).map((s) => s.socket));
    expect(sockets.size).toBe(1);
  });

  it("fetch transport applies the same conventions", async () => {
    const response = await fetchTransport(fetch)(request("/ok", { "include[]": ["teams"] }), new AbortController().signal);
    expect(response.status).toBe(200);
    const last = seen.at(-1)!;
    expect(last.path).toBe("/ok?include%5B%5D=teams");
    expect(last.headers.accept).toBe("application/vnd.pagerduty+json;version=2");
  });
});
