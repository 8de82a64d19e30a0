/**
 * npm run worker [-- --concurrency 8 --poll-ms 1000]
 *
 * Runs background jobs in a process of its own, next to any number of others on any machine; they
 * coordinate through PostgreSQL row locks. Needs DATABASE_URL: the embedded PGlite database is one
 * connection owned by the server process, so a second process cannot share it (set WORKER=embedded
 * and the server runs the jobs itself).
 */
import { parseArgs } from "node:util";
import { ConfigError, env } from "@/lib/config/env";
import { getDb, getDbHandle } from "@/lib/db";
import { Worker, runWorkerProcess, registeredJobNames } from "@/lib/jobs";
import "@/lib/jobs/handlers";

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { concurrency: { type: "string", default: "4" }, "poll-ms": { type: "string", default: "1000" } } });
  const concurrency = Number(values.concurrency);
  const pollMs = Number(values["poll-ms"]);
  if (!Number.isInteger(concurrency) || concurrency < 1 || !Number.isInteger(pollMs) || pollMs < 10) {
    console.error("Usage: npm run worker -- [--concurrency <n ≥ 1>] [--poll-ms <ms ≥ 10>]");
    return 2;
  }
  const config = env();
  if (!config.databaseUrl) {
    console.error(
      "npm run worker needs PostgreSQL: set DATABASE_URL.\n" +
        "The embedded database (PGlite) is a single connection inside the server process, so a separate worker process cannot share it.\n" +
        "On the embedded default the server runs jobs itself (WORKER=embedded).",
    );
    return 1;
  }
  const db = await getDb();
  const worker = new Worker({ db, concurrency, pollMs });
  console.info(`[jobs] worker ${worker.id}: ${registeredJobNames().length} job type(s), concurrency ${concurrency}`);
  const code = await runWorkerProcess(worker, { graceMs: config.workerGraceMs });
  await getDbHandle()?.close();
  return code;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  },
);
