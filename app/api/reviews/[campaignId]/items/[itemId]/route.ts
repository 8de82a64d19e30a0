import { getActor } from "@/lib/auth/session";
import { itemContext } from "@/lib/reviews/queries";
import { errorResponse, isUuid, notFound } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** GET → the context of one review item: the person, PagerDuty role and teams, on-call, drift, history, remediation. */
export async function GET(_request: Request, { params }: { params: Promise<{ campaignId: string; itemId: string }> }) {
  const { campaignId, itemId } = await params;
  if (!isUuid(campaignId) || !isUuid(itemId)) return notFound("review item");
  try {
    const ctx = await itemContext(await getActor(), itemId);
    if (!ctx || ctx.item.id !== itemId) return notFound("review item");
    return Response.json(ctx, { headers: { "cache-control": "no-store" } });
  } catch (err) {
    return errorResponse("reviews.itemContext", err, "You may not see this item.");
  }
}
