import "server-only";
import type { AuthOptions } from "next-auth";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { appendAudit, recordAudit } from "@/lib/audit";
import { env } from "@/lib/config/env";
import { getDb } from "@/lib/db";
import { PersonStatus } from "@/lib/generated/prisma/client";
import { createPortalAdapter, idTokenClaims, normalizeEmail, type OidcClaims } from "./adapter";
import { sessionCookieName, SESSION_MAX_AGE_SECONDS, SESSION_UPDATE_AGE_SECONDS, isSecureAuthUrl } from "./cookies";
import { requestContext } from "@/lib/audit/context";
import { currentSessionToken } from "./session";
import { signInGateRefusal } from "./gate";
import type { SignInErrorCode } from "./sign-in-errors";

/** The OIDC provider's id: its callback URL is <NEXTAUTH_URL>/api/auth/callback/oidc. */
export const OIDC_PROVIDER_ID = "oidc";

type OidcProfile = OidcClaims;

/** Okta, Entra ID, Google Workspace, …: any OpenID Connect provider, from OIDC_* settings. */
export function oidcProvider(
  oidc: { issuer: string; clientId: string; clientSecret: string; displayName: string },
  /** A claim the sign-in gate reads (the groups claim): fetched from UserInfo when the ID token lacks it. */
  neededClaim: string | null = null,
): OAuthConfig<OidcProfile> {
  return {
    id: OIDC_PROVIDER_ID,
    name: oidc.displayName,
    type: "oauth",
    wellKnown: `${oidc.issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`,
    clientId: oidc.clientId,
    clientSecret: oidc.clientSecret,
    authorization: { params: { scope: "openid email profile" } },
    idToken: true,
    checks: ["pkce", "state"],
    // Linking to an existing person by email is safe here only because the signIn callback refuses
    // every email the identity provider has not verified.
    allowDangerousEmailAccountLinking: true,
    userinfo: {
      // The verified ID token's claims, completed from UserInfo when the provider keeps email there
      // (a conforming provider may leave scope claims out of the ID token).
      async request({ tokens, client }) {
        // next-auth (openid-client) has already validated this ID token's signature, issuer and audience.
        const claims = idTokenClaims(tokens.id_token);
        if (!claims || typeof claims.sub !== "string") throw new Error("the identity provider returned no usable ID token");
        if (typeof claims.email === "string" && claims.email_verified !== undefined && (neededClaim === null || neededClaim in claims)) return claims;
        if (!tokens.access_token) return claims;
        const info: Partial<OidcProfile> = await client.userinfo(tokens.access_token);
        // OpenID Connect Core 5.3.2: UserInfo must describe the ID token's subject, or it is not used.
        if (info.sub !== claims.sub) throw new Error("the identity provider's UserInfo is for a different subject than its ID token");
        return { ...info, ...claims, email: claims.email ?? info.email, email_verified: claims.email_verified ?? info.email_verified };
      },
    },
    profile(profile) {
      const email = typeof profile.email === "string" ? normalizeEmail(profile.email) : "";
      return {
        id: profile.sub,
        email,
        name: profile.name ?? profile.preferred_username ?? email,
        image: profile.picture ?? null,
      };
    },
  };
}

const isVerified = (v: unknown) => v === true || v === "true";

async function refuseSignIn(email: string | null, code: SignInErrorCode, reason: string): Promise<string> {
  const { requestId, clientIp } = await requestContext();
  await recordAudit(await getDb(), {
    actor: { type: "anonymous", label: email ?? "unknown" },
    action: "auth.sign_in_failed",
    target: { type: "auth", id: email },
    after: { method: "oidc", email, code },
    reason,
    requestId,
    clientIp,
  });
  return `${env().authUrl.replace(/\/+$/, "")}/signin?error=${code}`;
}

/**
 * next-auth configuration. Built on demand (not at import) so that building the app never needs the
 * runtime configuration.
 */
