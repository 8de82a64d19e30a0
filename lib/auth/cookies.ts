import { env } from "@/lib/config/env";

/**
 * next-auth v4's session cookie, named exactly as next-auth names it (core/lib/cookie.ts): the
 * `__Secure-` prefix and the Secure flag whenever the portal's public URL (NEXTAUTH_URL) is https.
 * authOptions sets `useSecureCookies` from the same value, so demo sign-in and next-auth always agree.
 */
export function isSecureAuthUrl(authUrl: string = env().authUrl): boolean {
  return authUrl.startsWith("https://");
}

export function sessionCookieName(authUrl: string = env().authUrl): string {
  return `${isSecureAuthUrl(authUrl) ? "__Secure-" : ""}next-auth.session-token`;
}

export function sessionCookieOptions(expires: Date, authUrl: string = env().authUrl) {
  return {
    httpOnly: true,
    sameSite: "lax" as const,
    path: "/",
    secure: isSecureAuthUrl(authUrl),
    expires,
  };
}

/** next-auth's default database-session lifetime (session.maxAge), used by every session we create. */
export const SESSION_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;
/** How often next-auth extends a database session's expiry (session.updateAge). */
export const SESSION_UPDATE_AGE_SECONDS = 24 * 60 * 60;
