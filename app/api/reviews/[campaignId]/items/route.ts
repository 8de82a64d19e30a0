import { z } from "zod";
import { text } from "@/lib/validation/text";
import { getActor } from "@/lib/auth/session";
import { workspacePage } from "@/lib/reviews/queries";
import { ITEM_KINDS, RISKS } from "@/lib/reviews/types";
import { errorResponse, invalidRequest, isUuid, notFound } from "@/lib/http/route";

export const dynamic = "force-dynamic";

const query = z.strictObject({
  view: z.enum(["mine", "all"]).default("mine"),
  search: text().trim().max(200).optional(),
  teamPdId: text().trim().max(64).optional(),
  role: text().trim().max(40).optional(),
  risk: z.enum(RISKS as [string, ...string[]]).optional(),
  state: z.enum(["undecided", "draft", "decided", "exception"]).optional(),
  kind: z.enum(ITEM_KINDS as [string, ...string[]]).optional(),
  sort: z.enum(["subject", "entitlement", "risk", "state", "reviewer"]).optional(),
  dir: z.enum(["asc", "desc"]).optional(),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** GET → one page of a campaign's review items, searched, filtered and sorted on the server. */
export async function GET(request: Request, { params }: { params: Promise<{ campaignId: string }> }) {
  const { campaignId } = await params;
  if (!isUuid(campaignId)) return notFound("campaign");
  const parsed = query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) return invalidRequest(parsed.error);
  try {
    const q = parsed.data;
    const page = await workspacePage(await getActor(), { ...q, campaignId, risk: q.risk as (typeof RISKS)[number] | undefined, kind: q.kind as (typeof ITEM_KINDS)[number] | undefined });
    return Response.json(page, { headers: { "cache-control": "no-store" } });
  } catch (err) {
    return errorResponse("reviews.items", err, "You may not see this campaign's items.");
  }
}
