/**
 * Production transport (issue 11, part 6): an https NEXTAUTH_URL is required in production (loopback and
 * an explicit ALLOW_INSECURE_HTTP excepted), and then cookies are Secure and HSTS is sent; every response
 * carries the nonce-based Content-Security-Policy from proxy.ts.
 */
import { describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import { sessionCookieName, sessionCookieOptions } from "@/lib/auth/cookies";
import { parseEnv } from "@/lib/config/env";
import { contentSecurityPolicy, securityHeaders } from "@/lib/security/headers";
import { proxy } from "@/proxy";
import { DEPLOYMENT_ENV } from "./support/config";

Object.assign(process.env, DEPLOYMENT_ENV, { NODE_ENV: "production" });

describe("NEXTAUTH_URL in production", () => {
  const prod = { ...DEPLOYMENT_ENV, NODE_ENV: "production" };

  it("refuses plain http on a reachable host, saying what to do", () => {
    expect(() => parseEnv({ ...prod, NEXTAUTH_URL: "http://access.example.com" })).toThrow(
      /NEXTAUTH_URL must be an https:\/\/ URL in production \(it is http:\/\/access\.example\.com\).*set ALLOW_INSECURE_HTTP=true/,
    );
    expect(() => parseEnv({ ...prod, NEXTAUTH_URL: "http://10.1.2.3:3000" })).toThrow(/must be an https/);
  });

  it.each([
    ["https", { NEXTAUTH_URL: "https://access.example.com" }],
    ["http on localhost (the e2e server, a local trial)", { NEXTAUTH_URL: "http://localhost:3100" }],
    ["http on 127.0.0.1", { NEXTAUTH_URL: "http://127.0.0.1:3000" }],
    ["http with the explicit insecure flag", { NEXTAUTH_URL: "http://access.internal", ALLOW_INSECURE_HTTP: "true" }],
  ])("accepts %s", (_name, vars) => {
    expect(parseEnv({ ...prod, ...vars }).authUrl).toBe(vars.NEXTAUTH_URL);
  });

  it("outside production http is fine (next dev)", () => {
    expect(parseEnv({ ...DEPLOYMENT_ENV, NODE_ENV: "development", NEXTAUTH_URL: "http://dev.example.com:3000" }).nodeEnv).toBe("development");
  });

  it("an https portal's session cookie is Secure and __Secure- prefixed", () => {
    expect(sessionCookieName("https://access.example.com")).toBe("__Secure-next-auth.session-token");
    expect(sessionCookieOptions(new Date(0), "https://access.example.com")).toMatchObject({ secure: true, httpOnly: true, sameSite: "lax" });
  });
});

describe("security headers", () => {
  it("production on https: a nonce-based CSP that forbids framing, and HSTS", () => {
    const h = securityHeaders({ nonce: "bm9uY2U=", nodeEnv: "production", authUrl: "https://access.example.com" });
    const csp = h["Content-Security-Policy"]!;
    expect(csp).toContain("script-src 'self' 'nonce-bm9uY2U=' 'strict-dynamic'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("upgrade-insecure-requests");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(h["Strict-Transport-Security"]).toBe("max-age=63072000; includeSubDomains");
  });

  it("no HSTS or upgrade on http (the browser would ignore HSTS there anyway); development allows React's eval", () => {
    const h = securityHeaders({ nonce: "n", nodeEnv: "production", authUrl: "http://localhost:3000" });
    expect(h["Strict-Transport-Security"]).toBeUndefined();
    expect(h["Content-Security-Policy"]).not.toContain("upgrade-insecure-requests");
    expect(contentSecurityPolicy({ nonce: "n", nodeEnv: "development", authUrl: "http://localhost:3000" })).toContain("'unsafe-eval'");
  });

  it("proxy.ts gives each request a fresh nonce, on the response and on the request Next.js renders", () => {
    const first = proxy(new NextRequest("https://access.example.com/reviews"));
    const second = proxy(new NextRequest("https://access.example.com/reviews"));
    const csp = first.headers.get("content-security-policy")!;
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(second.headers.get("content-security-policy")).not.toContain(nonce);
    // NextResponse.next({ request: { headers } }) hands the modified request headers to Next.js this way.
    expect(first.headers.get("x-middleware-request-content-security-policy")).toBe(csp);
    expect(first.headers.get("strict-transport-security")).toBe("max-age=63072000; includeSubDomains");
  });
});
