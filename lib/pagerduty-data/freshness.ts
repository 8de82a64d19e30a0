/**
 * How fresh a connection's synced picture is, for the badge shown wherever synced data appears. Pure: the
 * caller passes the connection's last successful sync, its interval and the time.
 */

export type FreshnessState = "never" | "fresh" | "stale" | "failing";

export interface Freshness {
  state: FreshnessState;
  /** "synced 3 min ago", "never synced", … */
  label: string;
  /** Longer explanation for a tooltip or screen readers. */
  detail: string;
}

export interface FreshnessFacts {
  lastSuccessfulSyncAt: Date | string | null;
  lastSyncAt?: Date | string | null;
  /** The latest run failed (the picture shown is the last good one). */
  lastRunFailed?: boolean;
  syncIntervalMinutes: number;
}

const MINUTE = 60_000;

/** "just now", "3 min ago", "2 h ago", "4 days ago". */
export function ago(at: Date | string, now: Date = new Date()): string {
  const ms = Math.max(0, now.getTime() - new Date(at).getTime());
  if (ms < MINUTE) return "just now";
  const min = Math.floor(ms / MINUTE);
  if (min < 60) return `${min} min ago`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} days ago`;
}

/**
 * Stale once two sync intervals have passed without a successful sync: one missed run can be a slow
 * sync, two mean the picture is no longer being kept up to date.
 */
export function freshness(facts: FreshnessFacts, now: Date = new Date()): Freshness {
  if (!facts.lastSuccessfulSyncAt) {
    return facts.lastRunFailed
      ? { state: "failing", label: "sync failing", detail: "No sync has completed yet: the latest attempt failed." }
      : { state: "never", label: "never synced", detail: "No sync has completed yet: there is no PagerDuty data to show." };
  }
  const when = ago(facts.lastSuccessfulSyncAt, now);
  const age = now.getTime() - new Date(facts.lastSuccessfulSyncAt).getTime();
  if (facts.lastRunFailed) return { state: "failing", label: `last sync failed · data from ${when}`, detail: `The latest sync failed; what is shown is the last complete picture, from ${when}.` };
  if (age > 2 * facts.syncIntervalMinutes * MINUTE) return { state: "stale", label: `stale · synced ${when}`, detail: `The last successful sync was ${when}, more than two sync intervals (${facts.syncIntervalMinutes} min each) ago.` };
  return { state: "fresh", label: `synced ${when}`, detail: `The last successful sync was ${when}.` };
}
