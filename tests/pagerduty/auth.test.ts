/**
 * OAuth token handling and the credential check's decision rules, against a scripted HTTP server (the
 * identity endpoint and the probe answers are what is under test here; simulator runs are in the other
 * files).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCredential, createPagerDutyClient, oauthScope, RateBudget } from "@/lib/pagerduty";
import { oauthSource, OAUTH_RENEW_BEFORE_MS } from "@/lib/pagerduty/auth";
import { egressGuard } from "@/lib/net/egress";

let server: http.Server;
let base = "";
const tokenRequests: URLSearchParams[] = [];
const apiAuth: string[] = [];
let issued = 0;
let expiresIn = 86_400;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(value));
      };
      if (req.url === "/oauth/token") {
        const form = new URLSearchParams(body);
        tokenRequests.push(form);
        if (form.get("client_secret") !== "s3cret+Client_Secret") return json(401, { error: "invalid_client", error_description: `bad secret ${form.get("client_secret")}` });
        issued++;
        return json(200, { access_token: `pdus+_tok${issued}abcdef`, token_type: "bearer", expires_in: expiresIn, scope: form.get("scope") });
      }
      const auth = req.headers.authorization ?? "";
      apiAuth.push(auth);
      const readOnly = auth === "Token token=readonly_key_123";
      if (auth !== "Bearer pdus+_tok1abcdef" && auth !== `Bearer pdus+_tok${issued}abcdef` && auth !== "Token token=full_key_123" && !readOnly) {
        return json(401, { error: { code: 2006, message: "Authentication failed" } });
      }
      if (req.url === "/abilities") return json(200, { abilities: ["teams", "read_only_users"] });
      if (req.method !== "GET") {
        if (readOnly) return json(403, { error: { code: 2010, message: "Access Denied" } });
        return json(404, { error: { code: 2100, message: "Not Found" } });
      }
      return json(200, { teams: [], more: false });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const oauth = (secret = "s3cret+Client_Secret", subdomain = "acme") =>
  ({ kind: "oauth", clientId: "cid", clientSecret: secret, subdomain, region: "eu", scopes: ["users.read", "teams.write"], tokenUrl: `${base}/oauth/token` }) as const;

describe("OAuth client credentials", () => {
  it("asks for the account scope, fetches one token and reuses it across requests and clients", async () => {
    const before = tokenRequests.length;
    const make = () => createPagerDutyClient({ baseUrl: base, credential: oauth(), budget: new RateBudget() });
    const a = make();
    await Promise.all([a.listTeams().all(), a.listTeams().all(), make().listAbilities()]);
    expect(tokenRequests.length - before).toBe(1);
    const form = tokenRequests.at(-1)!;
    expect(form.get("grant_type")).toBe("client_credentials");
    expect(form.get("scope")).toBe("as_account-eu.acme users.read teams.write");
    expect(oauthScope(oauth())).toBe("as_account-eu.acme users.read teams.write");
    expect(apiAuth.at(-1)).toMatch(/^Bearer pdus\+_tok\d+abcdef$/);
    expect(a.grantedScopes()).toEqual(["as_account-eu.acme", "users.read", "teams.write"]);
  });

  it("renews the token 5 minutes before it expires", async () => {
    const clock = { t: 1_000_000 };
    expiresIn = 3600;
    const source = oauthSource(base, oauth("s3cret+Client_Secret", "renew"), { egress: egressGuard(), fetch, timeoutMs: 5000, now: () => clock.t });
    const first = await source.current();
    expect((await source.current()).token).toBe(first.token);
    clock.t += 3600_000 - OAUTH_RENEW_BEFORE_MS - 1;
    expect((await source.current()).token).toBe(first.token);
    clock.t += 2;
    const renewed = await source.current();
    expect(renewed.token).not.toBe(first.token);
    expiresIn = 86_400;
  });

  it("reports a refused secret without the secret", async () => {
    const client = createPagerDutyClient({ baseUrl: base, credential: oauth("wrong+Secret_value"), budget: new RateBudget() });
    const error = (await client.listAbilities().catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ kind: "oauth", status: 401 });
    for (const text of [error.message, JSON.stringify(error), inspect(error)]) expect(text).not.toContain("wrong+Secret_value");
    const check = await checkCredential(client);
    expect(check).toMatchObject({ ok: false, accessLevel: "unknown" });
    expect(check.message).not.toContain("wrong+Secret_value");
  });
});

describe("checkCredential", () => {
  it("tells read-only from full access with a write that cannot change anything", async () => {
    const full = await checkCredential(createPagerDutyClient({ baseUrl: base, credential: { kind: "api_key", token: "full_key_123" }, budget: new RateBudget() }));
    expect(full).toMatchObject({ ok: true, accessLevel: "full", abilities: ["teams", "read_only_users"] });
    const readOnly = await checkCredential(createPagerDutyClient({ baseUrl: base, credential: { kind: "api_key", token: "readonly_key_123" }, budget: new RateBudget() }));
    expect(readOnly).toMatchObject({ ok: true, accessLevel: "read_only" });
    const invalid = await checkCredential(createPagerDutyClient({ baseUrl: base, credential: { kind: "api_key", token: "nope_key_123" }, budget: new RateBudget() }));
    expect(invalid).toMatchObject({ ok: false });
    expect(invalid.message).not.toContain("nope_key_123");
  });
});
