/**
 * The egress guard (lib/net/egress.ts) and every PagerDuty request path behind it: refused addresses are
 * refused before any socket is opened, accepted PagerDuty hosts are pinned to the addresses that were
 * checked, and redirects are never followed.
 *
 * No traffic leaves 127.0.0.0/8: every "remote" host is a local server, names resolve through stub
 * resolvers only, and two spies prove it: one on net.Socket#connect (every TCP and TLS connection, node:http
 * and undici alike) and one on node:dns (which throws: no real lookup can happen in this file).
 */
import dns from "node:dns";
import net from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { ConfigError, egressEnv, parseEnv } from "@/lib/config/env";
import { classifyAddress, parseHostEntry, parseIPv4, parseIPv6 } from "@/lib/net/addresses";
import { configuredAllowedHosts, createEgressGuard, guardedFetch, pinnedLookup, PAGERDUTY_HOSTS, type EgressGuard, type EgressTarget, type ResolvedAddress } from "@/lib/net/egress";
import { API_BASE_URLS, checkCredential, createPagerDutyClient, RateBudget, TOKEN_URLS, type PagerDutyCredential } from "@/lib/pagerduty";
import { pdjsTransport } from "@/lib/pagerduty/transport";
import { listenLocal, sendJson, watchConnections, type LocalServer } from "../support/local-net";

// ---- spies: every connection attempt, every real DNS lookup -------------------------------------------
const connects = watchConnections();
const realLookups: string[] = [];
const realLookup = dns.lookup;
// An IP literal is not a lookup (server.listen passes its address through dns.lookup); a name is refused.
vi.spyOn(dns, "lookup").mockImplementation(((hostname: string, ...rest: unknown[]) => {
  if (net.isIP(hostname)) return (realLookup as (...args: unknown[]) => void)(hostname, ...rest);
  realLookups.push(hostname);
  throw new Error(`no real DNS lookup in this test (${hostname})`);
}) as unknown as typeof dns.lookup);
vi.spyOn(dns.promises, "lookup").mockImplementation(((hostname: string) => {
  realLookups.push(hostname);
  return Promise.reject(new Error(`no real DNS lookup in this test (${hostname})`));
}) as unknown as typeof dns.promises.lookup);

const json = sendJson;
type Local = LocalServer;
const listen = listenLocal;

const BODY_MARKER = "internal-service-answer-7f3a";
const KEY = "u+Egress_Test_Key-0001";
const SECRET = "oauth+Egress_Secret-0001";

/** A PagerDuty stand-in: full access for KEY, a token for SECRET. */
let pd: Local;
/** The "other host" a redirect points to: must never see a connection. */
let elsewhere: Local;
/** Answers every request with a redirect to `elsewhere` (by a name the stub resolves to 127.0.0.1), with a body. */
let redirector: Local;

beforeAll(async () => {
  pd = await listen((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      if (req.url === "/oauth/token") {
        return new URLSearchParams(body).get("client_secret") === SECRET ? json(res, 200, { access_token: "pdus+_egress1", expires_in: 86_400, scope: "as_account-us.acme users.read" }) : json(res, 401, { error: "invalid_client", error_description: BODY_MARKER });
      }
      const auth = req.headers.authorization;
      if (auth !== `Token token=${KEY}` && auth !== "Bearer pdus+_egress1") return json(res, 401, { error: { code: 2006, message: BODY_MARKER } });
      if (req.url === "/abilities") return json(res, 200, { abilities: ["teams"] });
      return json(res, 404, { error: { code: 2100, message: "Not Found" } });
    });
  });
  elsewhere = await listen((_req, res) => json(res, 200, { abilities: ["teams"], note: "should never be reached" }));
  redirector = await listen((req, res) => {
    req.resume();
    json(res, 302, { message: BODY_MARKER }, { location: `http://pd-internal.test:${elsewhere.port}${req.url ?? "/"}` });
  });
});
afterAll(async () => {
  await Promise.all([pd?.close(), elsewhere?.close(), redirector?.close()]);
});
beforeEach(() => {
  connects.length = 0;
});

/** A stub resolver: a fixed table, and a log of what was asked. */
function stubResolver(table: Record<string, string[]>) {
  const asked: string[] = [];
  const resolver = async (hostname: string): Promise<ResolvedAddress[]> => {
    asked.push(hostname);
    const addresses = table[hostname];
    if (!addresses) throw new Error(`ENOTFOUND ${hostname}`);
    return addresses.map((address) => ({ address, family: net.isIPv6(address) ? 6 : 4 }));
  };
  return { resolver, asked };
}

