/**
 * Start a PagerDuty simulator in this process: a seeded organisation served over real HTTP on 127.0.0.1,
 * with the control API under /__sim/. Tests start one per file on a free port; `npm run simulator` (cli.ts)
 * starts one for the demo.
 */
import { SimClock } from "./core/clock";
import { DEFAULT_ORG_SIZE, seedOrganisation, type OrgSize } from "./core/seed";
import { SimState } from "./core/state";
import { Credentials, accountOwnerId } from "./http/auth";
import { FaultInjector } from "./http/faults";
import { RateLimiter } from "./http/rate-limit";
import { SimulatorServer, type SimRuntime } from "./http/server";
import type { RouteDef } from "./http/route";
import { StatsCollector, type SimStats } from "./http/stats";
import { pagerDutyRoutes } from "./routes";
import { controlRoutes } from "./routes/control";

export type { SimStats } from "./http/stats";
export type { OrgSize } from "./core/seed";
export { DEFAULT_KEYS, DEFAULT_OAUTH_CLIENT } from "./http/auth";

export interface SimulatorOptions {
  /** 0 = a free port (default). */
  port?: number;
  host?: "127.0.0.1";
  /** Same seed, same organisation (default 1). */
  seed?: number;
  size?: Partial<OrgSize>;
  /** Requests per minute per credential (default 960; 0 = off). */
  rateLimitPerMinute?: number;
  /** Fixed latency on every PagerDuty route (default 0). */
  latencyMs?: number;
  fullAccessKey?: string;
  subdomain?: string;
  /** Rate-limit window length; tests shorten it instead of waiting a minute. */
  rateLimitWindowMs?: number;
  /** Real time source for the rate limiter (tests move it instead of waiting). */
  rateLimitNow?: () => number;
  /** Scopes the OAuth app may be granted (default: any it asks for). */
  oauthAllowedScopes?: readonly string[];
  /** PagerDuty routes to serve instead of the full set (tests of the server itself). */
  routes?: readonly RouteDef[];
  log?: (line: string) => void;
}

export interface RunningSimulator {
  url: string;
  keys: { full: string; readOnly: string; user: string };
  oauth: { clientId: string; clientSecret: string; tokenUrl: string };
  /** The current account (a reset replaces it: read it again after one). */
  readonly state: SimState;
  clock: SimClock;
  stats(): SimStats;
  close(): Promise<void>;
  /** Runtime internals for tests: limiter, faults, credentials. */
  runtime: SimRuntime;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const subdomain = options.subdomain ?? "acme";
  const initialSeed = options.seed ?? 1;
  const initialSize: OrgSize = { ...DEFAULT_ORG_SIZE, ...options.size };
  const perMinute = options.rateLimitPerMinute ?? 960;
  const clock = new SimClock();

  const seeded = (seed: number, size: OrgSize): SimState => {
    const state = new SimState(clock, seed, subdomain);
    seedOrganisation(state, size);
    return state;
  };

  const runtime: SimRuntime = {
    state: seeded(initialSeed, initialSize),
    clock,
    credentials: new Credentials({
      clock,
      subdomain,
      fullAccessKey: options.fullAccessKey,
      userKeyUser: () => accountOwnerId(runtime.state),
      oauth: { allowedScopes: options.oauthAllowedScopes },
    }),
    limiter: new RateLimiter({ perMinute, windowMs: options.rateLimitWindowMs, now: options.rateLimitNow }),
    faults: new FaultInjector(initialSeed),
    stats: new StatsCollector(),
    latencyMs: options.latencyMs ?? 0,
  };

  const server = new SimulatorServer(runtime, {
    routes: options.routes ?? pagerDutyRoutes,
    log: options.log,
    controlRoutes: (rt) =>
      controlRoutes({
        runtime: rt,
        reset: ({ seed, size }) => {
          // Time first: the organisation is anchored to the clock's day.
          clock.unfreeze();
          clock.set(Date.now());
          rt.state = seeded(seed ?? initialSeed, { ...initialSize, ...size });
          rt.stats.reset();
          rt.faults.clear();
          rt.limiter.setPerMinute(perMinute);
        },
      }),
  });
  const url = await server.listen(options.port ?? 0, options.host ?? "127.0.0.1");
  const { keys, oauth } = runtime.credentials;

  return {
    url,
    keys: { ...keys },
    oauth: { clientId: oauth.clientId, clientSecret: oauth.clientSecret, tokenUrl: `${url}/oauth/token` },
    get state() {
      return runtime.state;
    },
    clock,
    stats: () => runtime.stats.snapshot(),
    close: () => server.close(),
    runtime,
  };
}
