import { failureFromError } from "@/lib/auth/action";
import { AuthenticationError, AuthorizationError, DomainError } from "@/lib/auth/errors";

/**
 * The answer of the review API routes to a thrown error: 401 not signed in, 403 not allowed, 404/400
 * for a domain refusal, and for anything unexpected a logged reference (never a stack to the browser).
 */
export function errorResponse(name: string, err: unknown, forbidden: string): Response {
  if (err instanceof AuthenticationError) return Response.json({ error: "Sign in first." }, { status: 401 });
  if (err instanceof AuthorizationError) return Response.json({ error: forbidden }, { status: 403 });
  if (err instanceof DomainError) return Response.json({ error: err.message }, { status: /not found|no campaign|no item/i.test(err.message) ? 404 : 400 });
  return Response.json({ error: failureFromError(name, null, err).error }, { status: 500 });
}

export const notFound = (what: string) => Response.json({ error: `No ${what} with this id, or it is not yours to see.` }, { status: 404 });
export const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
