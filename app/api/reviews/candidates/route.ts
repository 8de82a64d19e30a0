import { getActor } from "@/lib/auth/session";
import { errorResponse, invalidRequest } from "@/lib/http/route";
import { searchReviewerCandidates } from "@/lib/reviews/candidates";
import { candidateQueryInput } from "@/lib/reviews/schemas";

export const dynamic = "force-dynamic";

/** GET ?q=…&limit=… → {candidates: [{id, name, email?}]}: the reviewer type-ahead (bounded; what the caller may see). */
export async function GET(request: Request) {
  const parsed = candidateQueryInput.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) return invalidRequest(parsed.error);
  try {
    const candidates = await searchReviewerCandidates(await getActor(), parsed.data);
    return Response.json({ candidates }, { headers: { "cache-control": "no-store" } });
  } catch (err) {
    return errorResponse("reviews.candidates", err, "You may not look up reviewers.");
  }
}
