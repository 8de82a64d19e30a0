/**
 * Endpoints derived, not typed (docs/decisions/0011). An admin gives the PagerDuty instance URL, the
 * address people sign in at (https://acme.pagerduty.com or https://acme.eu.pagerduty.com); the subdomain
 * and region come from it, and the API and OAuth addresses are derived from the region. Pure functions:
 * the connection form uses them in the browser to show the derived hosts as the admin types.
 */
import { API_BASE_URLS, TOKEN_URLS } from "@/lib/pagerduty/hosts";

export type RegionName = "US" | "EU";

export interface PagerDutyInstance {
  subdomain: string;
  region: RegionName;
}

/** Where a connection's requests go. */
export interface ConnectionEndpoint extends PagerDutyInstance {
  apiBaseUrl: string;
  /** An explicit OAuth token URL, or null for the default (see `effectiveTokenUrl`). */
  oauthTokenUrl: string | null;
}

const SUBDOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
/** Names under pagerduty.com that are PagerDuty's own services, not an account. */
const NOT_ACCOUNTS = new Set(["api", "identity", "app", "www", "events", "webhooks", "status", "developer", "support", "eu"]);

export const INSTANCE_URL_HINT = "The address you sign in to PagerDuty at, e.g. https://acme.pagerduty.com (EU: https://acme.eu.pagerduty.com).";

/**
 * "https://acme.pagerduty.com", "acme.eu.pagerduty.com/incidents", or just "acme" (a US account) → the
 * subdomain and region; anything else → a sentence saying what is expected.
 */
export function parseInstanceUrl(input: string): PagerDutyInstance | { error: string } {
  const text = input.trim().toLowerCase();
  if (text === "") return { error: `The PagerDuty instance URL is required. ${INSTANCE_URL_HINT}` };
  if (SUBDOMAIN.test(text) && text.length <= 63) {
    if (NOT_ACCOUNTS.has(text)) return { error: `"${text}" is a PagerDuty service, not an account. ${INSTANCE_URL_HINT}` };
    return { subdomain: text, region: "US" };
  }
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//.test(text) ? text : `https://${text}`);
  } catch {
    return { error: `That is not a PagerDuty instance URL. ${INSTANCE_URL_HINT}` };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { error: `The instance URL must start with https://. ${INSTANCE_URL_HINT}` };
  if (url.username || url.password || url.port) return { error: `The instance URL has no user name, password or port. ${INSTANCE_URL_HINT}` };
  const match = /^([^.]+)\.(eu\.)?pagerduty\.com\.?$/.exec(url.hostname);
  if (!match) {
    return { error: `${url.hostname} is not a PagerDuty account address (<subdomain>.pagerduty.com). ${INSTANCE_URL_HINT} A proxy or simulator goes under "Advanced: custom endpoint".` };
  }
  const subdomain = match[1]!;
  if (!SUBDOMAIN.test(subdomain) || subdomain.length > 63) return { error: `"${subdomain}" is not a valid PagerDuty subdomain. ${INSTANCE_URL_HINT}` };
  if (NOT_ACCOUNTS.has(subdomain)) return { error: `${url.hostname} is a PagerDuty service, not your account's address. ${INSTANCE_URL_HINT}` };
  return { subdomain, region: match[2] ? "EU" : "US" };
}

/** The instance URL of an account: https://acme.pagerduty.com or https://acme.eu.pagerduty.com. */
export function instanceUrl(instance: PagerDutyInstance): string {
  return `https://${instance.subdomain}.${instance.region === "EU" ? "eu." : ""}pagerduty.com`;
}

const pdRegion = (region: RegionName) => (region === "EU" ? "eu" : "us");

/** PagerDuty's API for the region: https://api.pagerduty.com or https://api.eu.pagerduty.com. */
export const defaultApiBaseUrl = (region: RegionName): string => API_BASE_URLS[pdRegion(region)];

/** PagerDuty's identity endpoint for the region. */
export const defaultTokenUrl = (region: RegionName): string => TOKEN_URLS[pdRegion(region)];

/** What an instance derives to when no custom endpoint is set. */
export function derivedEndpoint(instance: PagerDutyInstance): ConnectionEndpoint {
  return { ...instance, apiBaseUrl: defaultApiBaseUrl(instance.region), oauthTokenUrl: null };
}

/**
 * PagerDuty's identity endpoint for the region when the API is PagerDuty's own; for a custom API URL
 * (the simulator, a proxy) the same origin's /oauth/token, unless a token URL was set explicitly.
 */
export function effectiveTokenUrl(endpoint: ConnectionEndpoint): string {
  if (endpoint.oauthTokenUrl) return endpoint.oauthTokenUrl;
  if (endpoint.apiBaseUrl === defaultApiBaseUrl(endpoint.region)) return defaultTokenUrl(endpoint.region);
  return `${new URL(endpoint.apiBaseUrl).origin}/oauth/token`;
}

/** Does the endpoint leave PagerDuty's derived addresses (a proxy or simulator the operator listed)? */
export function hasCustomEndpoint(endpoint: ConnectionEndpoint): boolean {
  return endpoint.apiBaseUrl !== defaultApiBaseUrl(endpoint.region) || endpoint.oauthTokenUrl !== null;
}
