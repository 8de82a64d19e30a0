/**
 * The wire: one HTTP exchange, no retries, no budget, no error mapping (http.ts does those).
 *
 * Default transport: @pagerduty/pdjs's `api()`, which supplies PagerDuty's conventions (URL building with
 * repeated `key[]` query parameters, `Accept: application/vnd.pagerduty+json;version=2`,
 * `Authorization: Token token=…` or `Bearer …`, JSON bodies). Its defects (NOTES §3) are neutralised here:
 *  - non-2xx answers resolve instead of rejecting → we read `status` ourselves and http.ts maps it;
 *  - `requestTimeout` never aborts → we pass our own AbortSignal, which node-fetch honours (body included);
 *  - a 429 is retried inside pdjs after a fixed wait, invisible to the caller and outside any budget → we
 *    watch the exchange through a keep-alive http(s).Agent wrapper and, the moment a 429 status line
 *    arrives, abort the request. pdjs's internal retry then fails on the aborted signal before it touches the
 *    network (verified: one request on the wire), and the caller gets the 429 with its rate-limit headers;
 *  - `all()`/`next()` pagination is not used at all (pagination.ts).
 * See docs/decisions/0004-pagerduty-client.md for the evidence.
 *
 * Alternative transport: any `fetch` (the `fetch` option), for runtimes without node:http or for tests.
 *
 * Egress (docs/decisions/0011): every exchange carries the `target` the egress guard (lib/net/egress.ts)
 * returned for its URL. The pdjs transport connects only to the target's host, pinned to the checked
 * addresses (the agent's `lookup`), and neither transport follows a redirect: a 3xx is handed back as it is.
 */
import http from "node:http";
import https from "node:https";
import { api } from "@pagerduty/pdjs";
import { EgressRefusedError, type EgressTarget } from "@/lib/net/egress";
// pdjs does not re-export its parameter type from the package root (PagerDuty/pdjs#410).
import type { APIParameters } from "@pagerduty/pdjs/build/src/api";

export type QueryValue = string | number | boolean | readonly (string | number)[];

export interface WireRequest {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Absolute URL without the query string. */
  url: string;
  query: Record<string, QueryValue | undefined>;
  auth: { tokenType: "token" | "bearer"; token: string };
  headers: Record<string, string>;
  /** JSON body for writes. */
  body?: unknown;
  /** What the egress guard allowed for `url`: the only host (and, for a checked name, addresses) to connect to. */
  target: EgressTarget;
}

export interface WireResponse {
  status: number;
  header: (name: string) => string | null;
  /** Parsed JSON body; undefined for 204, empty or non-JSON bodies. */
  body: unknown;
}

export type Transport = (request: WireRequest, signal: AbortSignal) => Promise<WireResponse>;

export const USER_AGENT = "pagerduty-access-portal (+@pagerduty/pdjs 2.2.4)";
export const ACCEPT = "application/vnd.pagerduty+json;version=2";

/** Query values as PagerDuty wants them: arrays become repeated `key[]=` entries, scalars strings. */
export function queryStrings(query: WireRequest["query"]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    out[key] = Array.isArray(value) ? value.map(String) : String(value);
  }
  return out;
}

// Process-wide keep-alive pools: a sync issues thousands of requests to one host; a TLS handshake per
// request would cost more than the request. Free sockets are unref'd by Node, so they never hold a process.
let pools: { http: http.Agent; https: https.Agent } | undefined;
function pool(protocol: string): http.Agent {
  pools ??= {
    http: new http.Agent({ keepAlive: true, maxSockets: 32 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 32 }),
  };
  return protocol === "https:" ? pools.https : pools.http;
}

/**
 * An agent that behaves exactly like the shared pool but lets us see this one request's ClientRequest.
 * `Object.create` keeps every property and method of the pool (sockets are still pooled and reused);
 * only `addRequest`, which Node calls synchronously while constructing the request, is intercepted.
 */
function observingAgent(protocol: string, onRequest: (request: http.ClientRequest) => void, target: EgressTarget): http.Agent {
  const shared = pool(protocol);
  const agent = Object.create(shared) as http.Agent & { addRequest: (req: http.ClientRequest, options: object) => void };
  const addRequest = (shared as unknown as { addRequest: (req: http.ClientRequest, options: object) => void }).addRequest;
  agent.addRequest = (req, options) => {
    onRequest(req);
    // A new socket resolves the host through the guard's pinned lookup: it connects to a checked address only.
    addRequest.call(shared, req, target.lookup ? { ...options, lookup: target.lookup } : options);
  };
  return agent;
}

