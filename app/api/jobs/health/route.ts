import { errorResponse } from "@/lib/http/route";
import { jobHealth } from "@/lib/jobs/health";

export const dynamic = "force-dynamic";

/** GET → the job queue's health, polled by the dashboard (Admins and Auditors). */
export async function GET() {
  try {
    return Response.json(await jobHealth(), { headers: { "cache-control": "no-store" } });
  } catch (err) {
    return errorResponse("jobs.health", err, "Only administrators and auditors can see the job queue.");
  }
}
