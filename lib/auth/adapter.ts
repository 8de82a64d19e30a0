import "server-only";
import type { Adapter, AdapterAccount, AdapterSession, AdapterUser } from "next-auth/adapters";
import { appendAudit } from "@/lib/audit";
import type { Db } from "@/lib/db";
import { emailDomainAllowed } from "./gate";
import { PersonStatus, PortalRole, type Person } from "@/lib/generated/prisma/client";

/**
 * next-auth v4 Adapter over Person / IdentityAccount / Session. Database sessions, so a session row
 * deleted (sign-out, deactivation) stops working on the next request.
 *
 * People are created or linked by verified email (the signIn callback in options.ts refuses anything
 * unverified before the adapter is reached). Emails are stored lower-case; look-ups are case-insensitive.
 */
export interface PortalAdapterOptions {
  /** Emails that become Admin when their person is created (BOOTSTRAP_ADMIN_EMAILS). */
  bootstrapAdminEmails: readonly string[];
  /** ALLOWED_EMAIL_DOMAINS: nobody outside them is created or linked (the signIn callback refuses first). */
  allowedEmailDomains?: readonly string[];
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

function toAdapterUser(p: Pick<Person, "id" | "email" | "name" | "emailVerified" | "image">): AdapterUser {
  return { id: p.id, email: p.email, name: p.name, emailVerified: p.emailVerified, image: p.image };
}

/** Claims we read from the identity provider (ID token, completed from the UserInfo endpoint). */
export interface OidcClaims extends Record<string, unknown> {
  sub: string;
  email?: string;
  email_verified?: boolean | string;
  name?: string;
  preferred_username?: string;
  picture?: string;
}

/** The claims of an ID token that openid-client has already verified; we only read them. */
export function idTokenClaims(idToken: string | undefined): OidcClaims | null {
  const payload = idToken?.split(".")[1];
  if (!payload) return null;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    return typeof claims === "object" && claims !== null && typeof (claims as { sub?: unknown }).sub === "string" ? (claims as OidcClaims) : null;
  } catch {
    return null;
  }
}

/** Fallback display name when the identity provider sends none: "jane.doe@x" → "jane.doe". */
const nameFromEmail = (email: string) => email.split("@")[0] || email;

export function createPortalAdapter(getDb: () => Promise<Db>, opts: PortalAdapterOptions): Adapter {
  const bootstrap = new Set(opts.bootstrapAdminEmails.map(normalizeEmail));
  const allowedDomains = opts.allowedEmailDomains ?? [];

  return {
    async createUser(user: Omit<AdapterUser, "id">) {
      const db = await getDb();
      const email = normalizeEmail(user.email);
      if (!emailDomainAllowed(allowedDomains, email)) throw new Error("refusing to create a person whose email domain is not in ALLOWED_EMAIL_DOMAINS");
      const roles = bootstrap.has(email) ? [PortalRole.ADMIN, PortalRole.MEMBER] : [PortalRole.MEMBER];
      const person = await db.$transaction(async (tx) => {
        const created = await tx.person.create({
          data: { email, name: user.name?.trim() || nameFromEmail(email), roles, emailVerified: user.emailVerified ?? new Date(), image: user.image ?? null },
        });
        await appendAudit(tx, {
          actor: { type: "person", id: created.id, label: email },
          action: "person.created",
          target: { type: "person", id: created.id },
          after: { email, name: created.name, roles, via: "first sign-in" },
        });
        return created;
      });
      return toAdapterUser(person);
    },

    async getUser(id) {
      const person = await (await getDb()).person.findUnique({ where: { id } });
      return person ? toAdapterUser(person) : null;
    },

    async getUserByEmail(email) {
      const person = await (await getDb()).person.findUnique({ where: { email: normalizeEmail(email) } });
      return person ? toAdapterUser(person) : null;
    },

    async getUserByAccount({ provider, providerAccountId }) {
      const account = await (await getDb()).identityAccount.findUnique({
        where: { provider_providerAccountId: { provider, providerAccountId } },
        include: { person: true },
      });
      return account ? toAdapterUser(account.person) : null;
    },

    async updateUser(user) {
      const person = await (await getDb()).person.update({
        where: { id: user.id },
        data: {
          ...(user.name ? { name: user.name } : {}),
          ...(user.image !== undefined ? { image: user.image } : {}),
          ...(user.emailVerified !== undefined ? { emailVerified: user.emailVerified } : {}),
        },
      });
      return toAdapterUser(person);
    },

    async linkAccount(account: AdapterAccount) {
      const db = await getDb();
      const person = await db.person.findUnique({ where: { id: account.userId } });
      if (!person) throw new Error("cannot link an identity to a person who does not exist");
      if (!emailDomainAllowed(allowedDomains, person.email)) throw new Error("refusing to link an identity to a person whose email domain is not in ALLOWED_EMAIL_DOMAINS");
      // next-auth links a new identity to whoever is signed in on this browser. Only link an identity
      // whose verified email is this person's, so one person can never take over another's sign-in.
      // (The signIn callback also ends any other person's session first; this is the second line.)
      const claims = idTokenClaims(account.id_token);
      const email = typeof claims?.email === "string" ? normalizeEmail(claims.email) : null;
      if (email !== null && email !== person.email) throw new Error("identity email does not match the person it would be linked to");
      await db.$transaction(async (tx) => {
        // Only the link itself: the portal never calls the identity provider's APIs, so its tokens
        // (access, refresh, ID) are not kept where they could leak.
        await tx.identityAccount.create({
          data: { personId: person.id, type: account.type, provider: account.provider, providerAccountId: account.providerAccountId, scope: account.scope ?? null },
        });
        await appendAudit(tx, {
          actor: { type: "person", id: person.id, label: person.email },
          action: "person.identity_linked",
          target: { type: "person", id: person.id },
          after: { provider: account.provider, subject: account.providerAccountId },
        });
      });
    },

    async createSession(session) {
      const row = await (await getDb()).session.create({
        data: { sessionToken: session.sessionToken, personId: session.userId, expires: session.expires },
      });
      return { sessionToken: row.sessionToken, userId: row.personId, expires: row.expires };
    },

    async getSessionAndUser(sessionToken) {
      const db = await getDb();
      const row = await db.session.findUnique({ where: { sessionToken }, include: { person: true } });
      if (!row) return null;
      if (row.person.status !== PersonStatus.ACTIVE) {
        // Fail closed, and make sure nothing of theirs lingers.
        await db.session.deleteMany({ where: { personId: row.personId } });
        return null;
      }
      const session: AdapterSession = { sessionToken: row.sessionToken, userId: row.personId, expires: row.expires };
      return { session, user: toAdapterUser(row.person) };
    },

    async updateSession({ sessionToken, expires }) {
      const db = await getDb();
      const { count } = await db.session.updateMany({ where: { sessionToken }, data: expires ? { expires } : {} });
      if (count === 0) return null;
      const row = await db.session.findUnique({ where: { sessionToken } });
      return row ? { sessionToken: row.sessionToken, userId: row.personId, expires: row.expires } : null;
    },

    async deleteSession(sessionToken) {
      await (await getDb()).session.deleteMany({ where: { sessionToken } });
    },
  };
}
