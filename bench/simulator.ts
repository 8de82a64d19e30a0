/**
 * Simulator benchmark (issue #3): list requests per second with 10,000 users and latency off, and memory with
 * 50,000 users. Prints readable lines and a final JSON line; asserts nothing (the acceptance floor, 1,000
 * list requests/s, is printed beside the numbers).
 *
 *   npm run bench:simulator [-- --seconds 4 --in-flight 8]
 *
 * Throughput: the simulator runs as `npm run simulator` does, in its own process (as beside the portal), and
 * this process drives it with `--in-flight` concurrent keep-alive clients over GET /users?limit=100&offset=…,
 * GET /teams/{id}/members?limit=100 and GET /oncalls?limit=100&offset=… (now, and a 7-day window as the sync
 * reads it), each body read whole (one in 50 parsed). It also reports the simulator's CPU time per request,
 * which other load on the machine does not change as much as the rate.
 * Memory: a simulator with 50,000 users is seeded in this process; RSS and heap used are measured after a full
 * garbage collection, against the same process before seeding.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { parseArgs } from "node:util";
import v8 from "node:v8";
import vm from "node:vm";
import { startSimulator } from "../simulator/index";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "4" }, "in-flight": { type: "string", default: "8" } } });
const SECONDS = Number(values.seconds);
const IN_FLIGHT = Number(values["in-flight"]);
const FLOOR_RPS = 1000;
const THROUGHPUT_SIZE = { users: 10_000, teams: 1_000, schedules: 500, escalationPolicies: 500 };
const MEMORY_SIZE = { users: 50_000, teams: 5_000, schedules: 2_500, escalationPolicies: 2_500 };
const KEY = "bench+simulator_Key-1";
const ACCEPT = "application/vnd.pagerduty+json;version=2";

const MB = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** Starts `simulator/cli.ts` in a child process; resolves with its base URL once it prints it. */
function startChild(): Promise<{ child: ChildProcess; url: string }> {
  const tsx = path.resolve(import.meta.dirname, "../node_modules/.bin/tsx");
  const args = [
    path.resolve(import.meta.dirname, "../simulator/cli.ts"),
    "--port", "0",
    "--seed", "1",
    "--users", String(THROUGHPUT_SIZE.users),
    "--teams", String(THROUGHPUT_SIZE.teams),
    "--schedules", String(THROUGHPUT_SIZE.schedules),
    "--escalation-policies", String(THROUGHPUT_SIZE.escalationPolicies),
    "--rate-limit", "0",
    "--latency-ms", "0",
    "--token", KEY,
  ];
  const child = spawn(tsx, args, { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`the simulator did not start in 120 s; output so far:\n${out}`)), 120_000);
    child.once("exit", (code) => reject(new Error(`the simulator exited with ${code}:\n${out}`)));
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        child.stdout?.removeAllListeners("data");
        child.stdout?.resume();
        resolve({ child, url: match[1] });
      }
    });
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });

/**
 * One GET; the body is read whole, and parsed when `parse` (the drive parses a sample: parsing every 124 kB
 * page in this process would measure this client, not the simulator, on a two-core machine).
 */
