/**
 * Deterministic randomness and PagerDuty-shaped ids ("P" + 6 upper-case alphanumerics, e.g. "PXPGF42").
 */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  /** mulberry32: small, fast, good enough for fixtures. */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, maxInclusive: number): number {
    return min + Math.floor(this.next() * (maxInclusive - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("Rng.pick on an empty list");
    return items[Math.floor(this.next() * items.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** k distinct items (k capped at items.length). */
  sample<T>(items: readonly T[], k: number): T[] {
    const copy = items.slice();
    const n = Math.min(k, copy.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.next() * (copy.length - i));
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy.slice(0, n);
  }
}

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** Issues unique PagerDuty-style ids from a seeded generator. */
export class IdFactory {
  private readonly used = new Set<string>();
  constructor(private readonly rng: Rng) {}
  next(prefix = "P"): string {
    for (;;) {
      let id = prefix;
      while (id.length < 7) id += ID_ALPHABET[Math.floor(this.rng.next() * ID_ALPHABET.length)];
      if (!this.used.has(id)) {
        this.used.add(id);
        return id;
      }
    }
  }
  reserve(id: string): void {
    this.used.add(id);
  }
}
