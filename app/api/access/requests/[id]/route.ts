import { requestDetail } from "@/lib/access/queries";
import { getActor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { errorResponse, isUuid, notFound } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** GET → one request with its history, approvals and changes (the request page polls it to follow the status live). */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!isUuid(id)) return notFound("request");
  try {
    const detail = await requestDetail(await getDb(), await getActor(), id);
    if (!detail) return notFound("request");
    return Response.json(detail, { headers: { "cache-control": "no-store" } });
  } catch (err) {
    return errorResponse("access.requestDetail", err, "You may not see this request.");
  }
}