export function getAuthOptions(): AuthOptions {
  const config = env();
  const secure = isSecureAuthUrl(config.authUrl);
  return {
    secret: config.authSecret,
    adapter: createPortalAdapter(getDb, { bootstrapAdminEmails: config.bootstrapAdminEmails, allowedEmailDomains: config.signInGate.allowedEmailDomains }),
    providers: config.oidc ? [oidcProvider(config.oidc, config.signInGate.requiredGroup === null ? null : config.signInGate.groupsClaim)] : [],
    session: { strategy: "database", maxAge: SESSION_MAX_AGE_SECONDS, updateAge: SESSION_UPDATE_AGE_SECONDS },
    useSecureCookies: secure,
    cookies: {
      // Spelled out so demo sign-in (app/signin/actions.ts) provably sets the very same cookie.
      sessionToken: { name: sessionCookieName(config.authUrl), options: { httpOnly: true, sameSite: "lax", path: "/", secure } },
    },
    pages: { signIn: "/signin", error: "/signin" },
    callbacks: {
      async signIn({ user, account, profile }) {
        if (account?.provider !== OIDC_PROVIDER_ID || account.type !== "oauth") {
          return refuseSignIn(null, "AccessDenied", "unsupported sign-in method");
        }
        const claims = (profile ?? {}) as Partial<OidcProfile>;
        const email = typeof claims.email === "string" && claims.email.includes("@") ? normalizeEmail(claims.email) : null;
        if (!email) return refuseSignIn(null, "EmailMissing", "the identity provider sent no email address");
        if (!isVerified(claims.email_verified)) return refuseSignIn(email, "EmailNotVerified", "the identity provider has not verified this email address");
        // Before any person is looked up, created or linked: outside the gate, nothing is written but the refusal.
        const refusal = signInGateRefusal(config.signInGate, email, claims);
        if (refusal) return refuseSignIn(email, refusal.code, refusal.reason);

        const db = await getDb();
        // An identity already linked resolves to its person (user.id); otherwise the person is found by email.
        const linked = user.id && user.id !== claims.sub ? await db.person.findUnique({ where: { id: user.id } }) : null;
        const person = linked ?? (await db.person.findUnique({ where: { email } }));
        if (person?.status === PersonStatus.DEACTIVATED) {
          return refuseSignIn(email, "AccountDeactivated", "the person is deactivated");
        }
        // next-auth would link this identity to whoever is signed in on this browser; if that is somebody
        // else, end their session first so the identity is only ever linked by its own verified email.
        const token = await currentSessionToken();
        if (token) {
          const current = await db.session.findUnique({ where: { sessionToken: token }, select: { personId: true } });
          if (current && current.personId !== person?.id) await db.session.deleteMany({ where: { sessionToken: token } });
        }
        return true;
      },
    },
    events: {
      async signIn({ user, account, isNewUser }) {
        const { requestId, clientIp } = await requestContext();
        await recordAudit(await getDb(), {
          actor: { type: "person", id: user.id, label: user.email ?? user.id },
          action: "auth.sign_in",
          target: { type: "person", id: user.id },
          after: { method: "oidc", provider: account?.provider ?? null, isNewUser: isNewUser ?? false },
          requestId,
          clientIp,
        });
      },
      async signOut({ session }) {
        // Database strategy: `session` is the Session row about to be deleted.
        const personId = "userId" in session && typeof session.userId === "string" ? session.userId : null;
        if (!personId) return;
        const db = await getDb();
        const person = await db.person.findUnique({ where: { id: personId }, select: { email: true } });
        const { requestId, clientIp } = await requestContext();
        await db.$transaction((tx) =>
          appendAudit(tx, {
            actor: { type: "person", id: personId, label: person?.email ?? personId },
            action: "auth.sign_out",
            target: { type: "person", id: personId },
            after: { method: "next-auth" },
            requestId,
            clientIp,
          }),
        );
      },
    },
    logger: {
      // Only the code and the error's message: next-auth's metadata can carry tokens.
      error(code, metadata) {
        const message = metadata instanceof Error ? metadata.message : typeof metadata === "object" && metadata && "message" in metadata ? String(metadata.message) : "";
        console.error(`[next-auth] ${code}${message ? `: ${message}` : ""}`);
        if (code.includes("CALLBACK")) {
          void refuseSignIn(null, "Callback", `sign-in callback failed (${code})`).catch(() => {});
        }
      },
      warn(code) {
        console.warn(`[next-auth] warning ${code}`);
      },
      debug() {},
    },
  };
}