function get(url: string, parse = true): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers: { accept: ACCEPT, authorization: `Token token=${KEY}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, body: parse ? JSON.parse(text) : text });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
  });
}

interface Result {
  requests: number;
  rps: number;
  p50Ms: number;
  p95Ms: number;
  errors: number;
  /** Simulator CPU per request (ms), and the requests per second one core would serve at that cost. */
  serverCpuMsPerRequest: number | null;
  perCoreRps: number | null;
}

/** `IN_FLIGHT` clients, each sending its next request as soon as the last one is answered, for `SECONDS`. */
async function drive(paths: (n: number) => string, base: string, serverPid: number | null): Promise<Result> {
  let n = 0;
  let errors = 0;
  const latencies: number[] = [];
  const warmUntil = performance.now() + 500;
  while (performance.now() < warmUntil) await get(base + paths(n++));
  const cpuBefore = await cpuMsOf(serverPid);
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  const client = async () => {
    while (performance.now() < deadline) {
      const t = performance.now();
      const i = n++;
      const res = await get(base + paths(i), i % 50 === 0);
      latencies.push(performance.now() - t);
      if (res.status !== 200) errors++;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, client));
  const elapsed = (performance.now() - started) / 1000;
  const cpuAfter = await cpuMsOf(serverPid);
  const cpuPerRequest = cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) / latencies.length;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round((latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? 0) * 10) / 10;
  return {
    requests: latencies.length,
    rps: Math.round(latencies.length / elapsed),
    p50Ms: at(0.5),
    p95Ms: at(0.95),
    errors,
    serverCpuMsPerRequest: cpuPerRequest === null ? null : Math.round(cpuPerRequest * 1000) / 1000,
    perCoreRps: cpuPerRequest ? Math.round(1000 / cpuPerRequest) : null,
  };
}

async function throughput() {
  const { child, url } = await startChild();
  const serverPid = await simulatorPid(child.pid);
  try {
    const teams = ((await get(`${url}/teams?limit=100`)).body as { teams: { id: string }[] }).teams.map((t) => t.id);
    const oncallTotal = ((await get(`${url}/oncalls?limit=1&total=true`)).body as { total: number }).total;
    const oncallPages = Math.max(1, Math.ceil(oncallTotal / 100));
    const now = Date.now();
    const week = { since: new Date(now).toISOString(), until: new Date(now + 7 * 86_400_000).toISOString() };
    const weekTotal = ((await get(`${url}/oncalls?since=${week.since}&until=${week.until}&limit=1&total=true`)).body as { total: number }).total;
    // The offset cap (10,000) bounds how far a window can be paged.
    const weekPages = Math.max(1, Math.min(100, Math.ceil(weekTotal / 100)));
    console.log(`simulator: ${THROUGHPUT_SIZE.users} users, ${THROUGHPUT_SIZE.teams} teams, ${oncallTotal} on-calls now, ${weekTotal} in the next 7 days; latency off, rate limit off; ${IN_FLIGHT} keep-alive clients, ${SECONDS} s per endpoint`);
    const endpoints: Record<string, [string, (n: number) => string]> = {
      users: ["GET /users?limit=100&offset=…", (n) => `/users?limit=100&offset=${(n % 100) * 100}`],
      members: ["GET /teams/{id}/members?limit=100", (n) => `/teams/${teams[n % teams.length]}/members?limit=100`],
      oncalls: ["GET /oncalls?limit=100&offset=…", (n) => `/oncalls?limit=100&offset=${(n % oncallPages) * 100}`],
      // As the sync reads them: a fixed since/until window, paged.
      oncallsWeek: ["GET /oncalls?since&until(7 d)&limit=100&offset=…", (n) => `/oncalls?since=${week.since}&until=${week.until}&limit=100&offset=${(n % weekPages) * 100}`],
    };
    const results: Record<string, Result> = {};
    for (const [name, [label, paths]] of Object.entries(endpoints)) {
      results[name] = await drive(paths, url, serverPid);
      const r = results[name];
      const cpu = r.serverCpuMsPerRequest === null ? "" : `; simulator CPU ${r.serverCpuMsPerRequest} ms/request = ${r.perCoreRps} req/s per core`;
      console.log(`  ${label.padEnd(50)} ${String(r.rps).padStart(6)} req/s  (${r.requests} requests, p50 ${r.p50Ms} ms, p95 ${r.p95Ms} ms, ${r.errors} errors${cpu})`);
    }
    const rssBytes = await rssOf(serverPid);
    return { results, childRssMB: rssBytes === null ? null : MB(rssBytes) };
  } finally {
    agent.destroy();
    child.kill("SIGTERM");
  }
}

/** The simulator's node process: tsx runs the script in a child of the spawned process (Linux /proc). */
async function simulatorPid(pid: number | undefined): Promise<number | null> {
  if (!pid) return null;
  try {
    const children = (await readFile(`/proc/${pid}/task/${pid}/children`, "utf8")).trim().split(/\s+/).filter(Boolean).map(Number);
    return children.length ? ((await simulatorPid(children[0])) ?? children[0]!) : pid;
  } catch {
    return null;
  }
}

async function rssOf(pid: number | null): Promise<number | null> {
  if (!pid) return null;
  const kb = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, "utf8").catch(() => ""))?.[1];
  return kb ? Number(kb) * 1024 : null;
}

/** CPU time (user + system) the process has used, in ms; null off Linux. */
async function cpuMsOf(pid: number | null): Promise<number | null> {
  if (!pid) return null;
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks * 10 : null; // CLK_TCK is 100 on Linux
}

async function memory() {
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as () => void;
  gc();
  const before = process.memoryUsage();
  const started = performance.now();
  const sim = await startSimulator({ size: MEMORY_SIZE, rateLimitPerMinute: 0, log: () => {} });
  const seedMs = Math.round(performance.now() - started);
  gc();
  const after = process.memoryUsage();
  const users = sim.state.data.users.size;
  await sim.close();
  const out = { users, seedMs, rssMB: MB(after.rss), heapUsedMB: MB(after.heapUsed), rssGrowthMB: MB(after.rss - before.rss), heapGrowthMB: MB(after.heapUsed - before.heapUsed) };
  console.log(
    `memory with ${users} users (${MEMORY_SIZE.teams} teams, ${MEMORY_SIZE.schedules} schedules, ${MEMORY_SIZE.escalationPolicies} policies): ` +
      `RSS ${out.rssMB} MB (+${out.rssGrowthMB} MB for the organisation), heap used ${out.heapUsedMB} MB (+${out.heapGrowthMB} MB); seeded and listening in ${seedMs} ms`,
  );
  return out;
}

const { results, childRssMB } = await throughput();
const listRps = Math.min(...Object.values(results).map((r) => r.rps));
console.log(`slowest list endpoint: ${listRps} req/s (floor ${FLOOR_RPS}/s: ${listRps >= FLOOR_RPS ? "met" : "NOT met"}); simulator process RSS ${childRssMB ?? "n/a"} MB`);
const mem = await memory();
console.log(
  JSON.stringify({
    bench: "simulator",
    throughput: { ...THROUGHPUT_SIZE, inFlight: IN_FLIGHT, seconds: SECONDS, endpoints: results, slowestRps: listRps, floorRps: FLOOR_RPS, floorMet: listRps >= FLOOR_RPS, simulatorRssMB: childRssMB },
    memory: { ...MEMORY_SIZE, ...mem },
  }),
);
