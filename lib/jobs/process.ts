import type { Worker } from "./worker";

/**
 * Runs a worker until SIGTERM or SIGINT, then stops it gracefully: no new claims, running jobs finish
 * (up to `graceMs`; after that their leases expire and another worker takes them over). A second
 * signal exits at once. Resolves with the exit code once the worker has stopped.
 */
export function runWorkerProcess(worker: Worker, { graceMs = 30_000 }: { graceMs?: number } = {}): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        console.error(`[jobs] ${signal} again: exiting now; running jobs are re-claimed when their leases expire`);
        process.exit(130);
      }
      stopping = true;
      console.info(`[jobs] ${signal}: finishing running jobs (at most ${graceMs} ms), then exiting`);
      worker.stop({ timeoutMs: graceMs }).then(
        () => resolve(0),
        (error: unknown) => {
          console.error("[jobs] stopping failed:", error);
          resolve(1);
        },
      );
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
    worker.start();
  });
}