/** node-fetch asks for an agent per URL; any URL but the checked one (a redirect, say) gets none. */
function agentFor(url: URL, target: EgressTarget, watch: (request: http.ClientRequest) => void): http.Agent {
  if (url.host !== target.host || url.protocol !== target.url.protocol) {
    throw new EgressRefusedError("redirect", url.host, `The portal does not follow a redirect from ${target.host} to another address.`);
  }
  return observingAgent(url.protocol, watch, target);
}

class RateLimitedIntercept extends Error {
  constructor() {
    super("429 intercepted before pdjs could retry it");
    this.name = "RateLimitedIntercept";
  }
}

interface PdjsLikeResponse {
  status: number;
  headers: { get(name: string): string | null };
  data?: unknown;
}

function isPdjsResponse(value: unknown): value is PdjsLikeResponse {
  return typeof value === "object" && value !== null && typeof (value as { status?: unknown }).status === "number" &&
    typeof (value as { headers?: { get?: unknown } }).headers?.get === "function";
}

export const pdjsTransport: Transport = (request, signal) =>
  new Promise<WireResponse>((resolve, reject) => {
    const inner = new AbortController();
    let intercepted: WireResponse | undefined;
    const forwardAbort = () => inner.abort(signal.reason);
    if (signal.aborted) forwardAbort();
    else signal.addEventListener("abort", forwardAbort, { once: true });

    const watch = (req: http.ClientRequest) => {
      req.once("response", (res: http.IncomingMessage) => {
        if (res.statusCode !== 429) return;
        const headers = res.headers;
        intercepted = {
          status: 429,
          header: (name) => {
            const value = headers[name.toLowerCase()];
            return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
          },
          // The body is dropped with the aborted exchange; PagerDuty documents it as fixed (code 2020).
          body: { error: { code: 2020, message: "Rate Limit Exceeded" } },
        };
        inner.abort(new RateLimitedIntercept());
      });
    };

    const hasBody = request.method !== "GET" && request.body !== undefined;
    const parameters = {
      url: request.url,
      method: request.method,
      token: request.auth.token,
      tokenType: request.auth.tokenType,
      version: 2,
      queryParameters: queryStrings(request.query),
      headers: { "User-Agent": USER_AGENT, ...request.headers },
      ...(hasBody ? { data: request.body as object } : {}),
      signal: inner.signal,
      // With the 429 intercepted above, pdjs's own retry only ever meets an aborted signal; 0 keeps it from
      // leaving a 20 s timer behind.
      retryTimeout: 0,
      // Never follow a redirect: a 3xx comes back as the answer (http.ts refuses it).
      redirect: "manual",
      // node-fetch (under pdjs's cross-fetch) accepts an agent factory per request.
      agent: (url: URL) => agentFor(url, request.target, watch),
    };

    api(parameters as APIParameters)
      .then(
        (response) => {
          resolve({ status: response.status, header: (name) => response.headers.get(name), body: response.data ?? undefined });
        },
        (error: unknown) => {
          if (intercepted) resolve(intercepted);
          // pdjs rejects with the response itself when the body is not JSON (a proxy's HTML 502, say).
          else if (isPdjsResponse(error)) resolve({ status: error.status, header: (name) => error.headers.get(name), body: undefined });
          else reject(error);
        },
      )
      .finally(() => signal.removeEventListener("abort", forwardAbort));
  });

/** The same exchange over a WHATWG fetch, with the conventions pdjs would apply. */
export function fetchTransport(fetchImpl: typeof fetch): Transport {
  return async (request, signal) => {
    const url = new URL(request.url);
    if (url.host !== request.target.host) throw new EgressRefusedError("host", url.host, `${url.host} was not checked by the egress guard.`);
    for (const [key, value] of Object.entries(queryStrings(request.query))) {
      for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(key, item);
    }
    const hasBody = request.method !== "GET" && request.body !== undefined;
    const response = await fetchImpl(url, {
      method: request.method,
      headers: {
        Accept: ACCEPT,
        Authorization: request.auth.tokenType === "bearer" ? `Bearer ${request.auth.token}` : `Token token=${request.auth.token}`,
        "User-Agent": USER_AGENT,
        ...(hasBody ? { "Content-Type": "application/json" } : {}),
        ...request.headers,
      },
      body: hasBody ? JSON.stringify(request.body) : undefined,
      signal,
      redirect: "manual",
    });
    const text = await response.text();
    let body: unknown;
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
    }
    return { status: response.status, header: (name) => response.headers.get(name), body };
  };
}
