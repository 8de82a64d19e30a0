/**
 * Who may sign in (issue 11, part 3): ALLOWED_EMAIL_DOMAINS and OIDC_REQUIRED_GROUP, checked in the
 * signIn callback before anyone is created or linked, on a real database; refusals are audited and the
 * sign-in page explains them.
 */
import { describe, expect, it, vi } from "vitest";
import { nextHeadersMock } from "./support/request";
import { setupAuthTestDb } from "./support/hooks";

vi.mock("next/headers", () => nextHeadersMock());

import type { Account, Profile, User } from "next-auth";
import { createPortalAdapter } from "@/lib/auth/adapter";
import { signInGateRefusal } from "@/lib/auth/gate";
import { getAuthOptions, oidcProvider } from "@/lib/auth/options";
import { signInErrorMessage } from "@/lib/auth/sign-in-errors";
import { verifyAuditChain } from "@/lib/audit";
import { ConfigError, parseEnv } from "@/lib/config/env";
import { getDb } from "@/lib/db";
import { PortalRole } from "@/lib/generated/prisma/client";
import { DEPLOYMENT_ENV } from "./support/config";
import { fingerprint } from "./support/fixtures";

Object.assign(process.env, DEPLOYMENT_ENV, {
  ALLOWED_EMAIL_DOMAINS: "example.com, Corp.Example.ORG",
  OIDC_REQUIRED_GROUP: "portal-users",
  BOOTSTRAP_ADMIN_EMAILS: "boss@corp.example.org",
});

const testDb = setupAuthTestDb();
const db = () => testDb().prisma;

const account = (sub: string): Account => ({ provider: "oidc", type: "oauth", providerAccountId: sub });
async function signIn(email: string, extra: Record<string, unknown>, user?: User) {
  const callback = getAuthOptions().callbacks?.signIn;
  if (!callback) throw new Error("signIn callback missing");
  const sub = `sub-${email}`;
  return callback({ user: user ?? { id: sub, email }, account: account(sub), profile: { sub, email, email_verified: true, ...extra } as Profile });
}
const refusedWith = (code: string) => `https://access.example.com/signin?error=${code}`;

describe("the sign-in gate, through next-auth's signIn callback", () => {
  it("admits a verified email of an allowed domain in the required group (a bootstrap admin becomes Admin)", async () => {
    expect(await signIn("Jane@Example.com", { groups: ["staff", "portal-users"] })).toBe(true);
    expect(await signIn("boss@corp.example.org", { groups: ["portal-users"] })).toBe(true);
    const boss = await getAuthOptions().adapter!.createUser!({ email: "boss@corp.example.org", name: "Boss", emailVerified: new Date() });
    expect((await db().person.findUniqueOrThrow({ where: { id: boss.id } })).roles).toEqual([PortalRole.ADMIN, PortalRole.MEMBER]);
  });

  it.each([
    ["a domain outside the list", "mallory@evil.example.net", { groups: ["portal-users"] }, "EmailDomainNotAllowed", /email domain evil\.example\.net is not in ALLOWED_EMAIL_DOMAINS/],
    ["a subdomain of an allowed domain", "ann@sub.example.com", { groups: ["portal-users"] }, "EmailDomainNotAllowed", /sub\.example\.com/],
    ["a look-alike domain", "ann@example.com.evil.net", { groups: ["portal-users"] }, "EmailDomainNotAllowed", /example\.com\.evil\.net/],
    ["an allowed domain without the group", "bob@example.com", { groups: ["staff"] }, "GroupRequired", /not a member of the required group portal-users \(claim groups\)/],
    ["an allowed domain with no groups claim at all", "carol@corp.example.org", {}, "GroupRequired", /sent no groups claim/],
    ["a group that only differs in case", "dave@example.com", { groups: ["Portal-Users"] }, "GroupRequired", /not a member/],
  ])("refuses %s: no person, no identity link, an audited refusal", async (_name, email, claims, code, reason) => {
    const before = await db().person.count();
    const links = await db().identityAccount.count();
    expect(await signIn(email, claims)).toBe(refusedWith(code));
    expect(await db().person.count()).toBe(before);
    expect(await db().identityAccount.count()).toBe(links);
    const event = await db().auditEvent.findFirstOrThrow({ where: { action: "auth.sign_in_failed" }, orderBy: { seq: "desc" } });
    expect(event).toMatchObject({ actorType: "ANONYMOUS", actorLabel: email, after: { method: "oidc", email, code } });
    expect(event.reason).toMatch(reason);
  });

  it("refuses a person who already exists (created before the gate was set) just the same, and links nothing", async () => {
    const old = await db().person.create({ data: { email: "old.timer@legacy.example.net", name: "Old Timer", roles: [PortalRole.MEMBER] } });
    const before = await fingerprint(db());
    const res = await signIn(old.email, { groups: ["portal-users"] }, { id: old.id, email: old.email });
    expect(res).toBe(refusedWith("EmailDomainNotAllowed"));
    const after = JSON.parse(await fingerprint(db())) as { accounts: number; people: unknown; sessions: unknown };
    const was = JSON.parse(before) as typeof after;
    expect({ accounts: after.accounts, people: after.people, sessions: after.sessions }).toEqual({ accounts: was.accounts, people: was.people, sessions: was.sessions });
  });

  it("checks the verified-email rule first: an unverified address is refused as unverified, whatever its domain", async () => {
    const callback = getAuthOptions().callbacks!.signIn!;
    const res = await callback({ user: { id: "u", email: "eve@example.com" }, account: account("sub-eve"), profile: { sub: "sub-eve", email: "eve@example.com", email_verified: false, groups: ["portal-users"] } as Profile });
    expect(res).toBe(refusedWith("EmailNotVerified"));
  });

  it("the sign-in page explains each refusal without echoing the person's data", () => {
    expect(signInErrorMessage("EmailDomainNotAllowed")).toMatch(/only the email domains of its organisation/);
    expect(signInErrorMessage("GroupRequired")).toMatch(/only members of a group/);
    expect(signInErrorMessage("GroupRequired")).not.toContain("portal-users");
  });

  it("the adapter, a second line, creates and links nobody outside the domains", async () => {
    const adapter = createPortalAdapter(getDb, { bootstrapAdminEmails: [], allowedEmailDomains: ["example.com"] });
    const before = await db().person.count();
    await expect(adapter.createUser!({ email: "x@elsewhere.example.net", name: "X", emailVerified: new Date() })).rejects.toThrow(/ALLOWED_EMAIL_DOMAINS/);
    expect(await db().person.count()).toBe(before);
    const outsider = await db().person.create({ data: { email: "y@elsewhere.example.net", name: "Y", roles: [PortalRole.MEMBER] } });
    await expect(adapter.linkAccount!({ ...account("sub-y"), userId: outsider.id })).rejects.toThrow(/ALLOWED_EMAIL_DOMAINS/);
    expect(await db().identityAccount.count({ where: { personId: outsider.id } })).toBe(0);
    expect(await verifyAuditChain(db())).toMatchObject({ ok: true });
  });
});

