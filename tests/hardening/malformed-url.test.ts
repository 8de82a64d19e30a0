/**
 * Addresses no route can serve are refused with a message before any route runs (proxy.ts, next-auth's
 * route): undecodable percent-encoding in a path segment (Next.js would answer a bare 500), control
 * characters in a path or in a query next-auth copies into a redirect header.
 */
import { describe, expect, it } from "vitest";
import { malformedPath, malformedQuery } from "@/lib/http/malformed";

describe("malformed addresses", () => {
  it.each([
    ["/reviews/%FF%FE", /not valid UTF-8/],
    ["/api/reviews/%ED%A0%80/items", /not valid UTF-8/],
    ["/api/auth/%E0%A4%A", /not valid UTF-8/],
    ["/reviews/a%00b", /control character/],
    ["/pagerduty/users/%0D%0ASet-Cookie:x", /control character/],
  ])("path %s is refused", (path, message) => {
    expect(malformedPath(path)).toMatch(message);
  });

  it.each(["/", "/reviews/00000000-0000-4000-8000-000000000000", "/pagerduty/users/PABC123", "/api/auth/callback/oidc", "/x/%E2%82%AC%20%F0%9F%98%80", "/x/9223372036854775808", "/x/" + "y".repeat(10_000)])("path %s is served", (path) => {
    expect(malformedPath(path)).toBeNull();
  });

  it("a query with a control character or an undecodable byte is refused; an ordinary one is not", () => {
    expect(malformedQuery(new URLSearchParams("error=%00"))).toMatch(/"error" contains a control character/);
    expect(malformedQuery(new URLSearchParams("callbackUrl=%FF"))).toMatch(/"callbackUrl" is not valid UTF-8/);
    expect(malformedQuery(new URLSearchParams("callbackUrl=http%3A%2F%2Flocalhost%2Freviews&error=OAuthCallback"))).toBeNull();
  });
});
