/**
 * Endpoints derived, not typed (docs/decisions/0011), through the server actions on a real database:
 * an admin gives the instance URL and the portal derives PagerDuty's hosts; a custom endpoint must be
 * allow-listed; refused addresses are refused before any connection; a stored secret never follows an
 * address change; a refusing host's answer is never shown.
 *
 * Traffic: only local servers on 127.0.0.1. Names resolve through a stub resolver (installed as the
 * process's egress guard), and a spy on net.Socket#connect counts every connection attempt.
 */
import net from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { nextCacheMock, nextHeadersMock, nextNavigationMock } from "../auth/support/request";

vi.mock("next/headers", () => nextHeadersMock());
vi.mock("next/navigation", () => nextNavigationMock());
vi.mock("next/cache", () => nextCacheMock());

import * as actions from "@/app/(portal)/admin/connections/actions";
import type { ConnectionActionResult } from "@/app/(portal)/admin/connections/actions";
import { worldFingerprint } from "../auth/support/actions";
import { createPerson } from "../auth/support/fixtures";
import { listenLocal, sendJson, watchConnections, type LocalServer } from "../support/local-net";
import { okConnection, signInFresh } from "./support/actions";
import { createTestDb, type TestDb } from "../support/db";
import { refusedEndpoint } from "@/lib/connections/credential";
import type { ConnectionDto } from "@/lib/connections/dto";
import { derivedEndpoint, effectiveTokenUrl, instanceUrl, parseInstanceUrl } from "@/lib/connections/instance";
import { configuredAllowedHosts, createEgressGuard, egressGuard, setEgressGuard, type EgressGuard, type ResolvedAddress } from "@/lib/net/egress";
import { PortalRole, type Person } from "@/lib/generated/prisma/client";
import { KEYS, OAUTH, startPagerDuty, type PagerDuty } from "./support/pagerduty";

process.env.DEMO_MODE = "true"; // demo mode's fixed encryption key and sign-in secret

// Every client connection this process opens (the database is in-process PGlite; on PostgreSQL its port is left out).
const connects = watchConnections({ ignorePort: process.env.TEST_DATABASE_URL ? Number(new URL(process.env.TEST_DATABASE_URL).port || 5432) : null });

let t: TestDb;
let pd: PagerDuty;
let admin: Person;
let owner: Person;
let n = 0;
/** Another local server: a redirect target / an address an update might move to. Must never be contacted. */
let elsewhere: LocalServer;
/** An allow-listed local server that answers everything with a redirect to `elsewhere`, and a body. */
let redirector: LocalServer;
const BODY_MARKER = "internal-answer-do-not-show-91c2";
const PUBLIC = "44.224.10.21";

/** The test operator: only the stand-in and the redirector are listed; names resolve through this table. */
function strictGuard(table: Record<string, string[]> = {}): EgressGuard {
  return createEgressGuard({
    allowedHosts: [new URL(pd.url).host, new URL(redirector.url).host],
    resolver: async (hostname): Promise<ResolvedAddress[]> => {
      const addresses = { "pd-internal.test": ["127.0.0.1"], ...table }[hostname];
      if (!addresses) throw new Error(`ENOTFOUND ${hostname}`);
      return addresses.map((address) => ({ address, family: net.isIPv6(address) ? 6 : 4 }));
    },
  });
}

let setupGuard: EgressGuard;
beforeAll(async () => {
  setupGuard = egressGuard();
  t = await createTestDb();
  pd = await startPagerDuty();
  elsewhere = await listenLocal((_req, res) => sendJson(res, 200, { abilities: ["teams"] }));
  redirector = await listenLocal((req, res) => {
    req.resume();
    sendJson(res, 302, { error: { message: BODY_MARKER, errors: [BODY_MARKER] } }, { location: `http://pd-internal.test:${elsewhere.port}${req.url ?? "/"}` });
  });
  admin = await createPerson(t.prisma, { roles: [PortalRole.ADMIN] });
  owner = await createPerson(t.prisma, { name: "Olivia Owner" });
});
afterAll(async () => {
  setEgressGuard(setupGuard);
  await Promise.all([pd?.close(), elsewhere?.close(), redirector?.close()]);
  await t?.close();
});
beforeEach(() => {
  setEgressGuard(strictGuard({ "api.pagerduty.com": ["10.0.0.5"], "identity.pagerduty.com": ["127.0.0.1"], "api.eu.pagerduty.com": ["::ffff:127.0.0.1"], "identity.eu.pagerduty.com": ["169.254.169.254"] }));
  connects.length = 0;
});
afterEach(() => setEgressGuard(setupGuard));

const asAdmin = () => signInFresh(t.prisma, admin.id);
const ok = okConnection;

