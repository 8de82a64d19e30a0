/**
 * FUZZ: every page (each app/**\/page.tsx, with each query parameter it reads and each dynamic segment) and
 * every route handler (each app/**\/route.ts) given NUL, a lone surrogate (as the bytes a browser would
 * send), invalid UTF-8, 10,000 characters and numbers past int64, as a signed-in administrator over HTTP:
 * 0 answers 5xx. The PagerDuty pages are fuzzed against a synced connection (a local simulator), so their
 * searches really run.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { expect, request as playwrightRequest, test, type APIRequestContext, type Page } from "@playwright/test";
import { startSimulator, type RunningSimulator } from "../simulator/index";
import { connectSimulator } from "./support/connections";
import { E2E } from "./support/constants";
import { demoSignIn } from "./support/session";

const ROOT = path.resolve(import.meta.dirname, "..");
const UNKNOWN_UUID = "00000000-0000-4000-8000-000000000000";
const CONNECTION = "Fuzz e2e (simulator)";

/** Fuzz values as they travel in a URL or a form body (already percent-encoded). */
const FUZZ: ReadonlyArray<readonly [string, string]> = [
  ["NUL", "%00"],
  ["NUL inside text", "a%00b"],
  ["a lone surrogate (its UTF-8-style bytes)", "%ED%A0%80"],
  ["invalid UTF-8", "%FF%FE"],
  ["10,000 characters", "x".repeat(10_000)],
  ["int64 max + 1", "9223372036854775808"],
  ["1e309", "1e309"],
  ["-0", "-0"],
  ["NaN", "NaN"],
];

/** Every file named `name` under app/, as its route pattern ("/pagerduty/users/[pdId]"; route groups dropped). */
function routesOf(name: "page.tsx" | "route.ts"): string[] {
  return readdirSync(path.join(ROOT, "app"), { recursive: true, encoding: "utf8" })
    .filter((f) => path.basename(f) === name)
    .map((f) => `/${path.dirname(f).split(path.sep).filter((s) => s !== "." && !/^\(.*\)$/.test(s)).join("/")}`.replace(/\/$/, "") || "/")
    .sort();
}

interface Ids {
  connection: string;
}

/** The query parameters each page reads (its searchParams), by route pattern. */
const PAGE_PARAMS: Record<string, string[]> = {
  "/": [],
  "/access": ["person"],
  "/admin/campaigns": [],
  "/admin/campaigns/[campaignId]": [],
  "/admin/campaigns/new": [],
  "/admin/campaigns/owners": [],
  "/admin/changes": ["change"],
  "/admin/connections": [],
  "/admin/connections/[id]": [],
  "/admin/people": ["query", "role", "status"],
  "/admin/policies": [],
  "/audit": ["q", "action", "actor", "targetType", "targetId", "from", "to", "before"],
  "/pagerduty": ["connection"],
  "/pagerduty/drift": ["connection"],
  "/pagerduty/matching": ["connection"],
  "/pagerduty/policies": ["connection"],
  "/pagerduty/schedules": ["connection"],
  "/pagerduty/teams": ["connection"],
  "/pagerduty/teams/[pdId]": ["connection"],
  "/pagerduty/users": ["connection", "q", "role", "team", "unmatched"],
  "/pagerduty/users/[pdId]": ["connection"],
  "/requests": [],
  "/requests/[id]": [],
  "/requests/approvals": ["q", "request"],
  "/reviews": [],
  "/reviews/[campaignId]": [],
  "/signin": ["error"],
};

/** A dynamic segment's well-formed stand-in, so the page's other parameters are fuzzed on a real route. */
function standIn(segment: string, ids: Ids): string {
  if (segment === "[id]") return ids.connection;
  if (segment === "[pdId]") return "PUNKNOWN1";
  return UNKNOWN_UUID;
}

/** The requests that fuzz one page with one value: each parameter (the connection set when it reads one), each dynamic segment. */
function pageRequests(pattern: string, value: string, ids: Ids): string[] {
  const segments = pattern.split("/");
  const base = segments.map((s) => (s.startsWith("[") ? standIn(s, ids) : s)).join("/") || "/";
  const params = PAGE_PARAMS[pattern] ?? [];
  const withConnection = params.includes("connection") ? `connection=${ids.connection}&` : "";
  return [
    `${base}?${withConnection}unknown=${value}`,
    ...params.map((p) => `${base}?${p === "connection" ? "" : withConnection}${p}=${value}`),
    ...segments.flatMap((s, i) => (s.startsWith("[") ? [`${segments.map((x, j) => (j === i ? value : x.startsWith("[") ? standIn(x, ids) : x)).join("/")}?${withConnection}`] : [])),
  ];
}

type Call = { method: "GET" | "POST"; url: string; form?: string };
const get = (url: string): Call => ({ method: "GET", url });
const post = (url: string, form: string): Call => ({ method: "POST", url, form });

const ITEM_PARAMS = ["view", "search", "teamPdId", "role", "risk", "state", "kind", "sort", "dir", "offset", "limit"];
const AUDIT_FILTERS = ["q", "action", "actor", "targetType", "targetId", "from", "to"];

