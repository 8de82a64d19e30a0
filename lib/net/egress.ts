/**
 * The egress guard: the one place that decides whether the portal may send a PagerDuty credential to a URL.
 * Every outbound PagerDuty request (lib/pagerduty: the REST transport, the OAuth token request, the
 * credential check) asks `check()` first and connects only to what it returns. docs/decisions/0011.
 *
 * A URL passes when either
 *  - its host is allow-listed by the operator (PAGERDUTY_ALLOWED_HOSTS, host or host:port, plus the host of
 *    SIMULATOR_URL): trusted as configured, any address, http allowed; or
 *  - it is one of PagerDuty's own hosts (api[.eu].pagerduty.com, identity[.eu].pagerduty.com) over https on
 *    port 443, AND every address the resolver gives for it is an ordinary public address (not loopback,
 *    private, link-local, metadata, unspecified, … nor an IPv4-mapped IPv6 form of those).
 * Anything else is refused before any connection is made. IP literals in any spelling (2852039166,
 * 0xa9fea9fe, 0177.0.0.1) are normalised by the URL parser first, so they are refused like their dotted form.
 *
 * Pinning: for a checked name the target carries a `lookup` that answers only with the addresses that were
 * checked, so the connection cannot go to a different address than the one checked (no DNS-rebinding window
 * between check and connect). Redirects are never followed (callers use redirect:"manual").
 *
 * DNS goes through an injectable `Resolver`; tests pass a stub and never make a real lookup.
 */
import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { egressEnv } from "@/lib/config/env";
import { PAGERDUTY_HOSTS } from "@/lib/pagerduty/hosts";
import { ADDRESS_CLASS_WORDS, classifyAddress, ipLiteral, isLocalhostName, parseHostEntry, type HostEntry } from "./addresses";