const base = () => ({ name: `Endpoint ${++n}`, ownerPersonId: owner.id, purpose: "Sync users and teams for access reviews" });
const apiKeyInput = (extra: Record<string, unknown>) => ({ ...base(), instanceUrl: "https://acme.pagerduty.com", credentialKind: "API_KEY", apiKey: KEYS.full, ...extra });

/** Runs `act` and proves it refused with nothing written, nothing sent, and no connection opened. */
async function refusedBeforeAnyConnection(act: () => Promise<ConnectionActionResult>) {
  await asAdmin();
  const world = await worldFingerprint(t.prisma);
  const seen = { auth: pd.seen.authorizations.length, tokens: pd.seen.tokenSecrets.length, elsewhere: elsewhere.connections };
  connects.length = 0;
  const result = await act();
  expect(result.ok).toBe(false);
  expect(connects).toEqual([]);
  expect({ auth: pd.seen.authorizations.length, tokens: pd.seen.tokenSecrets.length, elsewhere: elsewhere.connections }).toEqual(seen);
  expect(await worldFingerprint(t.prisma)).toBe(world);
  expect(JSON.stringify(result)).not.toContain(KEYS.full);
  return result as Extract<ConnectionActionResult, { ok: false }>;
}

describe("the instance URL: subdomain and region parsed, PagerDuty's hosts derived", () => {
  it("parses the addresses people sign in at, and says what is expected otherwise", () => {
    expect(parseInstanceUrl("https://acme.pagerduty.com")).toEqual({ subdomain: "acme", region: "US" });
    expect(parseInstanceUrl(" https://Acme-Corp.EU.pagerduty.com/incidents ")).toEqual({ subdomain: "acme-corp", region: "EU" });
    expect(parseInstanceUrl("acme.eu.pagerduty.com")).toEqual({ subdomain: "acme", region: "EU" });
    expect(parseInstanceUrl("acme")).toEqual({ subdomain: "acme", region: "US" });
    for (const bad of ["https://evil.example.com", "https://api.pagerduty.com", "https://identity.eu.pagerduty.com", "https://acme.pagerduty.com:8443", "https://u:p@acme.pagerduty.com", "https://acme.pagerduty.com.evil.test", "ftp://acme.pagerduty.com", "a b"]) {
      expect(parseInstanceUrl(bad), bad).toMatchObject({ error: expect.stringMatching(/https:\/\/acme\.pagerduty\.com/) as unknown });
    }
    const eu = derivedEndpoint({ subdomain: "acme", region: "EU" });
    expect(eu).toEqual({ subdomain: "acme", region: "EU", apiBaseUrl: "https://api.eu.pagerduty.com", oauthTokenUrl: null });
    expect(effectiveTokenUrl(eu)).toBe("https://identity.eu.pagerduty.com/oauth/token");
    expect(effectiveTokenUrl(derivedEndpoint({ subdomain: "acme", region: "US" }))).toBe("https://identity.pagerduty.com/oauth/token");
    expect(instanceUrl(eu)).toBe("https://acme.eu.pagerduty.com");
  });

  it("the derived US and EU hosts pass the guard when they resolve to public addresses (decided without connecting)", async () => {
    const publicDns = strictGuard(Object.fromEntries(["api.pagerduty.com", "api.eu.pagerduty.com", "identity.pagerduty.com", "identity.eu.pagerduty.com"].map((h) => [h, [PUBLIC]])));
    for (const region of ["US", "EU"] as const) {
      const endpoint = derivedEndpoint({ subdomain: "acme", region });
      expect(await refusedEndpoint(endpoint, "OAUTH", publicDns)).toBeNull();
      expect(await publicDns.check(endpoint.apiBaseUrl)).toMatchObject({ allowListed: false, addresses: [{ address: PUBLIC, family: 4 }] });
    }
    expect(connects).toEqual([]);
  });

  it("an invalid instance URL is refused by validation, naming the field", async () => {
    const result = await refusedBeforeAnyConnection(() => actions.createConnection(apiKeyInput({ instanceUrl: "https://pagerduty.evil.test" })));
    expect(result.fieldErrors?.instanceUrl?.[0]).toMatch(/pagerduty\.evil\.test is not a PagerDuty account address/);
    const both = await refusedBeforeAnyConnection(() => actions.createConnection(apiKeyInput({ subdomain: "acme" })));
    expect(both.fieldErrors?.instanceUrl?.[0]).toMatch(/not both/);
  });
});

