import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../support/db";
import { RUN_LOG_DDL, waitFor } from "./support";

const root = path.resolve(import.meta.dirname, "../..");
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

function tsx(args: string[], env: Record<string, string | undefined> = {}) {
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const output = { text: "" };
  child.stdout.on("data", (d: Buffer) => (output.text += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output.text += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output, exited };
}

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb({ install: false });
  await t.superuser(RUN_LOG_DDL);
});
afterAll(async () => {
  await t?.close();
});

describe("npm run worker", () => {
  it("refuses to start on the embedded PGlite database, with a clear message", async () => {
    const run = tsx(["scripts/worker.ts"], { DATABASE_URL: "", DEMO_MODE: "true" });
    expect(await run.exited).toBe(1);
    expect(run.output.text).toMatch(/npm run worker needs PostgreSQL: set DATABASE_URL/);
    expect(run.output.text).toMatch(/PGlite\) is a single connection/);
  });

  // Separate processes need PostgreSQL; on PGlite the same guarantee is tested with two Worker
  // instances sharing the one handle (workers.test.ts), and the refusal above is what a user sees.
  if (onPostgres) {
    it("exits cleanly on SIGTERM", async () => {
      // A deployment's configuration (demo mode refuses to run beside a PostgreSQL DATABASE_URL); the worker never calls the IdP.
      const run = tsx(["scripts/worker.ts", "--poll-ms", "50"], {
        DATABASE_URL: t.url,
        DEMO_MODE: "false",
        NEXTAUTH_SECRET: "worker-test-secret-0123456789abcdef0123",
        ENCRYPTION_KEY: Buffer.alloc(32, 3).toString("base64"),
        OIDC_ISSUER: "https://idp.example.test",
        OIDC_CLIENT_ID: "portal",
        OIDC_CLIENT_SECRET: "unused",
      });
      await waitFor(async () => run.output.text.includes("worker started"), 20_000);
      run.child.kill("SIGTERM");
      expect(await run.exited).toBe(0);
      expect(run.output.text).toMatch(/SIGTERM: finishing running jobs/);
    });

    it("two worker processes on one database never run the same job twice", async () => {
      const workers = ["proc-1", "proc-2"].map((id) => tsx(["tests/jobs/fixtures/record-worker.ts", t.url!, id]));
      const children: ChildProcess[] = workers.map((w) => w.child);
      try {
        await waitFor(async () => workers.every((w) => w.output.text.includes("ready")), 30_000);
        const count = 200;
        await t.prisma.job.createMany({ data: Array.from({ length: count }, (_, i) => ({ id: `proc-run-${i}`, name: "test.record_run", payload: { i } })) });
        await waitFor(async () => (await t.prisma.job.count({ where: { status: "SUCCEEDED" } })) === count, 45_000, 50);
        for (const c of children) c.kill("SIGTERM");
        expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0]);

        const perJob = await t.prisma.$queryRaw<{ job_id: string; runs: bigint }[]>`SELECT job_id, count(*) AS runs FROM job_run_log GROUP BY job_id`;
        expect(perJob).toHaveLength(count);
        expect(perJob.filter((r) => r.runs !== 1n)).toEqual([]);
        const perWorker = await t.prisma.$queryRaw<{ worker: string }[]>`SELECT DISTINCT worker FROM job_run_log ORDER BY worker`;
        expect(perWorker.map((r) => r.worker)).toEqual(["proc-1", "proc-2"]); // both processes took part
      } finally {
        for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
      }
    });
  }
});
