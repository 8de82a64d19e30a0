/**
 * npm run bench:changes [-- --changes 1000 --latency-ms 50 --concurrency 16 --batch 50 --rate-limit 0]
 *
 * The write-back pipeline end to end: 1,000 changes (60% team additions, 25% base-role changes, 15% team
 * removals, each for a different PagerDuty user) are created in batches of 50 (one transaction per cause, as
 * services create them) while a worker applies and verifies them against the simulator over HTTP with 50 ms
 * latency per request. Database: PGlite in a temporary folder, or PostgreSQL when BENCH_DATABASE_URL is set.
 *
 * Prints the total time from the first creation until every change is verified, the latency from each
 * change's creation to its verification (p50 / p95 / max), requests and writes seen by the simulator, and a
 * final JSON line. `--rate-limit 960` puts PagerDuty's per-key budget on the client (then the floor is
 * requests / 960 minutes); by default the budget is off, so the numbers show the pipeline's own cost.
 * Asserts nothing; exits non-zero only if a change did not end verified.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

process.env.DEMO_MODE ??= "true"; // demo mode's fixed key seals the connection's credential
process.env.PAGERDUTY_ALLOWED_HOSTS ??= "127.0.0.1"; // the simulator runs locally: list it, as an operator would (docs/decisions/0011)

const { values } = parseArgs({
  options: {
    changes: { type: "string", default: "1000" },
    "latency-ms": { type: "string", default: "50" },
    concurrency: { type: "string", default: "16" },
    batch: { type: "string", default: "50" },
    "rate-limit": { type: "string", default: "0" },
  },
});
const COUNT = Number(values.changes);
const LATENCY = Number(values["latency-ms"]);
const CONCURRENCY = Number(values.concurrency);
const BATCH = Number(values.batch);
const RATE_LIMIT = Number(values["rate-limit"]);

const { createDb } = await import("@/lib/db/client");
const { applyPendingMigrations } = await import("@/lib/db/migrations");
const { ensureConnection } = await import("@/lib/sync/bootstrap");
const { configurePipeline, createChanges } = await import("@/lib/changes");
const { APPLY_CHANGE_JOB } = await import("@/lib/changes/queue");
await import("@/lib/changes/jobs");
const { Worker } = await import("@/lib/jobs");
const { RateBudget } = await import("@/lib/pagerduty");
const { startSimulator } = await import("@/simulator");
type ChangeSpec = import("@/lib/changes").ChangeSpec;

const print = (line: string) => console.log(line);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dataDir = process.env.BENCH_DATABASE_URL ? null : mkdtempSync(path.join(tmpdir(), "bench-changes-"));
const handle = dataDir ? createDb({ kind: "pglite", dataDir }) : createDb({ kind: "postgres", url: process.env.BENCH_DATABASE_URL!, poolMax: CONCURRENCY + 4 });
await applyPendingMigrations(handle.adapterFactory);
const db = handle.prisma;

// Enough users that every change has its own (no ordering waits): the pipeline's parallel case.
const sim = await startSimulator({ port: 0, seed: 7, rateLimitPerMinute: 0, latencyMs: LATENCY, size: { users: Math.ceil(COUNT * 1.3), teams: 60, schedules: 20, escalationPolicies: 20 } });

try {
  const connectionId = await ensureConnection(db, { apiBaseUrl: sim.url, secret: { kind: "API_KEY", apiKey: sim.keys.full }, subdomain: "acme", name: "Benchmark account" });
  await db.pagerDutyConnection.update({ where: { id: connectionId }, data: { accessLevel: "FULL", readOnly: false, abilities: [...sim.state.data.abilities] } });
  // The brake would hold batches touching > 10% of the users; the benchmark measures execution, not approval.
  await db.changePolicy.create({ data: { connectionId, brakeUserShare: 1, brakeMaxDeletions: COUNT } });

  const specs = pickChanges(COUNT);
  print(`changes: ${specs.length} (${countKinds(specs)}), simulator latency ${LATENCY} ms, worker concurrency ${CONCURRENCY}, batches of ${BATCH}, database ${dataDir ? "PGlite (temp folder)" : "PostgreSQL"}, client budget ${RATE_LIMIT ? `${RATE_LIMIT}/min` : "off"}`);

  configurePipeline({ client: { budget: new RateBudget({ limit: RATE_LIMIT || 1_000_000 }) } });
  const worker = new Worker({ db, concurrency: CONCURRENCY, pollMs: 20, leaseMs: 60_000, schedules: false, names: [APPLY_CHANGE_JOB], log: () => {} }).start();

  const started = Date.now();
  const ids: string[] = [];
  for (let i = 0; i < specs.length; i += BATCH) {
    const created = await db.$transaction(
      (tx) => createChanges(tx, { connectionId, cause: { kind: "admin_action", id: `bench-${started}-${i}` }, requestedBy: { type: "system", job: "bench.changes" }, changes: specs.slice(i, i + BATCH).map((spec) => ({ spec })) }),
      { timeout: 120_000 },
    );
    ids.push(...created.changes.map((c) => c.id));
  }
  const createdMs = Date.now() - started;

  for (;;) {
    const open = await db.changeRequest.count({ where: { id: { in: ids }, status: { notIn: ["VERIFIED", "UNVERIFIED", "FAILED", "CANCELLED"] } } });
    if (open === 0) break;
    await sleep(50);
  }
  const totalMs = Date.now() - started;
  await worker.stop({ timeoutMs: 10_000 });
  const rows = await db.changeRequest.findMany({ where: { id: { in: ids } }, select: { status: true, createdAt: true, verifiedAt: true, lastErrorMessage: true } });

  const byStatus: Record<string, number> = {};
  for (const r of rows) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  const latencies = rows.filter((r) => r.verifiedAt).map((r) => r.verifiedAt!.getTime() - r.createdAt.getTime()).sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] ?? null;
  const stats = sim.stats();
  const writes = Object.values(stats.writes).reduce((a, b) => a + b, 0);

  print(`created all in ${(createdMs / 1000).toFixed(1)} s`);
  print(`all settled in ${(totalMs / 1000).toFixed(1)} s (${(rows.length / (totalMs / 1000)).toFixed(1)} changes/s): ${JSON.stringify(byStatus)}`);
  print(`creation → verified: p50 ${fmt(pct(50))}, p95 ${fmt(pct(95))}, max ${fmt(latencies.at(-1) ?? null)}`);
  print(`simulator: ${stats.requests.total} requests (${(stats.requests.total / rows.length).toFixed(2)} per change), ${writes} writes applied, ${stats.rateLimited} rate-limited`);
  if (RATE_LIMIT) print(`budget floor at ${RATE_LIMIT}/min: ${((stats.requests.total / RATE_LIMIT) * 60).toFixed(0)} s`);
  const failed = rows.filter((r) => r.status !== "VERIFIED");
  for (const f of failed.slice(0, 5)) print(`  not verified: ${f.status} ${f.lastErrorMessage ?? ""}`);
  console.log(
    JSON.stringify({
      bench: "changes",
      changes: rows.length,
      latencyMs: LATENCY,
      concurrency: CONCURRENCY,
      database: dataDir ? "pglite" : "postgres",
      rateLimitPerMinute: RATE_LIMIT || null,
      createMs: createdMs,
      totalToAllVerifiedMs: totalMs,
      p50CreatedToVerifiedMs: pct(50),
      p95CreatedToVerifiedMs: pct(95),
      maxCreatedToVerifiedMs: latencies.at(-1) ?? null,
      statuses: byStatus,
      requests: stats.requests.total,
      writes,
    }),
  );
  process.exitCode = failed.length ? 1 : 0;
} finally {
  configurePipeline({});
  await sim.close();
  await handle.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}

function fmt(ms: number | null): string {
  return ms === null ? "n/a" : `${(ms / 1000).toFixed(2)} s`;
}

function countKinds(specs: ChangeSpec[]): string {
  const n: Record<string, number> = {};
  for (const s of specs) n[s.kind] = (n[s.kind] ?? 0) + 1;
  return Object.entries(n).map(([k, v]) => `${v} ${k}`).join(", ");
}

/** 60% additions, 25% role changes, 15% removals, each for a user no other change touches. */
function pickChanges(count: number): ChangeSpec[] {
  const s = sim.state;
  const teams = s.teamsOrdered();
  const free = s.usersOrdered().filter((u) => u.role !== "owner" && !u.role.startsWith("read_only"));
  const used = new Set<string>();
  const take = (pred: (u: (typeof free)[number]) => boolean) => {
    const u = free.find((x) => !used.has(x.id) && pred(x));
    if (u) used.add(u.id);
    return u;
  };
  const specs: ChangeSpec[] = [];
  const removals = Math.round(count * 0.15);
  const roles = Math.round(count * 0.25);
  for (let i = 0; i < removals; i++) {
    // A member PagerDuty lets go: not a direct target of one of the team's policies.
    const u = take((x) => s.teamsOfUser(x.id).some((m) => !s.policiesOfTeam(m.teamId).some((p) => p.rules.some((r) => r.targets.some((t) => t.id === x.id)))));
    if (!u) break;
    const m = s.teamsOfUser(u.id).find((mm) => !s.policiesOfTeam(mm.teamId).some((p) => p.rules.some((r) => r.targets.some((t) => t.id === u.id))))!;
    specs.push({ kind: "team_member_remove", teamId: m.teamId, userId: u.id });
  }
  for (let i = 0; i < roles; i++) {
    const u = take((x) => x.role !== "limited_user" && (x.licenseId === null || (s.data.licenses.get(x.licenseId)?.valid_roles ?? []).includes("limited_user")));
    if (!u) break;
    specs.push({ kind: "user_role_change", userId: u.id, role: "limited_user" });
  }
  while (specs.length < count) {
    const u = take((x) => teams.some((t) => !s.membership(t.id, x.id)));
    if (!u) throw new Error(`the simulated organisation has too few users for ${count} changes`);
    const team = teams.find((t) => !s.membership(t.id, u.id))!;
    specs.push({ kind: "team_member_put", teamId: team.id, userId: u.id, role: "responder" });
  }
  return specs;
}
