/**
 * PagerDuty's own addresses per region (NOTES §1.1, §1.3). Pure constants, safe in client components:
 * the connection form shows the hosts it derives from an instance URL, and the egress guard lets exactly
 * these hosts through without an allow-list entry.
 */
export type PagerDutyRegion = "us" | "eu";

export const API_BASE_URLS: Record<PagerDutyRegion, string> = {
  us: "https://api.pagerduty.com",
  eu: "https://api.eu.pagerduty.com",
};

export const TOKEN_URLS: Record<PagerDutyRegion, string> = {
  us: "https://identity.pagerduty.com/oauth/token",
  eu: "https://identity.eu.pagerduty.com/oauth/token",
};

/** api[.eu].pagerduty.com and identity[.eu].pagerduty.com. */
export const PAGERDUTY_HOSTS: readonly string[] = [...Object.values(API_BASE_URLS), ...Object.values(TOKEN_URLS)].map((url) => new URL(url).hostname);
