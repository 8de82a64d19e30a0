export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // The configuration first: a portal that would run with an unsafe or incomplete configuration (demo
  // mode beside a deployment's database or identity provider, http in production, …) does not start.
  const { ConfigError, env } = await import("@/lib/config/env");
  try {
    env();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
  // Audit events record the client's address behind TRUSTED_PROXY_HOPS proxies (lib/audit/context.ts).
  const { installClientChainHook } = await import("@/lib/audit/socket-peer");
  installClientChainHook();

  const { getDb } = await import("@/lib/db");
  const db = await getDb(); // embedded default: apply pending migrations before the first request

  // `next build` also calls register() (in its page-generation workers): background jobs must never
  // run there, or a build would execute due jobs against the deployment's database.
  const { PHASE_PRODUCTION_BUILD } = await import("next/constants");
  if (process.env.NEXT_PHASE === PHASE_PRODUCTION_BUILD) return;
  if (env().worker !== "embedded") return; // WORKER=off: separate `npm run worker` processes run the jobs
  const { startEmbeddedWorker } = await import("@/lib/jobs/embedded");
  startEmbeddedWorker(db);
}
