/**
 * npm run bench:sync [-- --skip-limited] [--users 10000 --teams 1000 --schedules 500 --escalation-policies 300]
 *
 * Syncs a large simulated organisation (the simulator runs in a child process, so its CPU and memory are
 * not counted as the sync's) into PGlite in memory, or into PostgreSQL when BENCH_DATABASE_URL is set.
 * Prints one JSON line per measurement; asserts nothing:
 *  (a) requests of a full sync vs the minimum computed from the organisation's counts (target ratio ≤ 1.1)
 *  (c) limit off, 5 ms latency: full-sync wall time vs only fetching the same pages, fetched just before and
 *      just after (target ≤ 2); phase times; and the reconciling re-sync of the unchanged account
 *  (d) after 1% of users and memberships changed through the API: incremental requests vs full (≤ 5%)
 *  (e) peak RSS and heap during the syncs (< 512 MB), in a process with the heap limit the portal's worker runs
 *      with (`npm run bench:sync` sets --max-old-space-size from PORTAL_HEAP_MB, default 384, as
 *      `npm run worker` does; without a limit V8 sizes its heap from the machine's RAM, not the 512 MB budget,
 *      and defers collection: the sync's live heap is ~60 MB). RSS includes the database when it is embedded (PGlite,
 *      PostgreSQL compiled to WebAssembly, opened from a directory prepared by another process, as the portal
 *      opens its data directory on every start after the first, with PGLITE_SHARED_BUFFERS as the portal
 *      reads it); printed as rssBeforeSyncMB. Run with
 *      BENCH_DATABASE_URL to see the sync's own footprint without the database.
 *  (b) with the 960/min limit on: 429 answers (target 0) and wall time vs requests/960 minutes (≤ 1.1)
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import v8 from "node:v8";

process.env.DEMO_MODE ??= "true";
process.env.PAGERDUTY_ALLOWED_HOSTS ??= "127.0.0.1"; // the simulator runs locally: list it, as an operator would (docs/decisions/0011)

const { values } = parseArgs({
  options: {
    "skip-limited": { type: "boolean", default: false },
    users: { type: "string", default: "10000" },
    teams: { type: "string", default: "1000" },
    schedules: { type: "string", default: "500" },
    "escalation-policies": { type: "string", default: "300" },
  },
});

const { createDb } = await import("@/lib/db/client");
const { migrateIfBehind } = await import("@/lib/db/migrations");
const { env } = await import("@/lib/config/env");
const { ensureConnection } = await import("@/lib/sync/bootstrap");
const { runSync } = await import("@/lib/sync/run");
const { fetchOnly } = await import("@/lib/sync/fetch-only");
const { RateBudget } = await import("@/lib/pagerduty");

const KEY = "sim+full_AccessKey-0001";
const print = (line: Record<string, unknown>) => console.log(JSON.stringify(line));

async function startSimProcess(): Promise<{ url: string; child: ChildProcess }> {
  // Node itself (tsx as a loader), not npx: killing the child must stop the simulator, not only a wrapper.
  const args = ["--import", "tsx", "simulator/cli.ts", "--port", "0", "--seed", "42", "--users", values.users!, "--teams", values.teams!, "--schedules", values.schedules!, "--escalation-policies", values["escalation-policies"]!, "--rate-limit", "0", "--latency-ms", "5"];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on("exit", (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  child.stdout!.resume();
  return { url, child };
}

async function sim(url: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${url}${path}`, {
    method: body === undefined ? "GET" : body === null ? "DELETE" : "POST",
    headers: { "content-type": "application/json", accept: "application/vnd.pagerduty+json;version=2", authorization: `Token token=${KEY}` },
    body: body === undefined || body === null ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${path} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function put(url: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${url}${path}`, { method: "PUT", headers: { "content-type": "application/json", accept: "application/vnd.pagerduty+json;version=2", authorization: `Token token=${KEY}` }, body: JSON.stringify(body) });
  if (res.status >= 400) throw new Error(`PUT ${path} → ${res.status} ${await res.text()}`);
}

/** Wall time per sync phase (a phase lasts until the next starts; database writes overlap the fetching). */
function phaseTimer() {
  const ms: Record<string, number> = {};
  let current = "starting";
  let at = performance.now();
  const onPhase = (phase: string) => {
    const now = performance.now();
    ms[current] = (ms[current] ?? 0) + Math.round(now - at);
    current = phase;
    at = now;
  };
  return { onPhase, done: () => (onPhase("done"), ms) };
}

