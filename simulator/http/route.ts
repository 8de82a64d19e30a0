/**
 * How endpoints plug into the simulator's server. A route is a method, a path template written as in the
 * OpenAPI file ("/teams/{id}/users/{user_id}"), the OAuth scope PagerDuty requires for it
 * (`x-pd-requires-scope`), and a handler. The server does everything common before calling the handler:
 * authentication, the Accept header, rate limiting, faults, latency, read-only-key and scope refusals,
 * JSON parsing, statistics. Handlers are synchronous functions of the request and the account's state,
 * throw PdError for PagerDuty-style failures, and return the status and body PagerDuty would.
 */
import type { Principal } from "../core/model";
import type { SimState } from "../core/state";
import type { SimClock } from "../core/clock";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

export interface SimRequest {
  method: HttpMethod;
  /** The route template that matched, e.g. "/teams/{id}/members" (stats are kept per template). */
  route: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body (undefined when there was none); malformed JSON never reaches a handler. */
  body: unknown;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  principal: Principal;
  /** One id per HTTP request (audit records of one call share it). */
  requestId: string;
  remoteAddress: string;
}

export interface SimResponse {
  status: number;
  /** JSON-serialised unless undefined (204). */
  body?: unknown;
  /** The body already serialised as UTF-8 JSON (hot list routes build it from cached parts); wins over `body`. */
  json?: Buffer;
  headers?: Record<string, string>;
}

export interface SimContext {
  state: SimState;
  clock: SimClock;
  /** Base URL the simulator is served at (for `self` links). */
  baseUrl: string;
}

export interface RouteDef {
  method: HttpMethod;
  path: string;
  /** OAuth scope required (from the spec's x-pd-requires-scope); undefined: any authenticated caller. */
  scope?: string;
  /** Writes are refused (403) for read-only keys. Defaults to method !== "GET". */
  write?: boolean;
  handler: (req: SimRequest, ctx: SimContext) => SimResponse;
}

export const defineRoutes = (routes: RouteDef[]): RouteDef[] => routes;
