import { getActor } from "@/lib/auth/session";
import { errorResponse } from "@/lib/http/route";
import { syncStatus } from "@/lib/pagerduty-data/sync-runs";

export const dynamic = "force-dynamic";

/** GET → the connection's running sync and recent history, polled by its page (Admins and Auditors). */
export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    const { id } = await params;
    return Response.json(await syncStatus(await getActor(), id), { headers: { "cache-control": "no-store" } });
  } catch (err) {
    return errorResponse("connections.syncStatus", err, "Only administrators and auditors can see syncs.");
  }
}
