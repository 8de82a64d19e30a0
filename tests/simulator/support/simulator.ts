/**
 * Test helper: a simulator on a free port, and `pd()` to call it as a PagerDuty client would (full access key,
 * PagerDuty's Accept header, JSON in and out). `close` is bound and idempotent: `afterAll(sim.close)` works.
 */
import { startSimulator, type RunningSimulator, type SimulatorOptions } from "@/simulator";

export const PD_ACCEPT = "application/vnd.pagerduty+json;version=2";

export async function startTestSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  return startSimulator({ ...options, port: 0 });
}

export interface PdInit {
  method?: "GET" | "POST" | "PUT" | "DELETE";
  /** Objects are sent as JSON; strings as they are (to test malformed bodies). */
  body?: unknown;
  headers?: Record<string, string>;
  /** Another API key (default: the full access key); null sends no Authorization header. */
  key?: string | null;
  /** A bearer token instead of a key. */
  bearer?: string;
  signal?: AbortSignal;
}

/** Bodies default to a loose type: tests read nested PagerDuty fields and assert on them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

export interface PdResponse<T = Loose> {
  status: number;
  headers: Headers;
  body: T;
}

export async function pd<T = Loose>(sim: Pick<RunningSimulator, "url" | "keys">, path: string, init: PdInit = {}): Promise<PdResponse<T>> {
  const headers: Record<string, string> = { Accept: PD_ACCEPT, ...init.headers };
  if (init.bearer) headers.Authorization = `Bearer ${init.bearer}`;
  else if (init.key !== null) headers.Authorization = `Token token=${init.key ?? sim.keys.full}`;
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
    headers["Content-Type"] ??= "application/json";
  }
  const response = await fetch(`${sim.url}${path}`, { method: init.method ?? "GET", headers, body, signal: init.signal });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Calls the control API (no PagerDuty key). */
export function control<T = Loose>(sim: Pick<RunningSimulator, "url" | "keys">, path: string, body?: unknown): Promise<PdResponse<T>> {
  return pd<T>(sim, `/__sim${path}`, { method: body === undefined ? "GET" : "POST", body, key: null });
}

/** An OAuth token from the simulator's client-credentials endpoint. */
export async function oauthToken(sim: RunningSimulator, scopes: string[], region: "us" | "eu" = "us"): Promise<string> {
  const form = new URLSearchParams({
    grant_type: "client_credentials",
    client_id: sim.oauth.clientId,
    client_secret: sim.oauth.clientSecret,
    scope: [`as_account-${region}.${sim.state.data.subdomain}`, ...scopes].join(" "),
  });
  const response = await fetch(sim.oauth.tokenUrl, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: form });
  const body = (await response.json()) as { access_token?: string };
  if (!response.ok || !body.access_token) throw new Error(`token endpoint answered ${response.status}: ${JSON.stringify(body)}`);
  return body.access_token;
}
