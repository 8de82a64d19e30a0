/**
 * Shared setup for sync tests: a simulator over real HTTP, a migrated database, a connection row holding
 * the simulator's key (sealed like any other), and fast client tuning (short timeouts and backoff).
 */
import { startSimulator, type RunningSimulator, type SimulatorOptions } from "@/simulator";
import type { CredentialSecret } from "@/lib/connections/credential";
import { ensureConnection } from "@/lib/sync/bootstrap";
import { runSync, type RunSyncOptions } from "@/lib/sync/run";
import { RateBudget } from "@/lib/pagerduty";
import type { Db } from "@/lib/db";

process.env.DEMO_MODE = "true"; // demo mode's fixed encryption key

export async function startSim(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  return startSimulator({ rateLimitPerMinute: 0, ...options });
}

export function connect(db: Db, sim: RunningSimulator, secret?: CredentialSecret, extra: { region?: "US" | "EU"; name?: string } = {}): Promise<string> {
  return ensureConnection(db, { apiBaseUrl: sim.url, secret: secret ?? { kind: "API_KEY", apiKey: sim.keys.full }, subdomain: "acme", ...extra });
}

/** A sync with a private, unlimited budget and quick retries, so tests neither share nor wait for 960/min. */
export function sync(db: Db, connectionId: string, opts: Partial<RunSyncOptions> = {}) {
  return runSync(db, connectionId, {
    trigger: "MANUAL",
    progressThrottleMs: 0,
    ...opts,
    tuning: { timeoutMs: 2_000, retry: { attempts: 8, baseDelayMs: 5, maxDelayMs: 50 }, budget: new RateBudget({ limit: 100_000 }), ...opts.tuning },
  });
}

export { control, pd } from "../simulator/support/simulator";
