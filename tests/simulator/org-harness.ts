/**
 * A seeded organisation served over real HTTP on a free port, for the users/teams/account/audit tests.
 * The clock is frozen so audit windows and timestamps are exact.
 */
import { SimClock } from "@/simulator/core/clock";
import { DEFAULT_ORG_SIZE, seedOrganisation, type OrgSize } from "@/simulator/core/seed";
import { SimState } from "@/simulator/core/state";
import { DEFAULT_KEYS, DEFAULT_OAUTH_CLIENT } from "@/simulator/http/auth";
import { createSimulatorServer } from "@/simulator/http/server";

export const NOW = Date.parse("2025-06-02T12:00:00Z");
export const KEYS = DEFAULT_KEYS;

export interface OrgOptions {
  seed?: number;
  size?: Partial<OrgSize>;
  /** The account's abilities; default: the seed's defaults. */
  abilities?: string[];
}

export interface Reply {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read PagerDuty JSON freely
  body: any;
}

export async function startOrg(options: OrgOptions = {}) {
  const clock = new SimClock();
  clock.freeze(NOW);
  const state = new SimState(clock, options.seed ?? 1);
  for (const a of options.abilities ?? []) state.data.abilities.add(a);
  seedOrganisation(state, { ...DEFAULT_ORG_SIZE, ...options.size });
  if (options.abilities) {
    state.data.abilities.clear();
    for (const a of options.abilities) state.data.abilities.add(a);
  }
  const server = createSimulatorServer({ runtime: { state, clock }, log: () => {} });
  const url = await server.listen(0);

  /** One PagerDuty call; `auth` is a full Authorization header value (default: the full-access key). */
  async function call(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string>; auth?: string } = {}): Promise<Reply> {
    const res = await fetch(url + path, {
      method: init.method ?? "GET",
      headers: {
        accept: "application/vnd.pagerduty+json;version=2",
        authorization: init.auth ?? `Token token=${KEYS.full}`,
        ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  }

  /** A client-credentials token of the simulated OAuth app, as an Authorization header value. */
  async function oauth(scopes: string[]): Promise<string> {
    const res = await fetch(`${url}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: DEFAULT_OAUTH_CLIENT.clientId,
        client_secret: DEFAULT_OAUTH_CLIENT.clientSecret,
        scope: [`as_account-us.${state.data.subdomain}`, ...scopes].join(" "),
      }),
    });
    const body = (await res.json()) as { access_token: string };
    return `Bearer ${body.access_token}`;
  }

  const owner = () => [...state.data.users.values()].find((u) => u.role === "owner")!;

  return { url, state, clock, call, oauth, owner, close: () => server.close() };
}

export type Org = Awaited<ReturnType<typeof startOrg>>;
