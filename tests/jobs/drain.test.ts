/**
 * The embedded worker drains when the server is asked to stop: SIGTERM to a real child process that runs the
 * embedded worker the way the Next.js server does (tests/jobs/fixtures/embedded-server.ts, with Next.js's own
 * SIGTERM handler that closes the HTTP server and exits). No new job is claimed, running jobs finish within
 * WORKER_GRACE_MS, then the process exits; a job that would outlive the bound is aborted and left to its lease.
 * Outcomes are read from the child's embedded database after it exited. Nothing depends on timings: the
 * jobs cannot finish before the signal, and the bound is far above what they need.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createDb } from "@/lib/db/client";
import { EMBEDDED_WORKER_CONCURRENCY } from "@/lib/jobs/embedded";
import { waitFor } from "./support";

const root = path.resolve(import.meta.dirname, "../..");
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Configuration of a deployment (no demo mode), on the embedded database. */
const serverEnv = (dataDir: string, extra: Record<string, string>) => ({
  ...process.env,
  DATABASE_URL: "",
  PGLITE_DATA_DIR: dataDir,
  DEMO_MODE: "false",
  NEXTAUTH_SECRET: "drain-test-secret-drain-test-secret-0123",
  ENCRYPTION_KEY: Buffer.alloc(32, 9).toString("base64"),
  OIDC_ISSUER: "http://127.0.0.1:9/issuer",
  OIDC_CLIENT_ID: "portal",
  OIDC_CLIENT_SECRET: "unused",
  ...extra,
});

function startServer(extra: Record<string, string>) {
  const dataDir = mkdtempSync(path.join(tmpdir(), "portal-drain-"));
  dirs.push(dataDir);
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "tests/jobs/fixtures/embedded-server.ts"], { cwd: root, env: serverEnv(dataDir, extra), stdio: ["ignore", "pipe", "pipe"] });
  const output = { text: "" };
  child.stdout.on("data", (d: Buffer) => (output.text += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output.text += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output, exited, dataDir };
}

async function jobsIn(dataDir: string) {
  const handle = createDb({ kind: "pglite", dataDir });
  try {
    return await handle.prisma.job.findMany({ where: { name: "test.drain" }, orderBy: { runAt: "asc" } });
  } finally {
    await handle.close();
  }
}

/** The embedded worker's slots: the fixture queues one test job more than that. */
const SLOTS = EMBEDDED_WORKER_CONCURRENCY;

describe("the embedded worker on SIGTERM", () => {
  it("takes no new job, lets the running ones finish, then the server exits", async () => {
    const server = startServer({ WORKER_GRACE_MS: "60000", JOB_MODE: "finish" });
    try {
      await waitFor(async () => (server.output.text.match(/job started/g) ?? []).length === SLOTS, 60_000, 50);
      server.child.kill("SIGTERM");
      expect(await server.exited).toBe(143); // Next.js's exit code, held until the drain was over
    } finally {
      if (server.child.exitCode === null) server.child.kill("SIGKILL");
    }
    expect(server.output.text).toMatch(/SIGTERM: the embedded worker takes no new jobs; running ones get up to 60000 ms/);
    expect(server.output.text).toMatch(/embedded worker drained/);
    const jobs = await jobsIn(server.dataDir);
    expect(jobs).toHaveLength(SLOTS + 1);
    for (const job of jobs.slice(0, SLOTS)) {
      expect(job).toMatchObject({ status: "SUCCEEDED", attempts: 1 });
      expect((job.result as { finishedAfterSignalMs: number }).finishedAfterSignalMs).toBeGreaterThanOrEqual(300);
    }
    expect(jobs[SLOTS]).toMatchObject({ status: "QUEUED", attempts: 0 }); // never claimed after the signal
  });

  it("aborts jobs that outlive the bound and exits; their leases let another worker take them over", async () => {
    const server = startServer({ WORKER_GRACE_MS: "1000", JOB_MODE: "hang" });
    try {
      await waitFor(async () => (server.output.text.match(/job started/g) ?? []).length === SLOTS, 60_000, 50);
      server.child.kill("SIGTERM");
      expect(await server.exited).toBe(143);
    } finally {
      if (server.child.exitCode === null) server.child.kill("SIGKILL");
    }
    expect(server.output.text).toMatch(/jobs still running were told to abort/);
    const jobs = await jobsIn(server.dataDir);
    // Nothing recorded for the aborted attempts: they stay RUNNING until their leases expire, then run again.
    expect(jobs.map((j) => [j.status, j.attempts])).toEqual([...Array.from({ length: SLOTS }, () => ["RUNNING", 1]), ["QUEUED", 0]]);
    expect(jobs[0]!.lockedUntil).toBeInstanceOf(Date);
  });
});
