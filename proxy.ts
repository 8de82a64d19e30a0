import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/lib/config/env";
import { newNonce, securityHeaders } from "@/lib/security/headers";

/**
 * Security headers only: a fresh CSP nonce per request, as Next.js documents it (the request carries the
 * policy so Next.js puts the nonce on its scripts; the response carries it to the browser), and HSTS in
 * production. Never access control: that is the data-access layer's (architecture invariant 3).
 */
export function proxy(request: NextRequest) {
  const config = env();
  const headers = securityHeaders({ nonce: newNonce(), nodeEnv: config.nodeEnv, authUrl: config.authUrl });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("Content-Security-Policy", headers["Content-Security-Policy"]!);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export const config = {
  matcher: [
    {
      // Everything but build assets; prefetches render no HTML, so they need no nonce.
      source: "/((?!_next/static|_next/image|favicon.ico).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
