/**
 * Live progress of one sync: counters kept in memory and written to its SyncRun row at most every
 * `throttleMs` (the UI polls the row), plus request metrics from the PagerDuty client's onRequest hook.
 */
import type { Db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { RequestInfo } from "@/lib/pagerduty";
import type { UpsertCounts } from "./bulk";

export interface EntityChanges {
  created: number;
  updated: number;
  removed: number;
}

export class SyncProgress {
  phase = "starting";
  pages = 0;
  requests = 0;
  rateLimited = 0;
  retries = 0;
  estimatedPages: number | null = null;
  readonly items: Record<string, number> = {};
  readonly changes: Record<string, EntityChanges> = {};
  readonly warnings: string[] = [];
  private lastFlush = 0;
  private pending: Promise<void> = Promise.resolve();
  /** Test hook: called after each page is counted (e.g. to kill a sync after N pages). */
  onPage?: (pages: number) => void;
  /** Benchmark hook: called when a phase starts. */
  onPhase?: (phase: string) => void;

  constructor(
    private readonly db: Db,
    readonly runId: string,
    private readonly throttleMs = 500,
  ) {}

  /** For the client's `onRequest`: one call per HTTP attempt. */
  readonly onRequest = (info: RequestInfo): void => {
    this.requests++;
    if (info.status === 429) this.rateLimited++;
    if (info.attempt > 1) this.retries++;
  };

  page(entity: string, items: number): void {
    this.pages++;
    this.items[entity] = (this.items[entity] ?? 0) + items;
    this.onPage?.(this.pages);
    this.maybeFlush();
  }

  setPhase(phase: string): void {
    this.phase = phase;
    this.onPhase?.(phase);
    this.flushSoon(true);
  }

  /** At least `pages` pages are expected in all (raised as listings reveal their totals). */
  expect(pages: number): void {
    this.estimatedPages = Math.max(this.estimatedPages ?? 0, pages, this.pages);
  }

  count(entity: string, c: UpsertCounts | EntityChanges, removed = 0): void {
    const e = (this.changes[entity] ??= { created: 0, updated: 0, removed: 0 });
    e.created += c.created;
    e.updated += c.updated;
    e.removed += ("removed" in c ? c.removed : 0) + removed;
  }

  warn(message: string): void {
    if (!this.warnings.includes(message)) this.warnings.push(message);
  }

  private maybeFlush(): void {
    if (Date.now() - this.lastFlush >= this.throttleMs) this.flushSoon(false);
  }

  private flushSoon(force: boolean): void {
    if (!force && Date.now() - this.lastFlush < this.throttleMs) return;
    this.lastFlush = Date.now();
    // Progress is best effort: a failed progress write must not fail the sync.
    this.pending = this.pending.then(() => this.write().catch(() => {}));
  }

  /** Waits for queued progress writes. */
  async settle(): Promise<void> {
    await this.pending;
  }

  snapshot() {
    return {
      phase: this.phase,
      pagesFetched: this.pages,
      estimatedPages: this.estimatedPages,
      items: { ...this.items },
      changes: structuredClone(this.changes) as Record<string, { created: number; updated: number; removed: number }>,
      requests: this.requests,
      rateLimited: this.rateLimited,
      retries: this.retries,
      warnings: [...this.warnings],
    };
  }

  private async write(): Promise<void> {
    const s = this.snapshot();
    await this.db.syncRun.updateMany({
      where: { id: this.runId, status: "RUNNING" },
      data: { ...s, changes: s.changes as Prisma.InputJsonObject, progressAt: new Date() },
    });
  }
}
