import { authorize } from "@/lib/auth/access";
import { exportAuditTrail } from "@/lib/audit/export";
import { parseAuditFilters } from "@/lib/audit/queries";
import { getDb } from "@/lib/db";
import { errorResponse, invalidRequest, methodNotAllowed, readFields, refuseCrossSite } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** A GET never exports: each export is recorded in the audit trail, and a link on another site must not make an auditor "export". */
export function GET() {
  return methodNotAllowed("POST", "The audit trail is exported with the Export CSV button on the audit page (a POST form with the filters), not by a link: each export is recorded in the audit trail.");
}

/** POST <the audit page's filters, as a form or JSON> → CSV download (Admins and Auditors); the export is audited. */
export async function POST(request: Request) {
  const crossSite = refuseCrossSite(request);
  if (crossSite) return crossSite;
  const forbidden = "Only administrators and auditors can export the audit trail.";
  let actor;
  try {
    actor = await authorize("audit.export");
  } catch (err) {
    return errorResponse("audit.export", err, forbidden);
  }
  const fields = await readFields(request);
  if (fields instanceof Response) return fields;
  const filters = parseAuditFilters(fields);
  if (!filters.success) return invalidRequest(filters.error);
  try {
    const body = await exportAuditTrail(await getDb(), actor, filters.data);
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
    return new Response(body, {
      headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="audit-trail-${stamp}.csv"`, "cache-control": "no-store" },
    });
  } catch (err) {
    return errorResponse("audit.export", err, forbidden);
  }
}
