import { describe, expect, it, vi } from "vitest";
import { nextHeadersMock } from "./support/request";
import { setupAuthTestDb } from "./support/hooks";

vi.mock("next/headers", () => nextHeadersMock());

import type { Account, Profile, Session, User } from "next-auth";
import type { AdapterSession, AdapterUser } from "next-auth/adapters";
import { createPortalAdapter } from "@/lib/auth/adapter";
import { getAuthOptions } from "@/lib/auth/options";
import { signInErrorMessage } from "@/lib/auth/sign-in-errors";
import { verifyAuditChain } from "@/lib/audit";
import { getDb } from "@/lib/db";
import { PersonStatus, PortalRole } from "@/lib/generated/prisma/client";
import { createPerson, signInAs } from "./support/fixtures";

process.env.DEMO_MODE = "true";
process.env.BOOTSTRAP_ADMIN_EMAILS = "Boss@Example.com";

const testDb = setupAuthTestDb();

const adapter = () => createPortalAdapter(getDb, { bootstrapAdminEmails: ["boss@example.com"] });
const account = (sub: string): Account => ({ provider: "oidc", type: "oauth", providerAccountId: sub });
const unsignedIdToken = (claims: Record<string, unknown>) => `e30.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.sig`;

async function signInCallback(user: User | AdapterUser, profile: Record<string, unknown>, acc: Account = account(String(profile.sub))) {
  const signIn = getAuthOptions().callbacks?.signIn;
  if (!signIn) throw new Error("signIn callback missing");
  return signIn({ user, account: acc, profile: profile as Profile });
}

describe("the next-auth adapter over Person / IdentityAccount / Session", () => {
  it("creates a person by email (lower-cased) as a Member, and bootstrap emails as Admin", async () => {
    const a = adapter();
    const member = await a.createUser!({ email: "New.Person@Example.com", name: "New Person", emailVerified: new Date() });
    const stored = await testDb().prisma.person.findUniqueOrThrow({ where: { id: member.id } });
    expect(stored).toMatchObject({ email: "new.person@example.com", roles: [PortalRole.MEMBER], status: PersonStatus.ACTIVE });
    const boss = await a.createUser!({ email: "BOSS@example.com", name: "", emailVerified: null });
    expect(await testDb().prisma.person.findUniqueOrThrow({ where: { id: boss.id } })).toMatchObject({ roles: [PortalRole.ADMIN, PortalRole.MEMBER], name: "boss" });
    expect((await a.getUserByEmail!("NEW.PERSON@example.com"))?.id).toBe(member.id);
  });

  it("links an identity to the person with the same verified email, and finds them by it afterwards", async () => {
    const a = adapter();
    const p = await createPerson(testDb().prisma);
    await a.linkAccount!({ ...account("sub-link"), userId: p.id, id_token: unsignedIdToken({ sub: "sub-link", email: p.email.toUpperCase() }), access_token: "secret-access" });
    expect((await a.getUserByAccount!({ provider: "oidc", providerAccountId: "sub-link" }))?.id).toBe(p.id);
    const stored = await testDb().prisma.identityAccount.findFirstOrThrow({ where: { providerAccountId: "sub-link" } });
    expect(stored.access_token).toBeNull(); // identity-provider tokens are not kept
    // An identity whose email is someone else's is never linked to this person.
    await expect(
      a.linkAccount!({ ...account("sub-other"), userId: p.id, id_token: unsignedIdToken({ sub: "sub-other", email: "someone.else@example.com" }) }),
    ).rejects.toThrow(/does not match/);
  });

  it("a deactivated person's session resolves to null and all their sessions are deleted", async () => {
    const a = adapter();
    const p = await createPerson(testDb().prisma);
    const token = await signInAs(testDb().prisma, p.id);
    await signInAs(testDb().prisma, p.id);
    expect((await a.getSessionAndUser!(token))?.user.id).toBe(p.id);
    await testDb().prisma.person.update({ where: { id: p.id }, data: { status: PersonStatus.DEACTIVATED } });
    expect(await a.getSessionAndUser!(token)).toBeNull();
    expect(await testDb().prisma.session.count({ where: { personId: p.id } })).toBe(0);
  });

  it("creates, extends and deletes sessions", async () => {
    const a = adapter();
    const p = await createPerson(testDb().prisma);
    const expires = new Date(Date.now() + 60_000);
    await a.createSession!({ sessionToken: "tok_create_extend_delete_0001", userId: p.id, expires });
    const later = new Date(Date.now() + 120_000);
    expect((await a.updateSession!({ sessionToken: "tok_create_extend_delete_0001", expires: later }))?.expires.getTime()).toBe(later.getTime());
    await a.deleteSession!("tok_create_extend_delete_0001");
    expect(await a.getSessionAndUser!("tok_create_extend_delete_0001")).toBeNull();
  });
});

