import { approvalQueue } from "@/lib/access/queries";
import { queueFilter } from "@/lib/access/schemas";
import { getActor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { errorResponse, invalidRequest } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** GET ?q=…&cursor=…&limit=…&connectionId=… → {rows, total, nextCursor}: the caller's approval queue, one keyset page. */
export async function GET(request: Request) {
  const parsed = queueFilter.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) return invalidRequest(parsed.error);
  try {
    const queue = await approvalQueue(await getDb(), await getActor(), parsed.data);
    return Response.json(queue, { headers: { "cache-control": "no-store" } });
  } catch (err) {
    return errorResponse("access.approvalQueue", err, "Approving requests is not part of your role.");
  }
}
