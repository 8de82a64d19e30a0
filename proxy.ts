import { NextResponse, type NextRequest } from "next/server";
import { malformedPath, malformedResponse } from "@/lib/http/malformed";

/**
 * Runs before every route. It refuses an address no route can serve (lib/http/malformed.ts): Next.js
 * would answer a bare 500 while decoding its dynamic segments. Not an access-control layer: authorization
 * lives in lib/auth, on the server, for every read and mutation.
 */
export function proxy(request: NextRequest) {
  const malformed = malformedPath(request.nextUrl.pathname);
  return malformed ? malformedResponse(malformed) : NextResponse.next();
}

export const config = {
  matcher: "/((?!_next/static|_next/image|favicon.ico).*)",
};
