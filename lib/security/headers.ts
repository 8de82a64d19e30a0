/**
 * The portal's per-request security headers, set by proxy.ts (docs/decisions/0012-demo-guard.md).
 * Static ones that never vary (X-Frame-Options, X-Content-Type-Options, Referrer-Policy) are in
 * next.config.ts.
 */

/** A fresh nonce for one response: 16 random bytes, base64 (CSP's nonce-source grammar). */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}

export interface SecurityHeaderOptions {
  nonce: string;
  nodeEnv: "development" | "production" | "test";
  /** The portal's public URL (NEXTAUTH_URL): https turns on HSTS and upgrade-insecure-requests. */
  authUrl: string;
}

/**
 * Next.js's documented nonce-based policy (App Router guide "Content Security Policy"): scripts run
 * only with this response's nonce, which Next.js reads from the request's CSP header and puts on its
 * own scripts; 'strict-dynamic' lets those load the page's chunks. Styles allow 'unsafe-inline' and no
 * nonce: React writes style="" attributes (recharts' charts, TanStack Virtual's row positions,
 * progress bars), and attributes cannot carry a nonce; a nonce in style-src would also switch
 * 'unsafe-inline' off. Inline styles cannot run code, so scripts stay strict.
 */
export function contentSecurityPolicy({ nonce, nodeEnv, authUrl }: SecurityHeaderOptions): string {
  const https = authUrl.startsWith("https://");
  const directives = [
    "default-src 'self'",
    // React's development build evaluates code for its debugging aids; production never does.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${nodeEnv === "development" ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ];
  return directives.join("; ");
}

/** Headers for one response: the CSP, and in production on https, HSTS (two years, subdomains too). */
export function securityHeaders(opts: SecurityHeaderOptions): Record<string, string> {
  const headers: Record<string, string> = { "Content-Security-Policy": contentSecurityPolicy(opts) };
  if (opts.nodeEnv === "production" && opts.authUrl.startsWith("https://")) {
    headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains";
  }
  return headers;
}