const PUBLIC = "44.224.10.21"; // an ordinary public address; nothing ever connects to it here

describe("addresses", () => {
  it("reads every IPv4 spelling as the URL parser and inet_aton do", () => {
    expect(parseIPv4("2852039166")).toEqual([169, 254, 169, 254]);
    expect(parseIPv4("0xa9fea9fe")).toEqual([169, 254, 169, 254]);
    expect(parseIPv4("0177.0.0.1")).toEqual([127, 0, 0, 1]);
    expect(parseIPv4("127.1")).toEqual([127, 0, 0, 1]);
    expect(parseIPv4("0x7f.0.0.0x1")).toEqual([127, 0, 0, 1]);
    expect(parseIPv4("256.0.0.1")).toBeNull();
    expect(parseIPv4("api.pagerduty.com")).toBeNull();
    expect(new URL("http://2852039166/").hostname).toBe("169.254.169.254");
    expect(new URL("http://0xa9fea9fe/").hostname).toBe("169.254.169.254");
    expect(new URL("http://0177.0.0.1/").hostname).toBe("127.0.0.1");
    expect(parseIPv6("::ffff:127.0.0.1")).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1]);
    expect(parseIPv6("[fe80::1%eth0]")?.slice(0, 2)).toEqual([0xfe, 0x80]);
  });

  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["10.0.0.5", "private"],
    ["172.16.4.4", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "shared"],
    ["100.100.100.200", "metadata"],
    ["169.254.169.254", "metadata"],
    ["169.254.1.1", "link-local"],
    ["0.0.0.0", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "reserved"],
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["fc00::1", "private"],
    ["fd12:3456::1", "private"],
    ["fd00:ec2::254", "metadata"],
    ["fe80::1", "link-local"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:169.254.169.254", "metadata"],
    ["::ffff:10.0.0.5", "private"],
    ["::127.0.0.1", "loopback"],
    ["64:ff9b::a00:5", "private"],
    ["2002:a9fe:a9fe::1", "metadata"],
    ["not-an-address", "reserved"],
  ])("%s is %s", (address, klass) => {
    expect(classifyAddress(address)).toBe(klass);
  });

  it.each(["44.224.10.21", "8.8.8.8", "172.32.0.1", "2600:1f18::1", "::ffff:44.224.10.21"])("%s is public", (address) => {
    expect(classifyAddress(address)).toBeNull();
  });

  it("allow-list entries: host or host:port, normalised; anything else is an actionable error", () => {
    expect(parseHostEntry("Proxy.Internal:8443")).toEqual({ host: "proxy.internal", port: 8443 });
    expect(parseHostEntry("0x7f.1")).toEqual({ host: "127.0.0.1", port: null });
    expect(parseHostEntry("[::1]:4010")).toEqual({ host: "[::1]", port: 4010 });
    expect(parseHostEntry("https://proxy.internal")).toEqual({ error: expect.stringMatching(/has a scheme: list the host only, e\.g\. proxy\.internal/) as unknown });
    expect(parseHostEntry("proxy.internal/api")).toMatchObject({ error: expect.stringMatching(/without path/) as unknown });
    expect(parseHostEntry("*.internal")).toMatchObject({ error: expect.stringMatching(/wildcards/) as unknown });
    expect(parseHostEntry("proxy:99999")).toMatchObject({ error: expect.stringMatching(/not a valid host|outside 1-65535/) as unknown });
  });
});