describe("refused before any connection is made", () => {
  const table: [string, string][] = [
    ["cloud metadata", "http://169.254.169.254"],
    ["a private address", "http://10.0.0.5"],
    ["loopback not listed", "http://127.0.0.1:4010"],
    ["IPv6 loopback", "http://[::1]:4010"],
    ["localhost", "http://localhost:4010"],
    ["a decimal IP spelling", "http://2852039166"],
    ["a hex IP spelling", "http://0xa9fea9fe"],
    ["an octal IP spelling", "http://0177.0.0.1:4010"],
    ["an IPv4-mapped IPv6 form", "http://[::ffff:169.254.169.254]"],
    ["a name that resolves to loopback", "http://pd-internal.test:4010"],
    ["a host nobody listed", "https://pagerduty-proxy.example.com"],
  ];

  it.each(table)("as the custom API base URL: %s (%s)", async (_what, url) => {
    const result = await refusedBeforeAnyConnection(() => actions.createConnection(apiKeyInput({ apiBaseUrl: url })));
    expect(result.error).toMatch(/^The connection was not saved: The portal does not send credentials to .*PAGERDUTY_ALLOWED_HOSTS\. Nothing was sent\.$/);
    expect(result.fieldErrors?.apiBaseUrl?.[0]).toMatch(/^The portal does not send credentials to /);
  });

  it("as the OAuth token URL, with an allowed API: the client secret is not sent anywhere", async () => {
    for (const [, url] of table) {
      const result = await refusedBeforeAnyConnection(() =>
        actions.createConnection({ ...base(), instanceUrl: "https://acme.pagerduty.com", apiBaseUrl: pd.url, oauthTokenUrl: `${url}/oauth/token`, credentialKind: "OAUTH", oauthClientId: OAUTH.clientId, oauthClientSecret: OAUTH.clientSecret }),
      );
      expect(result.fieldErrors?.oauthTokenUrl?.[0]).toMatch(/^The portal does not send credentials to /);
      expect(JSON.stringify(result)).not.toContain(OAUTH.clientSecret);
    }
  });

  it("PagerDuty's own hosts when DNS gives a loopback, private, mapped or metadata address", async () => {
    const us = await refusedBeforeAnyConnection(() => actions.createConnection(apiKeyInput({})));
    expect(us.error).toMatch(/^The connection was not saved: The portal does not send credentials to api\.pagerduty\.com: it resolves to 10\.0\.0\.5, a private network address\./);
    expect(us.fieldErrors?.instanceUrl).toBeDefined();
    const eu = await refusedBeforeAnyConnection(() => actions.createConnection(apiKeyInput({ instanceUrl: "https://acme.eu.pagerduty.com" })));
    expect(eu.error).toMatch(/api\.eu\.pagerduty\.com: it resolves to ::ffff:127\.0\.0\.1, a loopback address/);
    // An OAuth app on an EU account whose API resolves fine: the identity host is refused before the secret leaves.
    setEgressGuard(strictGuard({ "api.eu.pagerduty.com": [PUBLIC], "identity.eu.pagerduty.com": ["169.254.169.254"] }));
    const app = await refusedBeforeAnyConnection(() =>
      actions.createConnection({ ...base(), instanceUrl: "https://acme.eu.pagerduty.com", credentialKind: "OAUTH", oauthClientId: OAUTH.clientId, oauthClientSecret: OAUTH.clientSecret }),
    );
    expect(app.error).toMatch(/identity\.eu\.pagerduty\.com: it resolves to 169\.254\.169\.254, a cloud metadata address/);
  });

  it("a redirect to another host is not followed, and the redirecting host's answer is not shown", async () => {
    await asAdmin();
    const world = await worldFingerprint(t.prisma);
    const result = await actions.createConnection(apiKeyInput({ apiBaseUrl: redirector.url }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatch(/^The credential was not saved: Could not reach PagerDuty: the server answered with a redirect \(HTTP 302\), which the portal does not follow/);
    expect(JSON.stringify(result)).not.toContain(BODY_MARKER);
    expect(elsewhere.connections).toBe(0);
    expect(connects.every((c) => c === new URL(redirector.url).host)).toBe(true);
    expect(await worldFingerprint(t.prisma)).toBe(world);
  });
});

describe("accepted", () => {
  it("an allow-listed custom endpoint (the simulator's host) with an EU instance URL: derived account, custom API, token at the same origin", async () => {
    setEgressGuard(createEgressGuard({ allowedHosts: configuredAllowedHosts({ SIMULATOR_URL: pd.url }), resolver: async () => [] }));
    await asAdmin();
    const dto = ok(await actions.createConnection({ ...base(), instanceUrl: "https://acme.eu.pagerduty.com", apiBaseUrl: pd.url, credentialKind: "OAUTH", oauthClientId: OAUTH.clientId, oauthClientSecret: OAUTH.clientSecret }));
    expect(dto).toMatchObject({ subdomain: "acme", region: "EU", instanceUrl: "https://acme.eu.pagerduty.com", apiBaseUrl: pd.url, tokenUrl: `${pd.url}/oauth/token`, customEndpoint: true, accessLevel: "FULL" });
    expect(dto.scopes).toContain("as_account-eu.acme");
    expect(connects.length).toBeGreaterThan(0);
    expect(connects.every((c) => c === new URL(pd.url).host)).toBe(true);
  });
});

describe("a stored secret never follows an address change", () => {
  it("every kind of address change without the secret entered again is refused, and nothing is sent anywhere", async () => {
    await asAdmin();
    const key = ok(await actions.createConnection(apiKeyInput({ apiBaseUrl: pd.url })));
    await asAdmin();
    const app = ok(await actions.createConnection({ ...base(), instanceUrl: "acme", apiBaseUrl: pd.url, credentialKind: "OAUTH", oauthClientId: OAUTH.clientId, oauthClientSecret: OAUTH.clientSecret }));
    const changes: [ConnectionDto, Record<string, unknown>, RegExp][] = [
      [key, { instanceUrl: "https://acme.eu.pagerduty.com" }, /\(region\) needs the API key entered again/],
      [key, { instanceUrl: "https://other.pagerduty.com" }, /\(subdomain\) needs the API key/],
      [key, { region: "EU" }, /\(region\) needs the API key/],
      [key, { subdomain: "other" }, /\(subdomain\) needs the API key/],
      [key, { apiBaseUrl: elsewhere.url }, /\(API base URL\) needs the API key/],
      [key, { apiBaseUrl: null }, /\(API base URL\) needs the API key/],
      [key, { apiBaseUrl: "http://169.254.169.254" }, /\(API base URL\) needs the API key/],
      [app, { oauthTokenUrl: `${elsewhere.url}/oauth/token` }, /\(OAuth token URL\) needs the OAuth client secret entered again/],
      [app, { instanceUrl: "https://acme.eu.pagerduty.com", name: "Renamed too" }, /\(region\) needs the OAuth client secret/],
    ];
    for (const [connection, change, message] of changes) {
      const result = await refusedBeforeAnyConnection(() => actions.updateConnection({ connectionId: connection.id, ...change }));
      expect(result.error, JSON.stringify(change)).toMatch(message);
      expect(result.error).toMatch(/a stored credential is never sent to an address it was not entered for\. Nothing was changed, and nothing was sent\.$/);
      expect(Object.keys(result.fieldErrors ?? {})).toEqual([connection.credentialKind === "API_KEY" ? "apiKey" : "oauthClientSecret"]);
    }
    expect(elsewhere.connections).toBe(0);
  });

  it("with the secret entered again, a refused address is still refused before any connection", async () => {
    await asAdmin();
    const key = ok(await actions.createConnection(apiKeyInput({ apiBaseUrl: pd.url })));
    const result = await refusedBeforeAnyConnection(() => actions.updateConnection({ connectionId: key.id, apiBaseUrl: "http://0xa9fea9fe", apiKey: KEYS.full }));
    expect(result.error).toMatch(/^The connection was not changed: The portal does not send credentials to 169\.254\.169\.254: 169\.254\.169\.254 is a cloud metadata address\./);
  });

  it("with the secret entered again, the address changes; a different secret counts as a rotation", async () => {
    await asAdmin();
    const key = ok(await actions.createConnection(apiKeyInput({ apiBaseUrl: pd.url })));
    const second = await startPagerDuty();
    try {
      setEgressGuard(createEgressGuard({ allowedHosts: [new URL(pd.url).host, new URL(second.url).host], resolver: async () => [] }));
      await asAdmin();
      const moved = ok(await actions.updateConnection({ connectionId: key.id, apiBaseUrl: second.url, apiKey: KEYS.fullNext }));
      expect(moved).toMatchObject({ apiBaseUrl: second.url, lastCheckOk: true });
      expect(moved.lastRotatedAt.getTime()).toBeGreaterThanOrEqual(key.lastRotatedAt.getTime());
      expect(moved.fingerprint).not.toBe(key.fingerprint);
      expect(second.seen.authorizations).toContain(`Token token=${KEYS.fullNext}`);
      // The stored key was never sent to the new address.
      expect(second.seen.authorizations).not.toContain(`Token token=${KEYS.full}`);
      const event = await t.prisma.auditEvent.findFirstOrThrow({ where: { action: "connection.updated", targetId: key.id }, orderBy: { seq: "desc" } });
      expect(event.before).toMatchObject({ apiBaseUrl: pd.url });
      expect(event.after).toMatchObject({ apiBaseUrl: second.url, fingerprint: moved.fingerprint });
      expect(event.after).toHaveProperty("lastRotatedAt");
      expect(JSON.stringify(event, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))).not.toContain(KEYS.fullNext);
    } finally {
      await second.close();
    }
  });
});
