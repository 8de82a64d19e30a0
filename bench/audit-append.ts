/**
 * npm run bench:audit — audit appends per second and verifier throughput. Prints numbers, asserts nothing.
 *
 * Runtimes: PGlite in memory, PGlite on disk (a temporary folder), and PostgreSQL at
 * BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres) when reachable, in a
 * scratch database created and dropped here. Each append is its own transaction, as in the app
 * (the event commits with the change it records). "4 writers" runs four such loops at once; they
 * queue on the chain head's row lock, which is what serialises the chain.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { appendAudit, verifyAuditChain, type AuditInput } from "@/lib/audit";
import { createDb, type DbHandle } from "@/lib/db/client";
import { applyPendingMigrations } from "@/lib/db/migrations";

const APPENDS = Number(process.argv[2] ?? 1000);
const adminUrl = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

const event = (i: number): AuditInput => ({
  actor: { type: "person", id: `person-${i % 50}`, label: `Person ${i % 50} <p${i % 50}@example.com>` },
  action: "person.roles_changed",
  target: { type: "person", id: `person-${(i * 7) % 50}` },
  before: { roles: ["MEMBER"] },
  after: { roles: ["MEMBER", "AUDITOR"], note: `change ${i}` },
  reason: "quarterly review",
  requestId: `req-${i}`,
  clientIp: "203.0.113.7",
});

async function appendLoop(handle: DbHandle, count: number, offset: number) {
  for (let i = 0; i < count; i++) await handle.prisma.$transaction((tx) => appendAudit(tx, event(offset + i)));
}

const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString("en-US")}/s`;

async function measure(label: string, handle: DbHandle) {
  await applyPendingMigrations(handle.adapterFactory);
  await appendLoop(handle, 50, -50); // warm-up: connections, prepared statements, JIT

  let t0 = performance.now();
  await appendLoop(handle, APPENDS, 0);
  const sequential = performance.now() - t0;

  const perWriter = Math.ceil(APPENDS / 4);
  t0 = performance.now();
  await Promise.all([0, 1, 2, 3].map((w) => appendLoop(handle, perWriter, 100_000 * (w + 1))));
  const concurrent = performance.now() - t0;

  t0 = performance.now();
  const report = await verifyAuditChain(handle.prisma);
  const verify = performance.now() - t0;
  if (!report.ok) throw new Error(`${label}: chain broken after the benchmark: ${report.firstBreak.detail}`);

  console.log(
    `${label.padEnd(22)} sequential ${rate(APPENDS, sequential).padStart(9)}   4 writers ${rate(perWriter * 4, concurrent).padStart(9)}   verify ${rate(report.events, verify).padStart(10)} (${report.events} events)`,
  );
}

async function postgres() {
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch {
    console.log(`PostgreSQL             not reachable at ${adminUrl}: skipped`);
    return;
  }
  const name = `bench_audit_${Date.now()}`;
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = createDb({ kind: "postgres", url: url.toString(), poolMax: 8 });
  try {
    await measure("PostgreSQL", handle);
  } finally {
    await handle.close();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

async function main() {
  console.log(`audit appends: ${APPENDS} sequential, then ${APPENDS} by 4 concurrent writers; one transaction per append\n`);
  const memory = createDb({ kind: "pglite", dataDir: null });
  try {
    await measure("PGlite (in memory)", memory);
  } finally {
    await memory.close();
  }
  const dir = mkdtempSync(path.join(tmpdir(), "bench-audit-"));
  const disk = createDb({ kind: "pglite", dataDir: dir });
  try {
    await measure("PGlite (on disk)", disk);
  } finally {
    await disk.close();
    rmSync(dir, { recursive: true, force: true });
  }
  await postgres();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