describe("PAGERDUTY_ALLOWED_HOSTS and SIMULATOR_URL", () => {
  it("are validated with messages a person can act on", () => {
    expect(egressEnv({ PAGERDUTY_ALLOWED_HOSTS: " proxy.internal:8443, 127.0.0.1 ,", SIMULATOR_URL: "http://127.0.0.1:4010" })).toEqual({ allowedHosts: ["proxy.internal:8443", "127.0.0.1"], simulatorUrl: "http://127.0.0.1:4010" });
    expect(() => egressEnv({ PAGERDUTY_ALLOWED_HOSTS: "https://proxy.internal/" })).toThrow(ConfigError);
    expect(() => egressEnv({ PAGERDUTY_ALLOWED_HOSTS: "https://proxy.internal/" })).toThrow(/PAGERDUTY_ALLOWED_HOSTS: "https:\/\/proxy\.internal\/" has a scheme: list the host only, e\.g\. proxy\.internal\. List hosts the portal may send PagerDuty credentials to/);
    expect(() => parseEnv({ DEMO_MODE: "true", PAGERDUTY_ALLOWED_HOSTS: "*" })).toThrow(/PAGERDUTY_ALLOWED_HOSTS: "\*" is not a host/);
    expect(parseEnv({ DEMO_MODE: "true", PAGERDUTY_ALLOWED_HOSTS: "pd-proxy.internal" }).pagerDutyAllowedHosts).toEqual(["pd-proxy.internal"]);
    expect(() => egressEnv({ SIMULATOR_URL: "ftp://127.0.0.1:4010" })).toThrow(/SIMULATOR_URL must be the bundled simulator's http\(s\) URL/);
    expect(configuredAllowedHosts({ PAGERDUTY_ALLOWED_HOSTS: "proxy.internal", SIMULATOR_URL: "http://127.0.0.1:4010" })).toEqual(["proxy.internal", "127.0.0.1:4010"]);
  });
});

describe("refused before any connection is made", () => {
  const { resolver, asked } = stubResolver({
    "api.pagerduty.com": ["127.0.0.1"],
    "api.eu.pagerduty.com": ["10.0.0.5"],
    "identity.pagerduty.com": [PUBLIC, "::ffff:169.254.169.254"],
    "identity.eu.pagerduty.com": ["fd00:ec2::254"],
  });
  // The operator listed nothing: neither loopback nor anything else is trusted.
  const guard = createEgressGuard({ allowedHosts: [], resolver });

  const table: [string, string, RegExp][] = [
    ["cloud metadata", "http://169.254.169.254/latest/meta-data/", /169\.254\.169\.254 is a cloud metadata address/],
    ["a private address", "https://10.0.0.5", /10\.0\.0\.5 is a private network address/],
    ["loopback", "http://127.0.0.1:4010", /127\.0\.0\.1 is a loopback address/],
    ["IPv6 loopback", "http://[::1]:4010", /\[::1\] is a loopback address/],
    ["localhost", "http://localhost:4010", /localhost is this machine/],
    ["a decimal IP spelling", "http://2852039166/", /169\.254\.169\.254 is a cloud metadata address/],
    ["a hex IP spelling", "http://0xa9fea9fe/", /169\.254\.169\.254 is a cloud metadata address/],
    ["an octal IP spelling", "http://0177.0.0.1/", /127\.0\.0\.1 is a loopback address/],
    ["an IPv4-mapped IPv6 literal", "http://[::ffff:a9fe:a9fe]/", /is a cloud metadata address/],
    ["some other host", "https://pagerduty.example.com", /not one of PagerDuty's API or identity hosts.*PAGERDUTY_ALLOWED_HOSTS/],
    ["a look-alike host", "https://api.pagerduty.com.evil.test", /not one of PagerDuty's API or identity hosts/],
    ["PagerDuty over plain http", "http://api.pagerduty.com", /https only/],
    ["PagerDuty on another port", "https://api.pagerduty.com:8443", /standard https port/],
    ["credentials in the URL", "https://user:pw@api.pagerduty.com", /must not contain a user name or password/],
    ["a name resolving to loopback", "https://api.pagerduty.com", /api\.pagerduty\.com: it resolves to 127\.0\.0\.1, a loopback address/],
    ["a name resolving to a private address", "https://api.eu.pagerduty.com", /resolves to 10\.0\.0\.5, a private network address/],
    ["a name with one mapped metadata address among public ones", "https://identity.pagerduty.com/oauth/token", /resolves to ::ffff:169\.254\.169\.254, a cloud metadata address/],
    ["a name resolving to IPv6 metadata", "https://identity.eu.pagerduty.com/oauth/token", /fd00:ec2::254, a cloud metadata address/],
    ["not http(s)", "file:///etc/passwd", /must be an https URL/],
  ];

  it.each(table)("%s: %s", async (_what, url, message) => {
    await expect(guard.check(url)).rejects.toThrow(message);
    expect(connects).toEqual([]);
  });

  it("every request path refuses them: REST over pdjs and over fetch, the OAuth token request, the credential check", async () => {
    const before = asked.length;
    for (const [, url] of table) {
      if (url.startsWith("file:")) continue;
      const apiKey: PagerDutyCredential = { kind: "api_key", token: KEY };
      const oauth: PagerDutyCredential = { kind: "oauth", clientId: "app", clientSecret: SECRET, subdomain: "acme", region: "us", scopes: ["users.read"], tokenUrl: url };
      const viaPdjs = createPagerDutyClient({ baseUrl: url, credential: apiKey, egress: guard, budget: new RateBudget() });
      await expect(viaPdjs.listAbilities()).rejects.toMatchObject({ kind: "egress", status: 0 });
      const viaFetch = createPagerDutyClient({ baseUrl: url, credential: apiKey, egress: guard, fetch: globalThis.fetch, budget: new RateBudget() });
      await expect(viaFetch.listAbilities()).rejects.toMatchObject({ kind: "egress" });
      // An OAuth app whose API is fine (https://api.pagerduty.com is refused here too, so the token URL is the
      // one under test: the client must not even ask for a token).
      const app = createPagerDutyClient({ baseUrl: url, credential: oauth, egress: guard, budget: new RateBudget() });
      await expect(app.authenticate()).rejects.toMatchObject({ kind: "egress" });
      const check = await checkCredential(viaPdjs);
      expect(check).toMatchObject({ ok: false, accessLevel: "unknown" });
      expect(check.message).toMatch(/Nothing was sent\.$/);
      expect(check.message).not.toContain(KEY);
    }
    expect(connects).toEqual([]);
    expect(realLookups).toEqual([]);
    // Only PagerDuty's own names were ever resolved (through the stub): nothing else gets that far.
    expect(new Set(asked.slice(before))).toEqual(new Set(PAGERDUTY_HOSTS));
  });

  it("a name the resolver cannot resolve is refused with what to check", async () => {
    const noDns = createEgressGuard({ resolver: async () => [] });
    await expect(noDns.check("https://api.pagerduty.com")).rejects.toThrow(/has no address \(DNS\)/);
    expect(connects).toEqual([]);
  });
});

describe("accepted", () => {
  it("PagerDuty's hosts, US and EU, resolving to public addresses: pinned to what was checked, nothing connected", async () => {
    const { resolver, asked } = stubResolver(Object.fromEntries(PAGERDUTY_HOSTS.map((h) => [h, [PUBLIC, "2600:1f18::1"]])));
    const guard = createEgressGuard({ resolver });
    for (const url of [API_BASE_URLS.us, API_BASE_URLS.eu, TOKEN_URLS.us, TOKEN_URLS.eu]) {
      const target = await guard.check(url);
      expect(target).toMatchObject({ host: new URL(url).host, allowListed: false, addresses: [{ address: PUBLIC, family: 4 }, { address: "2600:1f18::1", family: 6 }] });
      const all = await new Promise<unknown>((resolve, reject) => target.lookup!(new URL(url).hostname, { all: true }, (e, a) => (e ? reject(e) : resolve(a))));
      expect(all).toEqual([{ address: PUBLIC, family: 4 }, { address: "2600:1f18::1", family: 6 }]);
      const v4 = await new Promise<unknown>((resolve, reject) => target.lookup!(new URL(url).hostname, { family: 4 }, (e, a) => (e ? reject(e) : resolve(a))));
      expect(v4).toBe(PUBLIC);
      // Asked for any other name (a redirect, a rebinding trick), the pinned lookup refuses.
      await expect(new Promise((resolve, reject) => target.lookup!("evil.test", {}, (e, a) => (e ? reject(e) : resolve(a))))).rejects.toThrow(/evil\.test was not checked/);
    }
    expect(asked).toEqual(["api.pagerduty.com", "api.eu.pagerduty.com", "identity.pagerduty.com", "identity.eu.pagerduty.com"]);
    expect(connects).toEqual([]);
    expect(realLookups).toEqual([]);
  });

  it("the simulator's host (SIMULATOR_URL) and operator-listed hosts, and only on the listed port", async () => {
    const { resolver, asked } = stubResolver({});
    const guard = createEgressGuard({ allowedHosts: configuredAllowedHosts({ SIMULATOR_URL: pd.url, PAGERDUTY_ALLOWED_HOSTS: "proxy.internal:8443" }), resolver });
    expect(await guard.check(`${pd.url}/abilities`)).toMatchObject({ allowListed: true, addresses: [] });
    expect(await guard.check("https://proxy.internal:8443/")).toMatchObject({ allowListed: true });
    await expect(guard.check("https://proxy.internal/")).rejects.toThrow(/not one of PagerDuty's/);
    await expect(guard.check(`http://127.0.0.1:${elsewhere.port}`)).rejects.toThrow(/loopback/);
    expect(asked).toEqual([]);
    expect(connects).toEqual([]);

    // And a real check against the simulator's address works, over pdjs and over fetch.
    for (const fetchImpl of [undefined, globalThis.fetch]) {
      const client = createPagerDutyClient({ baseUrl: pd.url, credential: { kind: "api_key", token: KEY }, egress: guard, fetch: fetchImpl, budget: new RateBudget() });
      expect(await checkCredential(client)).toMatchObject({ ok: true, accessLevel: "full" });
    }
    const app = createPagerDutyClient({ baseUrl: pd.url, credential: { kind: "oauth", clientId: "app", clientSecret: SECRET, subdomain: "acme", region: "us", scopes: ["users.read"], tokenUrl: `${pd.url}/oauth/token` }, egress: guard, budget: new RateBudget() });
    expect(await checkCredential(app)).toMatchObject({ ok: true });
    // The spy sees real connections (so its silence above means something): all of them to the simulator.
    expect(connects.length).toBeGreaterThan(0);
    expect(connects.every((c) => c === `127.0.0.1:${pd.port}`)).toBe(true);
  });
});

describe("redirects are never followed to another host", () => {
  it("a listed local server redirecting to another local server's name: refused, the other server never connected to, no body shown", async () => {
    const { resolver } = stubResolver({ "pd-internal.test": ["127.0.0.1"] });
    const guard = createEgressGuard({ allowedHosts: [`127.0.0.1:${redirector.port}`], resolver });
    const before = elsewhere.connections;
    for (const fetchImpl of [undefined, globalThis.fetch]) {
      const client = createPagerDutyClient({ baseUrl: redirector.url, credential: { kind: "api_key", token: KEY }, egress: guard, fetch: fetchImpl, budget: new RateBudget(), retry: { attempts: 1 } });
      const error = (await client.listAbilities().catch((e: unknown) => e)) as Error;
      expect(error).toMatchObject({ kind: "http", status: 302 });
      expect(error.message).toMatch(/redirect, which the portal does not follow/);
      expect(error.message).not.toContain(BODY_MARKER);
      const check = await checkCredential(client);
      expect(check).toMatchObject({ ok: false });
      expect(check.message).toMatch(/redirect \(HTTP 302\), which the portal does not follow/);
      expect(check.message).not.toContain(BODY_MARKER);
    }
    // The OAuth token request too (the client secret is the thing a redirect would steal).
    for (const fetchImpl of [undefined, globalThis.fetch]) {
      const app = createPagerDutyClient({ baseUrl: redirector.url, credential: { kind: "oauth", clientId: "app", clientSecret: SECRET, subdomain: "acme", region: "us", scopes: ["users.read"], tokenUrl: `${redirector.url}/oauth/token` }, egress: guard, fetch: fetchImpl, budget: new RateBudget(), retry: { attempts: 1 } });
      const check = await checkCredential(app);
      expect(check.message).toMatch(/^Could not get an OAuth token: the identity endpoint answered with a redirect \(HTTP 302\), which the portal does not follow/);
      expect(check.message).not.toContain(BODY_MARKER);
    }
    expect(elsewhere.connections).toBe(before);
    expect(elsewhere.requests).toEqual([]);
    expect(connects.length).toBeGreaterThan(0);
    expect(connects.every((c) => c === `127.0.0.1:${redirector.port}`)).toBe(true);
    expect(realLookups).toEqual([]);
  });
});

describe("pinning", () => {
  it("the pdjs transport connects to the checked address, not to whatever DNS says later", async () => {
    // A name nobody can resolve: only the pinned lookup knows where it is (a local server).
    const url = `http://pinned-pd.test:${pd.port}/abilities`;
    const target: EgressTarget = { url: new URL(url), host: `pinned-pd.test:${pd.port}`, allowListed: false, addresses: [{ address: "127.0.0.1", family: 4 }], lookup: pinnedLookup("pinned-pd.test", [{ address: "127.0.0.1", family: 4 }]) };
    const response = await pdjsTransport({ method: "GET", url, query: {}, auth: { tokenType: "token", token: KEY }, headers: {}, target }, new AbortController().signal);
    expect(response).toMatchObject({ status: 200, body: { abilities: ["teams"] } });
    expect(connects).toEqual([`pinned-pd.test:${pd.port}`]);
    expect(realLookups).toEqual([]);
  });

  it("the OAuth token request (node:http path) is pinned the same way", async () => {
    const url = `http://pinned-id.test:${pd.port}/oauth/token`;
    const target: EgressTarget = { url: new URL(url), host: `pinned-id.test:${pd.port}`, allowListed: false, addresses: [{ address: "127.0.0.1", family: 4 }], lookup: pinnedLookup("pinned-id.test", [{ address: "127.0.0.1", family: 4 }]) };
    const guard: EgressGuard = { allowedHosts: [], isAllowListed: () => false, check: async () => target };
    const response = await guardedFetch(guard)(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `client_secret=${encodeURIComponent(SECRET)}` });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ access_token: "pdus+_egress1" });
    expect(realLookups).toEqual([]);
  });
});
