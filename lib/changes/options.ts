/**
 * Tunables of the executor. Defaults suit PagerDuty; tests and the benchmark shorten the waits and give the
 * pipeline the simulator's clock (so "apply after their shift" follows simulated time).
 */
import { portalNow } from "@/lib/config/clock";
import type { ClientSettings } from "./write";

export interface PipelineOptions {
  /** Verification reads before giving up (PagerDuty is eventually consistent). */
  verifyReads: number;
  /** Wait before re-read n is n × this. */
  verifyDelayMs: number;
  /** Write tries inside one job attempt for 5xx / network failures (each after a read), before the job's own backoff. */
  applyTries: number;
  applyDelayMs: number;
  /** The clock that decides when a SCHEDULED change is due. */
  now: () => number;
  client: ClientSettings;
}

const DEFAULTS: PipelineOptions = { verifyReads: 4, verifyDelayMs: 500, applyTries: 3, applyDelayMs: 1_000, now: portalNow, client: {} };

const g = globalThis as unknown as { __changePipelineOptions?: PipelineOptions };

export function pipelineOptions(): PipelineOptions {
  return g.__changePipelineOptions ?? DEFAULTS;
}

/** Tests, benchmark and worker scripts: override some options for this process (call with {} to reset). */
export function configurePipeline(overrides: Partial<PipelineOptions>): void {
  g.__changePipelineOptions = { ...DEFAULTS, ...overrides };
}
