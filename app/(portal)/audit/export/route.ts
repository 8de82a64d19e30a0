import { authorize } from "@/lib/auth/access";
import { failureFromError } from "@/lib/auth/action";
import { AuthenticationError, AuthorizationError } from "@/lib/auth/errors";
import { auditCsvStream } from "@/lib/audit/export";
import { parseAuditFilters } from "@/lib/audit/queries";
import { getDb } from "@/lib/db";

export const dynamic = "force-dynamic";

/** GET /audit/export?<same filters as the audit page> → CSV download (Admins and Auditors). */
export async function GET(request: Request) {
  try {
    await authorize("audit.export");
  } catch (err) {
    if (err instanceof AuthenticationError) return Response.json({ error: "Sign in to export the audit trail." }, { status: 401 });
    if (err instanceof AuthorizationError) return Response.json({ error: "Only administrators and auditors can export the audit trail." }, { status: 403 });
    return Response.json(failureFromError("audit.export", null, err), { status: 500 });
  }
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const filters = parseAuditFilters(params);
  if (!filters.success) return Response.json({ error: filters.error.issues.map((i) => i.message).join("; ") }, { status: 400 });
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
  return new Response(auditCsvStream(await getDb(), filters.data), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="audit-trail-${stamp}.csv"`,
      "cache-control": "no-store",
    },
  });
}
