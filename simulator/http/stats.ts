/**
 * Request statistics for the control API (`GET /__sim/stats`): tests assert how many calls the portal made
 * per route template (not per concrete id), how many writes were applied, and how many were refused.
 */
export interface SimStats {
  requests: { total: number; byRoute: Record<string, number> };
  /** Writes that reached their handler and succeeded, per route template ("after" faults included: they were applied). */
  writes: Record<string, number>;
  /** Responses per HTTP status. */
  byStatus: Record<string, number>;
  /** 429s from the rate limiter (429 bursts from faults count under faultsInjected). */
  rateLimited: number;
  faultsInjected: number;
}

export class StatsCollector {
  private total = 0;
  private byRoute = new Map<string, number>();
  private writes = new Map<string, number>();
  private byStatus = new Map<number, number>();
  private rateLimited = 0;
  private faults = 0;

  /** `routeKey` is "METHOD /template", or undefined when no route matched. */
  request(routeKey: string | undefined): void {
    this.total++;
    if (routeKey) bump(this.byRoute, routeKey);
  }

  write(routeKey: string): void {
    bump(this.writes, routeKey);
  }

  status(status: number): void {
    bump(this.byStatus, status);
  }

  limited(): void {
    this.rateLimited++;
  }

  fault(): void {
    this.faults++;
  }

  reset(): void {
    this.total = 0;
    this.rateLimited = 0;
    this.faults = 0;
    this.byRoute.clear();
    this.writes.clear();
    this.byStatus.clear();
  }

  snapshot(): SimStats {
    return {
      requests: { total: this.total, byRoute: Object.fromEntries(this.byRoute) },
      writes: Object.fromEntries(this.writes),
      byStatus: Object.fromEntries(this.byStatus),
      rateLimited: this.rateLimited,
      faultsInjected: this.faults,
    };
  }
}

function bump<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