describe("the gate's rules", () => {
  const gate = { allowedEmailDomains: [] as string[], requiredGroup: null as string | null, groupsClaim: "groups" };

  it("with neither setting, anyone verified passes (as before)", () => {
    expect(signInGateRefusal(gate, "a@anywhere.example", {})).toBeNull();
  });

  it("reads the group from the configured claim, as a list or a single value", () => {
    const g = { ...gate, requiredGroup: "0b9c-portal", groupsClaim: "https://example.com/claims/groups" };
    expect(signInGateRefusal(g, "a@x.example", { "https://example.com/claims/groups": ["0b9c-portal"] })).toBeNull();
    expect(signInGateRefusal(g, "a@x.example", { "https://example.com/claims/groups": "0b9c-portal" })).toBeNull();
    expect(signInGateRefusal(g, "a@x.example", { groups: ["0b9c-portal"] })?.code).toBe("GroupRequired");
    expect(signInGateRefusal(g, "a@x.example", { "https://example.com/claims/groups": [{ name: "0b9c-portal" }] })?.code).toBe("GroupRequired");
  });

  it("asks UserInfo for the groups claim when the ID token lacks it, and uses it only for the same subject", async () => {
    const provider = oidcProvider({ issuer: "https://idp.example.com", clientId: "c", clientSecret: "s", displayName: "IdP" }, "groups");
    const request = (provider.userinfo as { request: (ctx: unknown) => Promise<Record<string, unknown>> }).request;
    const idToken = `e30.${Buffer.from(JSON.stringify({ sub: "s1", email: "a@example.com", email_verified: true })).toString("base64url")}.sig`;
    const asked: string[] = [];
    const client = { userinfo: async (token: string) => (asked.push(token), { sub: "s1", groups: ["portal-users"] }) };
    expect(await request({ tokens: { id_token: idToken, access_token: "at" }, client })).toMatchObject({ sub: "s1", email: "a@example.com", groups: ["portal-users"] });
    expect(asked).toEqual(["at"]);
    const other = { userinfo: async () => ({ sub: "someone-else", groups: ["portal-users"] }) };
    await expect(request({ tokens: { id_token: idToken, access_token: "at" }, client: other })).rejects.toThrow(/different subject/);
  });

  it("configuration: domains are validated, and a bootstrap admin outside them is a configuration error", () => {
    expect(parseEnv({ ...DEPLOYMENT_ENV, ALLOWED_EMAIL_DOMAINS: "@Example.com, example.org" }).signInGate.allowedEmailDomains).toEqual(["example.com", "example.org"]);
    expect(() => parseEnv({ ...DEPLOYMENT_ENV, ALLOWED_EMAIL_DOMAINS: "example.com, *.example.org" })).toThrow(/ALLOWED_EMAIL_DOMAINS must be email domains.*\*\.example\.org/);
    expect(() => parseEnv({ ...DEPLOYMENT_ENV, ALLOWED_EMAIL_DOMAINS: "example.com", BOOTSTRAP_ADMIN_EMAILS: "ops@contractor.example.net" })).toThrow(ConfigError);
    expect(() => parseEnv({ ...DEPLOYMENT_ENV, ALLOWED_EMAIL_DOMAINS: "example.com", BOOTSTRAP_ADMIN_EMAILS: "ops@contractor.example.net" })).toThrow(/ops@contractor\.example\.net, outside ALLOWED_EMAIL_DOMAINS/);
    expect(parseEnv({ ...DEPLOYMENT_ENV, OIDC_REQUIRED_GROUP: "portal-users" }).signInGate).toEqual({ allowedEmailDomains: [], requiredGroup: "portal-users", groupsClaim: "groups" });
  });
});
