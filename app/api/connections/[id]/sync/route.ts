import { AuthenticationError, AuthorizationError } from "@/lib/auth/errors";
import { getActor } from "@/lib/auth/session";
import { syncStatus } from "@/lib/pagerduty-data/sync-runs";

export const dynamic = "force-dynamic";

/** GET → the connection's running sync and recent history, polled by its page (Admins and Auditors). */
export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    const { id } = await params;
    return Response.json(await syncStatus(await getActor(), id), { headers: { "cache-control": "no-store" } });
  } catch (err) {
    if (err instanceof AuthenticationError) return Response.json({ error: "Sign in first." }, { status: 401 });
    if (err instanceof AuthorizationError) return Response.json({ error: "Only administrators and auditors can see syncs." }, { status: 403 });
    throw err;
  }
}
