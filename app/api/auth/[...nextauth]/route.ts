import NextAuth from "next-auth";
import type { NextRequest } from "next/server";
import { getAuthOptions } from "@/lib/auth/options";
import { malformedQuery, malformedResponse } from "@/lib/http/malformed";

/** next-auth's endpoints (/api/auth/signin/oidc, /api/auth/callback/oidc, /api/auth/signout, …). */
type RouteContext = { params: Promise<{ nextauth: string[] }> };

async function handler(req: NextRequest, ctx: RouteContext): Promise<Response> {
  // next-auth copies query values (error, callbackUrl) into redirect headers, where a control character
  // or an undecodable byte would throw: refused here with a message instead of a 500.
  const malformed = malformedQuery(req.nextUrl.searchParams);
  if (malformed) return malformedResponse(malformed);
  // Options are built per request so that `next build` never needs the runtime configuration.
  const response: Response = await NextAuth(req, ctx, getAuthOptions());
  return response;
}

export { handler as GET, handler as POST };
