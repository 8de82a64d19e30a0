import { z } from "zod";
import { getActor } from "@/lib/auth/session";
import { errorResponse, invalidRequest, isUuid, methodNotAllowed, notFound, readFields, refuseCrossSite } from "@/lib/http/route";
import { evidenceExport } from "@/lib/reviews/evidence";

export const dynamic = "force-dynamic";

const options = z.object({ format: z.enum(["csv", "json", "pdf"], { error: 'format must be "csv", "json" or "pdf".' }).default("csv") });

/** A GET never exports: each export is recorded in the audit trail, and a link on another site must not make an auditor "export". */
export function GET() {
  return methodNotAllowed("POST", "Evidence packs are downloaded with the campaign page's Evidence buttons (a POST form with the format), not by a link: each download is recorded in the audit trail.");
}

/** POST format=csv|json|pdf (a form or JSON) → the campaign's evidence pack, streamed (administrators and auditors). */
export async function POST(request: Request, { params }: { params: Promise<{ campaignId: string }> }) {
  const crossSite = refuseCrossSite(request);
  if (crossSite) return crossSite;
  const { campaignId } = await params;
  if (!isUuid(campaignId)) return notFound("campaign");
  const fields = await readFields(request);
  if (fields instanceof Response) return fields;
  const parsed = options.safeParse(fields);
  if (!parsed.success) return invalidRequest(parsed.error);
  try {
    const pack = await evidenceExport(await getActor(), campaignId, parsed.data.format);
    return new Response(pack.body, {
      headers: { "content-type": pack.contentType, "content-disposition": `attachment; filename="${pack.filename}"`, "cache-control": "no-store" },
    });
  } catch (err) {
    return errorResponse("reviews.evidence", err, "Only administrators and auditors can download evidence.");
  }
}
