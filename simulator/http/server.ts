/**
 * The simulator's HTTP server (plain node:http: one table lookup and a handful of checks per request keep the
 * overhead far below what the benchmark's ≥ 1,000 list requests/s needs). Everything common to PagerDuty's
 * endpoints happens here, before the handler: authentication, the rate limit, injected faults and latency,
 * read-only-key and scope refusals, body parsing and statistics. Unknown paths and methods answer PagerDuty's
 * 404 body; a handler that throws something other than PdError answers 500 and logs a line — never a crash.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { SimClock } from "../core/clock";
import type { Principal } from "../core/model";
import { SimState } from "../core/state";
import { pagerDutyRoutes } from "../routes";
import { Credentials, accountOwnerId } from "./auth";
import { PdError, invalidInput, notFound, rateLimited } from "./errors";
import { FaultInjector, type FaultDecision } from "./faults";
import { RateLimiter } from "./rate-limit";
import type { HttpMethod, RouteDef, SimContext, SimRequest, SimResponse } from "./route";
import { Router, type RouteMatch } from "./router";
import { StatsCollector } from "./stats";

export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
const JSON_TYPE = "application/json; charset=utf-8";
const SERVER_ERROR_MESSAGES: Record<number, string> = { 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable" };

/** The mutable parts of a running simulator; the control API changes them, the server reads them per request. */
export interface SimRuntime {
  /** Replaced by a reset (POST /__sim/reset): always read it from here. */
  state: SimState;
  readonly clock: SimClock;
  readonly credentials: Credentials;
  readonly limiter: RateLimiter;
  readonly faults: FaultInjector;
  readonly stats: StatsCollector;
  /** Fixed latency added to every PagerDuty route (`--latency-ms`). */
  latencyMs: number;
}

export interface SimulatorServerOptions {
  /** PagerDuty endpoints (authenticated); default: every route in simulator/routes. Injectable for tests. */
  routes?: readonly RouteDef[];
  /** Control endpoints under /__sim/ (no PagerDuty authentication), built over the runtime. */
  controlRoutes?: (runtime: SimRuntime) => readonly RouteDef[];
  /** Parts of the runtime to use; the rest gets defaults (empty state, real clock, default keys, 960/min). */
  runtime?: Partial<SimRuntime>;
  bodyLimitBytes?: number;
  log?: (line: string) => void;
}

export function createSimulatorServer(options: SimulatorServerOptions = {}): SimulatorServer {
  const clock = options.runtime?.clock ?? new SimClock();
  const runtime: SimRuntime = {
    state: options.runtime?.state ?? new SimState(clock, 1),
    clock,
    credentials: options.runtime?.credentials ?? new Credentials({ clock, subdomain: "acme", userKeyUser: () => accountOwnerId(runtime.state) }),
    limiter: options.runtime?.limiter ?? new RateLimiter({ perMinute: 960 }),
    faults: options.runtime?.faults ?? new FaultInjector(),
    stats: options.runtime?.stats ?? new StatsCollector(),
    latencyMs: options.runtime?.latencyMs ?? 0,
  };
  return new SimulatorServer(runtime, options);
}

/** The OAuth client-credentials endpoint (PagerDuty serves it from identity.pagerduty.com; here on the same port). */
const TOKEN_ROUTE: RouteDef = { method: "POST", path: "/oauth/token", handler: () => ({ status: 500 }) };

export class SimulatorServer {
  readonly server: http.Server;
  url = "";
  private readonly router: Router;
  private readonly bodyLimit: number;
  private readonly log: (line: string) => void;
  private readonly hung = new Set<http.ServerResponse>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private context: SimContext | undefined;
  private requestSeq = 0;
  private readonly requestPrefix = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  private closing: Promise<void> | undefined;

