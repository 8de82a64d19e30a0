import { AuthenticationError, AuthorizationError } from "@/lib/auth/errors";
import { jobHealth } from "@/lib/jobs/health";

export const dynamic = "force-dynamic";

/** GET → the job queue's health, polled by the dashboard (Admins and Auditors). */
export async function GET() {
  try {
    return Response.json(await jobHealth(), { headers: { "cache-control": "no-store" } });
  } catch (err) {
    if (err instanceof AuthenticationError) return Response.json({ error: "Sign in first." }, { status: 401 });
    if (err instanceof AuthorizationError) return Response.json({ error: "Only administrators and auditors can see the job queue." }, { status: 403 });
    throw err;
  }
}
