/**
 * Injected faults (`POST /__sim/faults`), so tests and benchmarks can see the portal cope with a misbehaving
 * PagerDuty: 5xx answers, 429 bursts, added latency and hung requests, globally or per route template.
 *
 * Faults are decided BEFORE the handler runs, so a faulted write changes nothing — except 5xx in "after" mode,
 * where the write IS applied and the answer is still a 5xx (what PagerDuty or a proxy in front of it does after
 * a timeout); the write-back pipeline must then find out by reading PagerDuty again.
 * A route's spec overrides the global one field by field (`errors`, `rateLimit`, `latency`, `hang`).
 */
import { z } from "zod";
import { Rng } from "../core/ids";

const probability = z.number().min(0).max(1);

const faultSpecShape = {
  /** A 5xx with this probability; the status is drawn from `statuses`. */
  errors: z
    .strictObject({
      probability,
      statuses: z.array(z.union([z.literal(500), z.literal(502), z.literal(503)])).min(1).default([503]),
      mode: z.enum(["before", "after"]).default("before"),
    })
    .optional(),
  /** `burst`: the next N requests get 429. `probability`: each request starts a burst of `length` 429s. */
  rateLimit: z
    .strictObject({
      burst: z.number().int().min(0).max(100_000).optional(),
      probability: probability.optional(),
      length: z.number().int().min(1).max(100_000).default(1),
    })
    .optional(),
  /** Added before the answer: `ms` plus a uniform 0..jitterMs. */
  latency: z.strictObject({ ms: z.number().int().min(0).max(600_000), jitterMs: z.number().int().min(0).max(600_000).default(0) }).optional(),
  /** The request never gets an answer (until the client gives up or the simulator closes). */
  hang: z.strictObject({ probability }).optional(),
};

export const faultSpecSchema = z.strictObject(faultSpecShape);
export const faultConfigSchema = z.strictObject({
  ...faultSpecShape,
  /** Keyed by route template as in the spec, e.g. "GET /users" or "PUT /teams/{id}/users/{user_id}". */
  routes: z.record(z.string().regex(/^(GET|POST|PUT|DELETE) \/\S*$/, 'route keys look like "GET /users"'), faultSpecSchema).default({}),
});

export type FaultSpec = z.output<typeof faultSpecSchema>;
export type FaultConfig = z.output<typeof faultConfigSchema>;

export interface FaultDecision {
  hang: boolean;
  rateLimited: boolean;
  error?: { status: number; mode: "before" | "after" };
  latencyMs: number;
}

const GLOBAL = "*";

export class FaultInjector {
  private config: FaultConfig = { routes: {} };
  /** 429s still owed, per scope (GLOBAL or a route key). */
  private bursts = new Map<string, number>();
  private rng: Rng;

  constructor(private readonly seed = 1) {
    this.rng = new Rng(seed);
  }

  /** Replaces the whole configuration (`{}` clears every fault). */
  configure(config: FaultConfig): void {
    this.config = config;
    this.bursts.clear();
    this.setBurst(GLOBAL, config.rateLimit?.burst);
    for (const [key, spec] of Object.entries(config.routes)) this.setBurst(key, spec.rateLimit?.burst);
  }

  clear(): void {
    this.configure({ routes: {} });
    this.rng = new Rng(this.seed);
  }

  describe(): { config: FaultConfig; pendingBursts: Record<string, number> } {
    return { config: this.config, pendingBursts: Object.fromEntries(this.bursts) };
  }

  /** undefined when no fault applies (the common case, kept cheap). */
  decide(routeKey: string): FaultDecision | undefined {
    const route = this.config.routes[routeKey];
    const global = this.config;
    if (!route && !global.errors && !global.rateLimit && !global.latency && !global.hang) return undefined;
    const pick = <K extends keyof FaultSpec>(k: K): [FaultSpec[K], string] => (route?.[k] !== undefined ? [route[k], routeKey] : [global[k], GLOBAL]);

    const [latency] = pick("latency");
    const latencyMs = latency ? latency.ms + (latency.jitterMs ? Math.floor(this.rng.next() * (latency.jitterMs + 1)) : 0) : 0;
    const [hang] = pick("hang");
    if (hang && this.rng.chance(hang.probability)) return { hang: true, rateLimited: false, latencyMs: 0 };

    const [rateLimit, scope] = pick("rateLimit");
    if (rateLimit) {
      if (!this.bursts.get(scope) && rateLimit.probability && this.rng.chance(rateLimit.probability)) this.bursts.set(scope, rateLimit.length);
      const owed = this.bursts.get(scope) ?? 0;
      if (owed > 0) {
        this.bursts.set(scope, owed - 1);
        return { hang: false, rateLimited: true, latencyMs };
      }
    }

    const [errors] = pick("errors");
    if (errors && this.rng.chance(errors.probability)) {
      return { hang: false, rateLimited: false, error: { status: this.rng.pick(errors.statuses), mode: errors.mode }, latencyMs };
    }
    return latencyMs > 0 ? { hang: false, rateLimited: false, latencyMs } : undefined;
  }

  private setBurst(scope: string, burst: number | undefined): void {
    if (burst) this.bursts.set(scope, burst);
  }
}