/** PagerDuty's own API and identity hosts (NOTES §1.1, §1.3): reachable without being listed. */
export { PAGERDUTY_HOSTS };

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Name → addresses. Injected so tests never make a real lookup. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** The operating system's resolver (getaddrinfo), every address it returns. */
export const systemResolver: Resolver = async (hostname) => {
  const answers = await dns.promises.lookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

export type EgressRefusalReason = "invalid_url" | "protocol" | "credentials_in_url" | "host" | "port" | "address" | "resolve" | "redirect";

/** A URL the portal will not send a credential to. The message says why and what to do; it names no secret. */
export class EgressRefusedError extends Error {
  constructor(
    readonly reason: EgressRefusalReason,
    readonly host: string,
    message: string,
  ) {
    super(message);
    this.name = "EgressRefusedError";
  }
}

export function isEgressRefused(error: unknown): error is EgressRefusedError {
  return error instanceof EgressRefusedError;
}

/** Where a request may go: the checked URL and, for a checked name, the only addresses it may connect to. */
export interface EgressTarget {
  url: URL;
  /** host[:port] as in the URL (the connection's identity; redirects elsewhere are refused). */
  host: string;
  /** Operator-listed host: trusted as configured, connected through the normal resolver. */
  allowListed: boolean;
  /** The checked addresses (empty for allow-listed hosts and IP literals). */
  addresses: ResolvedAddress[];
  /** Pins the connection to `addresses`; undefined when nothing needs pinning (allow-listed, IP literal). */
  lookup?: LookupFunction;
}

export interface EgressGuard {
  /** Checks a URL (resolving its name) and returns where to connect, or throws EgressRefusedError. */
  check(url: string | URL): Promise<EgressTarget>;
  /** Is this URL's host listed by the operator (no DNS)? For forms that explain what is accepted. */
  isAllowListed(url: string | URL): boolean;
  /** The operator's entries, normalised (for messages and pages). */
  readonly allowedHosts: readonly string[];
}

export interface EgressGuardOptions {
  /** host or host:port entries (PAGERDUTY_ALLOWED_HOSTS and the simulator's host). */
  allowedHosts?: readonly string[];
  resolver?: Resolver;
}

const defaultPort = (protocol: string) => (protocol === "https:" ? 443 : 80);

export function createEgressGuard(options: EgressGuardOptions = {}): EgressGuard {
  const resolver = options.resolver ?? systemResolver;
  const entries: HostEntry[] = [];
  for (const raw of options.allowedHosts ?? []) {
    const entry = parseHostEntry(raw);
    if ("error" in entry) throw new Error(`invalid allowed host: ${entry.error}`);
    entries.push(entry);
  }
  const allowedHosts = entries.map((e) => (e.port === null ? e.host : `${e.host}:${e.port}`));

  const parse = (input: string | URL): URL => {
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      throw new EgressRefusedError("invalid_url", "", "The address is not a valid URL.");
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      throw new EgressRefusedError("protocol", url.host, `The address must be an https URL (got ${url.protocol}).`);
    }
    if (url.username || url.password) {
      throw new EgressRefusedError("credentials_in_url", url.host, "The address must not contain a user name or password.");
    }
    return url;
  };

  const listed = (url: URL): boolean => {
    const port = url.port ? Number(url.port) : defaultPort(url.protocol);
    return entries.some((e) => e.host === url.hostname && (e.port === null || e.port === port));
  };

  const notListed = (host: string, why: string) =>
    new EgressRefusedError(
      "host",
      host,
      `The portal does not send credentials to ${host}: ${why}. Use the PagerDuty instance URL (https://<subdomain>.pagerduty.com or https://<subdomain>.eu.pagerduty.com); ` +
        "a proxy or simulator must first be listed by the operator in PAGERDUTY_ALLOWED_HOSTS.",
    );

  return {
    allowedHosts,
    isAllowListed: (input) => {
      try {
        return listed(parse(input));
      } catch {
        return false;
      }
    },
    async check(input) {
      const url = parse(input);
      const host = url.host;
      if (listed(url)) return { url, host, allowListed: true, addresses: [] };

      const literal = ipLiteral(url.hostname);
      if (literal) {
        const klass = classifyAddress(literal);
        throw notListed(host, klass ? `${literal} is ${ADDRESS_CLASS_WORDS[klass]}` : "an IP address is not one of PagerDuty's hosts");
      }
      if (isLocalhostName(url.hostname)) throw notListed(host, "localhost is this machine");
      if (!PAGERDUTY_HOSTS.includes(url.hostname)) throw notListed(host, "it is not one of PagerDuty's API or identity hosts");
      if (url.protocol !== "https:") throw new EgressRefusedError("protocol", host, `PagerDuty is reached over https only: use https://${url.hostname}.`);
      if (url.port && url.port !== "443") throw new EgressRefusedError("port", host, `PagerDuty is reached on the standard https port: use https://${url.hostname} without a port.`);

      let addresses: ResolvedAddress[];
      try {
        addresses = await resolver(url.hostname);
      } catch {
        throw new EgressRefusedError("resolve", host, `${url.hostname} could not be resolved (DNS). Check the server's network and DNS, then try again.`);
      }
      if (addresses.length === 0) throw new EgressRefusedError("resolve", host, `${url.hostname} has no address (DNS). Check the server's DNS, then try again.`);
      for (const { address } of addresses) {
        const klass = classifyAddress(address);
        if (klass) {
          throw new EgressRefusedError(
            "address",
            host,
            `The portal does not send credentials to ${url.hostname}: it resolves to ${address}, ${ADDRESS_CLASS_WORDS[klass]}. ` +
              "Check the server's DNS; an internal proxy must be listed by the operator in PAGERDUTY_ALLOWED_HOSTS.",
          );
        }
      }
      return { url, host, allowListed: false, addresses, lookup: pinnedLookup(url.hostname, addresses) };
    },
  };
}

