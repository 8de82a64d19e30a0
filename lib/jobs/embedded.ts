import type { Db } from "@/lib/db";
import "./handlers";
import { Worker } from "./worker";

// One embedded worker per process, even if Next.js evaluates this module in several bundles.
const g = globalThis as unknown as { __portalEmbeddedWorker?: Worker };

/**
 * Starts the in-process worker of the embedded default (WORKER=embedded): jobs run inside the server
 * process, on the same database handle (PGlite is one connection, so it must be this one). Modest
 * concurrency: it shares that connection and the event loop with requests.
 */
export function startEmbeddedWorker(db: Db): Worker {
  g.__portalEmbeddedWorker ??= new Worker({ db, concurrency: 2, pollMs: 1000 }).start();
  return g.__portalEmbeddedWorker;
}

export function embeddedWorker(): Worker | undefined {
  return g.__portalEmbeddedWorker;
}