/** The requests that fuzz each route handler with one value, by route pattern. */
const ROUTES: Record<string, (v: string, ids: Ids) => Call[]> = {
  "/api/access/approvals": (v) => [get(`/api/access/approvals?q=${v}`), get(`/api/access/approvals?cursor=${v}`), get(`/api/access/approvals?limit=${v}`), get(`/api/access/approvals?connectionId=${v}`), get(`/api/access/approvals?${v}=a`)],
  "/api/access/requests/[id]": (v) => [get(`/api/access/requests/${v}`), get(`/api/access/requests/${UNKNOWN_UUID}?x=${v}`)],
  "/api/auth/[...nextauth]": (v) => [get(`/api/auth/${v}`), get(`/api/auth/session?x=${v}`), get(`/api/auth/signin?callbackUrl=${v}`), get(`/api/auth/error?error=${v}`), get(`/api/auth/callback/oidc?code=${v}&state=${v}`)],
  "/api/connections/[id]/sync": (v, ids) => [get(`/api/connections/${v}/sync`), get(`/api/connections/${ids.connection}/sync?x=${v}`)],
  "/api/jobs/health": (v) => [get(`/api/jobs/health?x=${v}`)],
  "/api/reviews/[campaignId]/evidence": (v) => [get(`/api/reviews/${UNKNOWN_UUID}/evidence?format=${v}`), post(`/api/reviews/${UNKNOWN_UUID}/evidence`, `format=${v}`), post(`/api/reviews/${v}/evidence`, "format=csv")],
  "/api/reviews/[campaignId]/items": (v) => [get(`/api/reviews/${v}/items`), ...ITEM_PARAMS.map((p) => get(`/api/reviews/${UNKNOWN_UUID}/items?${p}=${v}`))],
  "/api/reviews/[campaignId]/items/[itemId]": (v) => [get(`/api/reviews/${v}/items/${UNKNOWN_UUID}`), get(`/api/reviews/${UNKNOWN_UUID}/items/${v}`)],
  "/api/reviews/candidates": (v) => [get(`/api/reviews/candidates?q=${v}`), get(`/api/reviews/candidates?q=a&limit=${v}`), get(`/api/reviews/candidates?${v}=a`)],
  "/audit/export": (v) => [get(`/audit/export?q=${v}`), ...AUDIT_FILTERS.map((p) => post("/audit/export", `${p}=${v}`))],
};

async function send(api: APIRequestContext, call: Call) {
  const res =
    call.method === "GET"
      ? await api.get(call.url, { maxRedirects: 5 })
      : await api.post(call.url, { data: call.form, headers: { "content-type": "application/x-www-form-urlencoded" }, maxRedirects: 5 });
  const body = res.headers()["content-type"]?.includes("text/html") ? await res.text() : "";
  return { status: res.status(), failed: res.status() >= 500 || body.includes("Something went wrong") };
}

let sim: RunningSimulator;
test.beforeAll(async () => {
  sim = await startSimulator({ seed: 3, size: { users: 12, teams: 2, schedules: 1, escalationPolicies: 1 } });
});
test.afterAll(async () => {
  await sim?.close();
});

/** An administrator connects the simulator and syncs it, so the PagerDuty pages have data to search. */
async function syncedConnection(admin: Page): Promise<Ids> {
  const connection = await connectSimulator(admin, sim, CONNECTION, "Input fuzzing (e2e)");
  await expect(async () => {
    await admin.goto(`/pagerduty/users?connection=${connection}`);
    await expect(admin.getByTestId("pd-user-row").first()).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 90_000 });
  return { connection };
}

test("every page's query parameters and every route handler, fuzzed: 0 answers 5xx", async ({ page }) => {
  test.setTimeout(900_000);
  const pages = routesOf("page.tsx");
  const routes = routesOf("route.ts");
  expect(pages, "PAGE_PARAMS names every page (add a new page's parameters)").toEqual(Object.keys(PAGE_PARAMS).sort());
  expect(routes, "ROUTES names every route handler (add a new route's requests)").toEqual(Object.keys(ROUTES).sort());

  await demoSignIn(page, "alice.admin@example.com");
  const ids = await syncedConnection(page);
  const anonymous = await playwrightRequest.newContext({ baseURL: E2E.portalUrl });

  const failures: string[] = [];
  let sent = 0;
  for (const [label, value] of FUZZ) {
    const calls: Array<[APIRequestContext, Call]> = [
      ...pages.flatMap((p) => pageRequests(p, value, ids).map((url): [APIRequestContext, Call] => [p === "/signin" ? anonymous : page.request, get(url)])),
      ...routes.flatMap((r) => ROUTES[r]!(value, ids).map((call): [APIRequestContext, Call] => [page.request, call])),
    ];
    for (const [api, call] of calls) {
      const { status, failed } = await send(api, call);
      sent++;
      if (failed) failures.push(`${label}: ${call.method} ${call.url.slice(0, 160)}${call.form ? ` (${call.form.slice(0, 60)})` : ""} → ${status}`);
    }
  }
  await anonymous.dispose();
  expect(sent).toBeGreaterThan(500);
  expect(failures, `${failures.length} of ${sent} requests answered 5xx`).toEqual([]);
  // The administrator is still signed in (no fuzzed request ended the session).
  await page.goto("/");
  await expect(page.getByTestId("dashboard-welcome")).toBeVisible();
});
