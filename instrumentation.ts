export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { getDb } = await import("@/lib/db");
  const db = await getDb(); // embedded default: apply pending migrations before the first request

  // `next build` also calls register() (in its page-generation workers): background jobs must never
  // run there, or a build would execute due jobs against the deployment's database.
  const { PHASE_PRODUCTION_BUILD } = await import("next/constants");
  if (process.env.NEXT_PHASE === PHASE_PRODUCTION_BUILD) return;
  const { env } = await import("@/lib/config/env");
  if (env().worker !== "embedded") return; // WORKER=off: separate `npm run worker` processes run the jobs
  const { startEmbeddedWorker } = await import("@/lib/jobs/embedded");
  startEmbeddedWorker(db);
}
