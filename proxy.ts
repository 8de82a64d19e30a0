import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/lib/config/env";
import { malformedPath, malformedResponse } from "@/lib/http/malformed";
import { newNonce, securityHeaders } from "@/lib/security/headers";

/**
 * Runs before every route, for two things only, never access control (that is the data-access layer's,
 * architecture invariant 3):
 * - it refuses an address no route can serve (lib/http/malformed.ts): Next.js would answer a bare 500 while
 *   decoding its dynamic segments;
 * - security headers: a fresh CSP nonce per request, as Next.js documents it (the request carries the policy so
 *   Next.js puts the nonce on its scripts; the response carries it to the browser), and HSTS in production.
 */
export function proxy(request: NextRequest) {
  const config = env();
  const headers = securityHeaders({ nonce: newNonce(), nodeEnv: config.nodeEnv, authUrl: config.authUrl });
  const malformed = malformedPath(request.nextUrl.pathname);
  let response: Response;
  if (malformed) {
    response = malformedResponse(malformed);
  } else {
    const requestHeaders = new Headers(request.headers);
    requestHeaders.set("Content-Security-Policy", headers["Content-Security-Policy"]!);
    response = NextResponse.next({ request: { headers: requestHeaders } });
  }
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export const config = {
  matcher: [
    {
      // Everything but build assets. Prefetches render no HTML, so they need no nonce; their addresses are
      // the links' own, already checked when the page that holds them was served.
      source: "/((?!_next/static|_next/image|favicon.ico).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