/**
 * A `lookup` for net/tls that answers only for `hostname`, only with the checked addresses: the socket
 * connects where the guard looked, never to a fresh (possibly rebound) DNS answer.
 */
export function pinnedLookup(hostname: string, addresses: readonly ResolvedAddress[]): LookupFunction {
  return (name, options, callback) => {
    const fail = (message: string) => callback(Object.assign(new Error(message), { code: "EEGRESS" }), "", 0);
    if (name.toLowerCase() !== hostname) return fail(`egress: ${name} was not checked`);
    const family = typeof options === "number" ? options : options?.family;
    const list = family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : [...addresses];
    if (list.length === 0) return fail(`egress: no checked IPv${String(family)} address for ${name}`);
    if (typeof options === "object" && options?.all) return callback(null, list.map((a) => ({ address: a.address, family: a.family })));
    callback(null, list[0]!.address, list[0]!.family);
  };
}

/** The operator's allow-list: PAGERDUTY_ALLOWED_HOSTS plus the host:port of SIMULATOR_URL. */
export function configuredAllowedHosts(source?: Record<string, string | undefined>): string[] {
  const { allowedHosts, simulatorUrl } = egressEnv(source);
  const hosts = [...allowedHosts];
  if (simulatorUrl) {
    const u = new URL(simulatorUrl);
    hosts.push(`${u.hostname}:${u.port || defaultPort(u.protocol)}`);
  }
  return hosts;
}

let installed: EgressGuard | undefined;

/** The process's guard: the configured allow-list and the system resolver (or what `setEgressGuard` installed). */
export function egressGuard(): EgressGuard {
  installed ??= createEgressGuard({ allowedHosts: configuredAllowedHosts(), resolver: systemResolver });
  return installed;
}

/** Replaces the process's guard (tests: a stub resolver and their own allow-list); undefined: back to the configured one. */
export function setEgressGuard(guard: EgressGuard | undefined): void {
  installed = guard;
}

export interface GuardedFetchOptions {
  /** Answer bodies larger than this are cut off (an identity endpoint's answer is tiny). */
  maxBodyBytes?: number;
}

/**
 * A fetch that goes through the guard: the URL is checked first, redirects are never followed (a 3xx is
 * returned as it is), and, unless a `fetchImpl` is given (tests, runtimes without node:http), the request
 * goes out over node:http(s) pinned to the checked addresses.
 */
export function guardedFetch(guard: EgressGuard, fetchImpl?: typeof fetch, options: GuardedFetchOptions = {}): (url: string, init: RequestInit) => Promise<Response> {
  return async (url, init) => {
    const target = await guard.check(url);
    if (fetchImpl) return fetchImpl(target.url, { ...init, redirect: "manual" });
    return nodeRequest(target, init, options.maxBodyBytes ?? 1_000_000);
  };
}

function nodeRequest(target: EgressTarget, init: RequestInit, maxBodyBytes: number): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => (headers[key] = value));
    const body = typeof init.body === "string" ? init.body : init.body == null ? undefined : String(init.body);
    if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
    const mod = target.url.protocol === "https:" ? https : http;
    const req = mod.request(target.url, {
      method: init.method ?? "GET",
      headers,
      agent: false,
      ...(target.lookup ? { lookup: target.lookup } : {}),
      ...(init.signal ? { signal: init.signal } : {}),
    });
    req.on("error", reject);
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size <= maxBodyBytes) chunks.push(chunk);
      });
      res.on("error", reject);
      res.on("end", () => {
        const status = res.statusCode ?? 502;
        const responseHeaders = new Headers();
        for (const [key, value] of Object.entries(res.headers)) {
          if (value === undefined) continue;
          for (const v of Array.isArray(value) ? value : [value]) responseHeaders.append(key, v);
        }
        const nullBody = status === 204 || status === 205 || status === 304;
        resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status: status < 200 || status > 599 ? 502 : status, headers: responseHeaders }));
      });
    });
    req.end(body);
  });
}
