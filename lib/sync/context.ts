/**
 * What one sync run works with, and the write queue that lets database writes of one entity overlap the
 * fetching of the next (PGlite has one connection: writes are serialised anyway, fetches need not wait).
 */
import type { Db, Tx } from "@/lib/db";
import type { PagerDutyClient } from "@/lib/pagerduty";
import type { SyncProgress } from "./progress";

export interface SyncContext {
  db: Db;
  connectionId: string;
  client: PagerDutyClient;
  progress: SyncProgress;
  /** The run's time: every row seen in this run gets lastSeenAt = seenAt. */
  seenAt: Date;
  abilities: Set<string>;
  horizonDays: number;
  writes: WriteQueue;
  signal?: AbortSignal;
}

export class WriteQueue {
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown = null;

  constructor(private readonly db: Db) {}

  /** Runs `work` in its own transaction after the writes queued before it. */
  push(work: (tx: Tx) => Promise<void>): void {
    this.chain = this.chain.then(async () => {
      if (this.failure) return;
      try {
        await this.db.$transaction(work, { timeout: 120_000, maxWait: 60_000 });
      } catch (error) {
        this.failure = error;
      }
    });
  }

  /** Throws the first failed write, if any (checked between phases so a broken write stops the fetching). */
  check(): void {
    if (this.failure) throw this.failure;
  }

  /** Waits for every queued write, without throwing (for a run that is failing anyway). */
  async settle(): Promise<void> {
    await this.chain;
  }

  async drain(): Promise<void> {
    await this.chain;
    this.check();
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error("the sync was stopped");
}

/** Runs `fn` over `items` with at most `concurrency` in flight; the first failure stops new starts and is thrown. */
export async function forEachLimit<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
