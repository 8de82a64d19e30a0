import { env } from "@/lib/config/env";
import type { Db } from "@/lib/db";
import "./handlers";
import { Worker } from "./worker";

export const EMBEDDED_WORKER_CONCURRENCY = 8;

// One embedded worker per process, even if Next.js evaluates this module in several bundles.
const g = globalThis as unknown as { __portalEmbeddedWorker?: Worker };

/**
 * Starts the in-process worker of the embedded default (WORKER=embedded): jobs run inside the server
 * process, on the same database handle (PGlite is one connection, so it must be this one). Modest
 * concurrency: it shares that connection and the event loop with requests. It drains when the server is
 * asked to stop (drainOnTermination, WORKER_GRACE_MS). Eight slots: most jobs (change applies and their
 * verification reads) wait on PagerDuty, not on the database, and with two a wave of 1,000 expiries took
 * over two minutes to verify (`npm run bench:access`, docs/decisions/0014).
 */
export function startEmbeddedWorker(db: Db): Worker {
  if (!g.__portalEmbeddedWorker) {
    g.__portalEmbeddedWorker = new Worker({ db, concurrency: EMBEDDED_WORKER_CONCURRENCY, pollMs: 1000 }).start();
    drainOnTermination(g.__portalEmbeddedWorker, { graceMs: env().workerGraceMs });
  }
  return g.__portalEmbeddedWorker;
}

export function embeddedWorker(): Worker | undefined {
  return g.__portalEmbeddedWorker;
}

export interface DrainOptions {
  /** How long running jobs may take to finish; then they are told to abort and their leases expire. */
  graceMs: number;
  log?: (line: string) => void;
}

/**
 * Drains `worker` when the process is asked to stop (SIGTERM or SIGINT): it claims no new job, and running
 * jobs finish, for at most `graceMs`. Next.js's own handler closes the HTTP server and then calls
 * process.exit; that exit is held until the drain is over, so it cannot cut running jobs short. With no other
 * handler (a plain Node process), the process exits by itself once drained. A second signal exits at once.
 * Returns a function that removes the handlers (tests).
 */
export function drainOnTermination(worker: Worker, { graceMs, log = (line) => console.info(line) }: DrainOptions): () => void {
  const realExit = process.exit;
  let drained: Promise<void> | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    const code = signal === "SIGINT" ? 130 : 143;
    if (drained) {
      log(`[jobs] ${signal} again: exiting now; running jobs are re-claimed when their leases expire`);
      realExit.call(process, code);
      return;
    }
    log(`[jobs] ${signal}: the embedded worker takes no new jobs; running ones get up to ${graceMs} ms to finish`);
    const otherHandlers = process.listenerCount(signal) > 1;
    const done = worker.stop({ timeoutMs: graceMs }).then(
      () => log("[jobs] embedded worker drained"),
      (error: unknown) => log(`[jobs] stopping the embedded worker failed: ${error instanceof Error ? error.message : String(error)}`),
    );
    drained = done;
    // Whoever exits the process (Next.js after closing its server) waits for the drain.
    process.exit = ((exitCode?: number | string | null) => {
      void done.finally(() => realExit.call(process, exitCode ?? undefined));
      return undefined as never;
    }) as typeof process.exit;
    if (!otherHandlers) void done.finally(() => realExit.call(process, code));
  };
  process.prependListener("SIGTERM", onSignal);
  process.prependListener("SIGINT", onSignal);
  return () => {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    process.exit = realExit;
  };
}