describe("the signIn callback (OpenID Connect)", () => {
  it("allows a verified email, for a new or an existing active person", async () => {
    expect(await signInCallback({ id: "sub-new", email: "fresh@example.com" }, { sub: "sub-new", email: "Fresh@Example.com", email_verified: true })).toBe(true);
    const p = await createPerson(testDb().prisma);
    expect(await signInCallback({ id: "sub-p", email: p.email }, { sub: "sub-p", email: p.email, email_verified: "true" })).toBe(true);
  });

  it("refuses an unverified or missing email with a clear message, and audits the failure", async () => {
    const res = await signInCallback({ id: "sub-u", email: "ursula@example.com" }, { sub: "sub-u", email: "Ursula@example.com", email_verified: false });
    expect(res).toBe("http://localhost:3000/signin?error=EmailNotVerified");
    expect(signInErrorMessage("EmailNotVerified")).toMatch(/not verified your email/);
    const event = await testDb().prisma.auditEvent.findFirstOrThrow({ where: { action: "auth.sign_in_failed" }, orderBy: { seq: "desc" } });
    expect(event).toMatchObject({ actorType: "ANONYMOUS", actorLabel: "ursula@example.com", targetId: "ursula@example.com", requestId: "test-request", clientIp: "203.0.113.7" });
    expect(await signInCallback({ id: "sub-x", email: "" }, { sub: "sub-x" })).toBe("http://localhost:3000/signin?error=EmailMissing");
    expect(await signInCallback({ id: "sub-y", email: "y@example.com" }, { sub: "sub-y", email: "y@example.com" })).toBe("http://localhost:3000/signin?error=EmailNotVerified");
    expect(await testDb().prisma.person.count({ where: { email: { in: ["ursula@example.com", "y@example.com"] } } })).toBe(0);
  });

  it("refuses a deactivated person, found by email or by linked identity", async () => {
    const p = await createPerson(testDb().prisma, { status: PersonStatus.DEACTIVATED });
    const byEmail = await signInCallback({ id: "sub-d", email: p.email }, { sub: "sub-d", email: p.email.toUpperCase(), email_verified: true });
    expect(byEmail).toBe("http://localhost:3000/signin?error=AccountDeactivated");
    expect(signInErrorMessage("AccountDeactivated")).toBe("Your portal access has been deactivated; contact an administrator.");
    const byLink = await signInCallback({ id: p.id, email: p.email, emailVerified: null }, { sub: "sub-d2", email: "renamed@example.com", email_verified: true });
    expect(byLink).toBe("http://localhost:3000/signin?error=AccountDeactivated");
    expect(await testDb().prisma.auditEvent.count({ where: { action: "auth.sign_in_failed", actorLabel: p.email } })).toBe(1);
  });

  it("ends another person's session on this browser before an identity could be linked to it", async () => {
    const alice = await createPerson(testDb().prisma, { roles: [PortalRole.ADMIN] });
    const token = await signInAs(testDb().prisma, alice.id);
    expect(await signInCallback({ id: "sub-olivia", email: "olivia@example.com" }, { sub: "sub-olivia", email: "olivia@example.com", email_verified: true })).toBe(true);
    expect(await testDb().prisma.session.findUnique({ where: { sessionToken: token } })).toBeNull();
  });

  it("records sign-in and sign-out events, and the chain verifies", async () => {
    const p = await createPerson(testDb().prisma);
    const { events } = getAuthOptions();
    await events?.signIn?.({ user: { id: p.id, email: p.email }, account: account("sub-events"), isNewUser: false });
    // With database sessions next-auth hands signOut the adapter's session row, not the public Session shape.
    const row: AdapterSession = { sessionToken: "x", userId: p.id, expires: new Date() };
    await events?.signOut?.({ session: row as unknown as Session, token: {} });
    const actions = (await testDb().prisma.auditEvent.findMany({ where: { actorId: p.id }, orderBy: { seq: "asc" } })).map((e) => e.action);
    expect(actions).toEqual(["auth.sign_in", "auth.sign_out"]);
    expect(await verifyAuditChain(testDb().prisma)).toMatchObject({ ok: true });
  });

  it("maps every error code to a sentence, and unknown codes to a generic one", () => {
    expect(signInErrorMessage(null)).toBeNull();
    expect(signInErrorMessage("OAuthCallback")).toMatch(/could not be verified/);
    expect(signInErrorMessage("<script>")).toMatch(/Sign-in failed/);
  });
});
