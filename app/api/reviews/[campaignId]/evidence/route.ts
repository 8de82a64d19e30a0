import { getActor } from "@/lib/auth/session";
import { evidenceExport } from "@/lib/reviews/evidence";
import { errorResponse, isUuid, notFound } from "../respond";

export const dynamic = "force-dynamic";

const FORMATS = ["csv", "json", "pdf"] as const;

/** GET ?format=csv|json|pdf → the campaign's evidence pack, streamed (administrators and auditors). */
export async function GET(request: Request, { params }: { params: Promise<{ campaignId: string }> }) {
  const { campaignId } = await params;
  if (!isUuid(campaignId)) return notFound("campaign");
  const format = new URL(request.url).searchParams.get("format") ?? "csv";
  if (!(FORMATS as readonly string[]).includes(format)) return Response.json({ error: 'format must be "csv", "json" or "pdf".' }, { status: 400 });
  try {
    const pack = await evidenceExport(await getActor(), campaignId, format as (typeof FORMATS)[number]);
    return new Response(pack.body, {
      headers: { "content-type": pack.contentType, "content-disposition": `attachment; filename="${pack.filename}"`, "cache-control": "no-store" },
    });
  } catch (err) {
    return errorResponse("reviews.evidence", err, "Only administrators and auditors can download evidence.");
  }
}