let peakRss = 0;
let peakHeap = 0;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
}, 50);

const { url, child } = await startSimProcess();
/** The embedded database is prepared (initdb, migrations) by another process: see bench/support/prepare-pglite.ts. */
function preparedPglite(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-sync-"));
  const prep = spawnSync(process.execPath, ["--import", "tsx", "bench/support/prepare-pglite.ts", dir], { stdio: "inherit" });
  if (prep.status !== 0) throw new Error("could not prepare the embedded database");
  return dir;
}
const handle = process.env.BENCH_DATABASE_URL ? createDb({ kind: "postgres", url: process.env.BENCH_DATABASE_URL }) : createDb({ kind: "pglite", dataDir: preparedPglite(), sharedBuffers: env().pgliteSharedBuffers });
try {
  // As the portal opens its database: the schema engine starts only when a migration is pending.
  await migrateIfBehind(handle);
  const db = handle.prisma;
  // What the process holds before syncing (the embedded database included).
  const baselineRss = process.memoryUsage().rss;
  const unlimited = () => ({ budget: new RateBudget({ limit: 1_000_000 }) });
  const connectionId = await ensureConnection(db, { apiBaseUrl: url, secret: { kind: "API_KEY", apiKey: KEY }, subdomain: "acme" });
  const counts = (await sim(url, "/__sim/state")) as { users: number; teams: number; memberships: number; schedules: number; escalationPolicies: number };
  print({ organisation: counts, database: handle.kind });

  // (a) + (c): a full sync with the limit off and 5 ms latency, and only fetching the same pages.
  // The machine may be shared: fetch-only runs just before and just after the full sync, and the sync is
  // compared with their mean (both printed).
  const timedFetch = async () => {
    const started = performance.now();
    const fetched = await fetchOnly(db, connectionId, { tuning: unlimited() });
    return { ms: Math.round(performance.now() - started), requests: fetched.requests };
  };
  const fetchBefore = await timedFetch();
  const fullPhases = phaseTimer();
  const full = await runSync(db, connectionId, { kind: "FULL", trigger: "CLI", tuning: unlimited(), onPhase: fullPhases.onPhase });
  const phasesMs = fullPhases.done();
  if (full.status !== "SUCCEEDED") throw new Error(`full sync failed: ${full.error}`);
  const pages = (n: number) => Math.max(1, Math.ceil(n / 100));
  const perTeam = await db.pdTeamMembership.groupBy({ by: ["teamPdId"], where: { connectionId, removedAt: null }, _count: true });
  const oncalls = await db.pdOncallShift.count({ where: { connectionId, removedAt: null } });
  const teamsWithoutMembers = counts.teams - perTeam.length;
  const memberPages = perTeam.reduce((n, t) => n + pages(t._count), 0) + teamsWithoutMembers;
  const minimum = 1 + pages(counts.users) + 1 + pages(counts.users) + pages(counts.teams) + memberPages + pages(counts.schedules) + pages(counts.escalationPolicies) + pages(oncalls);
  print({ measure: "a_full_sync_requests", requests: full.requests, minimum, ratio: +(full.requests / minimum).toFixed(3), oncalls, target: "<= 1.1" });

  const fetchAfter = await timedFetch();
  const fetchMs = (fetchBefore.ms + fetchAfter.ms) / 2;
  print({ measure: "c_sync_vs_fetch_only", syncMs: full.durationMs, fetchOnlyMs: [fetchBefore.ms, fetchAfter.ms], fetchOnlyRequests: fetchAfter.requests, ratio: +(full.durationMs / fetchMs).toFixed(3), phasesMs, target: "<= 2" });
  // The daily reconciling full sync of an unchanged account (rows already there, grants held).
  const again = await runSync(db, connectionId, { kind: "FULL", trigger: "CLI", tuning: unlimited() });
  print({ measure: "c2_resync_vs_fetch_only", syncMs: again.durationMs, ratio: +(again.durationMs / fetchMs).toFixed(3), target: "<= 2" });

  // (d) 1% of users get another role and 1% of memberships change (half removed, half role changes), as an admin would through the API.
  const users = await db.pdUser.findMany({ where: { connectionId, removedAt: null, role: { in: ["user", "limited_user"] } }, select: { pdId: true, name: true, email: true, role: true }, take: Math.ceil(counts.users / 100) });
  for (const u of users) await put(url, `/users/${u.pdId}`, { user: { type: "user", name: u.name, email: u.email, role: u.role === "user" ? "limited_user" : "user" } });
  const memberships = await db.pdTeamMembership.findMany({ where: { connectionId, removedAt: null }, take: Math.ceil(counts.memberships / 100), orderBy: [{ teamPdId: "asc" }, { userPdId: "asc" }] });
  for (const [i, m] of memberships.entries()) {
    if (i % 2) await sim(url, `/teams/${m.teamPdId}/users/${m.userPdId}`, null);
    else await put(url, `/teams/${m.teamPdId}/users/${m.userPdId}`, { role: m.role === "manager" ? "responder" : "manager" });
  }
  const incremental = await runSync(db, connectionId, { kind: "INCREMENTAL", trigger: "CLI", tuning: unlimited() });
  if (incremental.status !== "SUCCEEDED") throw new Error(`incremental sync failed: ${incremental.error}`);
  print({ measure: "d_incremental_vs_full", changedUsers: users.length, changedMemberships: memberships.length, incrementalRequests: incremental.requests, fullRequests: full.requests, ratio: +(incremental.requests / full.requests).toFixed(4), incrementalMs: incremental.durationMs, drift: incremental.drift, target: "<= 0.05" });

  // (b) the simulator's 960/min limit on, the client's default budget (960/min).
  if (!values["skip-limited"]) {
    await sim(url, "/__sim/rate-limit", { perMinute: 960 });
    await sim(url, "/__sim/stats/reset", {});
    const limited = await runSync(db, connectionId, { kind: "FULL", trigger: "CLI", tuning: { budget: new RateBudget() } });
    const run = await db.syncRun.findUniqueOrThrow({ where: { id: limited.runId } });
    const allowedMs = (limited.requests / 960) * 60_000;
    print({ measure: "b_rate_limited_full_sync", status: limited.status, requests: limited.requests, answers429: run.rateLimited, wallMs: limited.durationMs, allowedMs: Math.round(allowedMs), ratio: +(limited.durationMs / allowedMs).toFixed(3), target: "429 = 0, ratio <= 1.1" });
  } else {
    print({ measure: "b_rate_limited_full_sync", skipped: true });
  }
  clearInterval(sampler);
  print({ measure: "e_peak_memory", peakRssMB: Math.round(peakRss / 2 ** 20), rssBeforeSyncMB: Math.round(baselineRss / 2 ** 20), peakHeapMB: Math.round(peakHeap / 2 ** 20), heapLimitMB: Math.round(v8.getHeapStatistics().heap_size_limit / 2 ** 20), database: handle.kind, target: "< 512" });
} finally {
  clearInterval(sampler);
  child.kill("SIGTERM");
  await handle.close();
}
process.exit(0);