  constructor(
    readonly runtime: SimRuntime,
    options: SimulatorServerOptions,
  ) {
    this.router = new Router([
      { kind: "pagerduty", routes: options.routes ?? pagerDutyRoutes },
      { kind: "identity", routes: [TOKEN_ROUTE] },
      { kind: "control", routes: options.controlRoutes?.(runtime) ?? [] },
    ]);
    this.bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
    this.log = options.log ?? ((line) => console.error(line));
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.log(`[simulator] unexpected failure on ${req.method} ${req.url}: ${describe(error)}`);
        if (!res.headersSent && !res.destroyed) this.send(res, "-", { status: 500, body: serverError(500).body() });
      });
    });
  }

  /** Starts listening; resolves with the base URL (`http://127.0.0.1:<port>`). */
  async listen(port = 0, host = "127.0.0.1"): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    this.url = `http://${host}:${address.port}`;
    this.context = undefined;
    return this.url;
  }

  /** Stops accepting, drops hung and keep-alive connections, cancels pending latency. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      for (const timer of this.timers) clearTimeout(timer);
      this.timers.clear();
      for (const res of this.hung) res.destroy();
      this.hung.clear();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  /** How many injected hung requests are being held right now. */
  get hungRequests(): number {
    return this.hung.size;
  }

  private ctx(): SimContext {
    if (this.context?.state !== this.runtime.state) this.context = { state: this.runtime.state, clock: this.runtime.clock, baseUrl: this.url };
    return this.context;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const requestId = `${this.requestPrefix}-${(++this.requestSeq).toString(36)}`;
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    const match = this.router.match(req.method ?? "GET", path);
    const counted = !path.startsWith("/__sim/");
    if (counted) this.runtime.stats.request(match?.key);
    if (!match) {
      req.resume();
      this.reply(res, requestId, counted, { status: 404, body: notFound().body() });
      return;
    }
    const raw = await this.readBody(req);
    if (raw === undefined) {
      res.setHeader("connection", "close");
      this.reply(res, requestId, counted, { status: 413, body: new PdError(413, 2001, "Request Entity Too Large", [`The request body exceeds ${this.bodyLimit} bytes.`]).body() });
      return;
    }
    const query = new URLSearchParams(q < 0 ? "" : url.slice(q + 1));
    if (match.kind === "control") {
      // Control routes take no PagerDuty credential; they never read the principal.
      this.reply(res, requestId, false, this.run(match, req, query, raw, requestId, { kind: "browser", userId: "" }));
      return;
    }
    if (match.kind === "identity") {
      await this.identity(req, res, match, raw, requestId);
      return;
    }
    await this.pagerDuty(req, res, match, query, raw, requestId);
  }

  private async pagerDuty(req: http.IncomingMessage, res: http.ServerResponse, match: RouteMatch, query: URLSearchParams, raw: string, requestId: string): Promise<void> {
    const { credentials, limiter, faults, stats } = this.runtime;
    let rateHeaders: Record<string, string> | undefined;
    let fault: FaultDecision | undefined;
    try {
      const principal = credentials.authenticate(req.headers.authorization);
      const bucket = credentials.bucket(principal);
      const rate = limiter.take(bucket);
      rateHeaders = rate?.headers;
      if (rate && !rate.allowed) {
        stats.limited();
        throw rateLimited(rate.headers);
      }
      fault = faults.decide(match.key);
      if (!(await this.applyFault(res, fault))) return;
      if (fault?.rateLimited) {
        rateHeaders = { ...(limiter.peek(bucket) ?? { "ratelimit-limit": "960", "ratelimit-reset": "60" }), "ratelimit-remaining": "0" };
        throw rateLimited(rateHeaders);
      }
      if (fault?.error?.mode === "before") throw serverError(fault.error.status);
      credentials.authorize(match.route, match.key, principal);
      const response = this.run(match, req, query, raw, requestId, principal);
      const write = match.route.write ?? match.route.method !== "GET";
      if (write && response.status < 300) stats.write(match.key);
      if (fault?.error?.mode === "after") throw serverError(fault.error.status);
      this.reply(res, requestId, true, response, rateHeaders);
    } catch (error) {
      this.reply(res, requestId, true, this.failure(error, match), rateHeaders);
    }
  }

  private async identity(req: http.IncomingMessage, res: http.ServerResponse, match: RouteMatch, raw: string, requestId: string): Promise<void> {
    const fault = this.runtime.faults.decide(match.key);
    if (!(await this.applyFault(res, fault))) return;
    if (fault?.rateLimited) return this.reply(res, requestId, true, { status: 429, body: { error: "rate_limited", error_description: "Too many token requests." } });
    if (fault?.error) return this.reply(res, requestId, true, { status: fault.error.status, body: serverError(fault.error.status).body() });
    const form = Object.fromEntries(new URLSearchParams(raw));
    const answer = this.runtime.credentials.issueToken(form, req.headers.authorization);
    this.reply(res, requestId, true, answer);
  }

  /** Counts the fault, holds a hung request, sleeps the latency. false: the request must not be answered. */
  private async applyFault(res: http.ServerResponse, fault: FaultDecision | undefined): Promise<boolean> {
    if (fault && (fault.hang || fault.rateLimited || fault.error)) this.runtime.stats.fault();
    if (fault?.hang) {
      this.hung.add(res);
      // The client giving up is the only way out (or the simulator closing).
      res.on("close", () => this.hung.delete(res));
      return false;
    }
    const delay = this.runtime.latencyMs + (fault?.latencyMs ?? 0);
    if (delay > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          resolve();
        }, delay);
        this.timers.add(timer);
      });
      if (res.destroyed) return false;
    }
    return true;
  }

  private run(match: RouteMatch, req: http.IncomingMessage, query: URLSearchParams, raw: string, requestId: string, principal: Principal): SimResponse {
    try {
      const method = match.route.method;
      const request: SimRequest = {
        method: method satisfies HttpMethod,
        route: match.route.path,
        params: match.params,
        query,
        body: method === "POST" || method === "PUT" ? parseJsonBody(raw) : undefined,
        headers: req.headers as Record<string, string | undefined>,
        principal,
        requestId,
        remoteAddress: req.socket.remoteAddress ?? "127.0.0.1",
      };
      return match.route.handler(request, this.ctx());
    } catch (error) {
      return this.failure(error, match);
    }
  }

  private failure(error: unknown, match: RouteMatch): SimResponse {
    if (error instanceof PdError) return { status: error.status, body: error.body(), headers: error.headers };
    this.log(`[simulator] ${match.key} failed: ${describe(error)}`);
    return { status: 500, body: serverError(500).body() };
  }

  /** The body as text; undefined when it exceeds the cap. */
  private readBody(req: http.IncomingMessage): Promise<string | undefined> {
    if (req.headers["content-length"] === undefined && req.headers["transfer-encoding"] === undefined) return Promise.resolve("");
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > this.bodyLimit) {
          req.removeAllListeners("data");
          req.resume();
          resolve(undefined);
          return;
        }
        chunks.push(chunk);
      });
      req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      req.on("error", reject);
    });
  }

  private reply(res: http.ServerResponse, requestId: string, counted: boolean, response: SimResponse, rateHeaders?: Record<string, string>): void {
    if (counted) this.runtime.stats.status(response.status);
    this.send(res, requestId, response, rateHeaders);
  }

  private send(res: http.ServerResponse, requestId: string, response: SimResponse, rateHeaders?: Record<string, string>): void {
    if (res.destroyed || res.headersSent) return;
    const payload = response.status === 204 ? "" : (response.json ?? (response.body === undefined ? "" : JSON.stringify(response.body)));
    res.writeHead(response.status, {
      ...rateHeaders,
      ...response.headers,
      "content-type": JSON_TYPE,
      "content-length": Buffer.byteLength(payload),
      "x-request-id": requestId,
    });
    res.end(payload);
  }
}

/** POST/PUT bodies: absent is allowed (the handler decides); malformed or not an object is 400 code 2001. */
export function parseJsonBody(raw: string): unknown {
  if (raw.trim() === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw invalidInput(`The request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw invalidInput("The request body must be a JSON object.");
  return value;
}

function serverError(status: number): PdError {
  return new PdError(status, 2000, SERVER_ERROR_MESSAGES[status] ?? "Internal Server Error");
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
