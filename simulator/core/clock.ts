/**
 * Simulated time. Runs with the real clock (optionally shifted) until frozen; can be set and advanced, so
 * on-call handoffs, override ends and just-in-time expiries are testable without waiting.
 */
export class SimClock {
  private offsetMs = 0;
  private frozenAt: number | null = null;

  now(): number {
    return this.frozenAt ?? Date.now() + this.offsetMs;
  }

  date(): Date {
    return new Date(this.now());
  }

  iso(): string {
    return this.date().toISOString();
  }

  /** Stop time at the current (or given) instant. */
  freeze(at?: number): void {
    this.frozenAt = at ?? this.now();
  }

  /** Let time run again from where it stands. */
  unfreeze(): void {
    if (this.frozenAt !== null) this.offsetMs = this.frozenAt - Date.now();
    this.frozenAt = null;
  }

  set(at: number): void {
    if (this.frozenAt !== null) this.frozenAt = at;
    else this.offsetMs = at - Date.now();
  }

  advance(ms: number): void {
    this.set(this.now() + ms);
  }

  get frozen(): boolean {
    return this.frozenAt !== null;
  }
}
