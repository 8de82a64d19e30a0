import { describe, expect, it, vi } from "vitest";
import { nextCacheMock, nextHeadersMock, nextNavigationMock, request, RedirectError } from "./support/request";
import { setupAuthTestDb } from "./support/hooks";

vi.mock("next/headers", () => nextHeadersMock());
vi.mock("next/navigation", () => nextNavigationMock());
vi.mock("next/cache", () => nextCacheMock());

import { deactivatePerson, reactivatePerson, setPersonRoles } from "@/app/(portal)/admin/people/actions";
import { demoSignIn, signOut } from "@/app/signin/actions";
import { NOT_A_DEMO_PERSON } from "@/lib/auth/demo";
import { seedDemoPeople } from "@/lib/demo/people";
import { authorize, AuthenticationError, AuthorizationError } from "@/lib/auth/access";
import { getActor } from "@/lib/auth/session";
import { verifyAuditChain } from "@/lib/audit";
import { PersonStatus, PortalRole } from "@/lib/generated/prisma/client";
import { getPerson, listPeople } from "@/lib/people/queries";
import { personIdsWithRole } from "@/lib/people/roles-sql";
import { deactivate, setRoles } from "@/lib/people/service";
import { DomainError } from "@/lib/auth/errors";
import { createTestDb } from "../support/db";
import { createPerson, fingerprint, signInAs } from "./support/fixtures";

process.env.DEMO_MODE = "true";

const testDb = setupAuthTestDb();

const db = () => testDb().prisma;
const lastEvent = (action: string) => db().auditEvent.findFirst({ where: { action }, orderBy: { seq: "desc" } });

describe("sessions", () => {
  it("resolves a real session cookie to the person, and fails closed", async () => {
    const p = await createPerson(db(), { roles: [PortalRole.AUDITOR] });
    expect(await getActor()).toBeNull();
    await signInAs(db(), p.id);
    expect(await getActor()).toEqual({ personId: p.id, email: p.email, name: p.name, roles: [PortalRole.AUDITOR, PortalRole.MEMBER] });

    request.reset();
    await signInAs(db(), p.id, new Date(Date.now() - 1000));
    expect(await getActor()).toBeNull(); // expired

    request.reset();
    request.cookies.set("next-auth.session-token", "not-a-real-token-0000000000");
    expect(await getActor()).toBeNull();

    await expect(authorize("portal.view")).rejects.toBeInstanceOf(AuthenticationError);
  });

  it("a deactivated person's session resolves to nobody", async () => {
    const p = await createPerson(db(), { status: PersonStatus.DEACTIVATED, roles: [PortalRole.ADMIN] });
    await signInAs(db(), p.id);
    expect(await getActor()).toBeNull();
  });
});

describe("people administration", () => {
  it("an admin changes roles; MEMBER is always kept; the change is audited with before and after", async () => {
    const admin = await createPerson(db(), { roles: [PortalRole.ADMIN] });
    const target = await createPerson(db());
    await signInAs(db(), admin.id);
    const res = await setPersonRoles({ personId: target.id, roles: [PortalRole.AUDITOR] });
    expect(res).toMatchObject({ ok: true });
    expect((await db().person.findUniqueOrThrow({ where: { id: target.id } })).roles).toEqual([PortalRole.AUDITOR, PortalRole.MEMBER]);
    const event = await lastEvent("person.roles_changed");
    expect(event).toMatchObject({ actorId: admin.id, targetId: target.id, requestId: "test-request", clientIp: "203.0.113.7" });
    expect(event?.before).toMatchObject({ roles: [PortalRole.MEMBER] });
    expect(event?.after).toMatchObject({ roles: [PortalRole.AUDITOR, PortalRole.MEMBER] });
  });

  it("an admin cannot remove their own Admin role", async () => {
    const admin = await createPerson(db(), { roles: [PortalRole.ADMIN] });
    await createPerson(db(), { roles: [PortalRole.ADMIN] }); // not the last admin: the self rule alone refuses
    await signInAs(db(), admin.id);
    const before = await fingerprint(db());
    const res = await setPersonRoles({ personId: admin.id, roles: [PortalRole.MEMBER] });
    expect(res).toEqual({ ok: false, error: expect.stringMatching(/cannot remove your own Admin role/) });
    expect(await fingerprint(db())).toBe(before);
  });

  it("an admin cannot deactivate themselves", async () => {
    const admin = await createPerson(db(), { roles: [PortalRole.ADMIN] });
    await signInAs(db(), admin.id);
    const before = await fingerprint(db());
    const res = await deactivatePerson({ personId: admin.id, reason: "testing self-deactivation" });
    expect(res).toEqual({ ok: false, error: expect.stringMatching(/cannot deactivate yourself/) });
    expect(await fingerprint(db())).toBe(before);
  });

  it("the last active admin keeps Admin and stays active, even when two admins demote each other at once", async () => {
    // A database of its own, so "last admin" is exact.
    const own = await createTestDb({ install: false });
    try {
      const d = own.prisma;
      const a = await createPerson(d, { roles: [PortalRole.ADMIN] });
      const b = await createPerson(d, { roles: [PortalRole.ADMIN] });
      const actorOf = (p: typeof a) => ({ personId: p.id, email: p.email, name: p.name, roles: [...p.roles] });
      const ctx = { requestId: null, clientIp: null };
      const results = await Promise.allSettled([
        setRoles(d, actorOf(a), { personId: b.id, roles: [] }, ctx),
        setRoles(d, actorOf(b), { personId: a.id, roles: [] }, ctx),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const refused = results.find((r) => r.status === "rejected");
      expect(refused?.status === "rejected" && refused.reason).toBeInstanceOf(DomainError);
      expect(refused?.status === "rejected" && String(refused.reason.message)).toMatch(/last active admin/);
      const admins = await personIdsWithRole(d, PortalRole.ADMIN, { activeOnly: true });
      expect(admins).toHaveLength(1);
      const last = admins[0] === a.id ? a : b;
      const demoted = last.id === a.id ? b : a;

      // The demoted admin's stale request still cannot deactivate (or demote) the last admin.
      const before = await fingerprint(d);
      await expect(deactivate(d, actorOf(demoted), { personId: last.id, reason: "stale request" }, ctx)).rejects.toThrow(/last active admin/);
      await expect(setRoles(d, actorOf(demoted), { personId: last.id, roles: [PortalRole.AUDITOR] }, ctx)).rejects.toThrow(/last active admin/);
      expect(await fingerprint(d)).toBe(before);
    } finally {
      await own.close();
    }
  });

  it("deactivation ends every session at once, is audited, and the person cannot come back in until reactivated", async () => {
    const admin = await createPerson(db(), { roles: [PortalRole.ADMIN] });
    const target = await createPerson(db(), { roles: [PortalRole.AUDITOR] });
    const targetToken = await signInAs(db(), target.id);
    await signInAs(db(), target.id); // a second browser
    expect((await getActor())?.personId).toBe(target.id);

    request.reset();
    await signInAs(db(), admin.id);
    const res = await deactivatePerson({ personId: target.id, reason: "Left the company" });
    expect(res).toEqual({ ok: true, data: undefined, message: "Deactivated. 2 open sessions were ended." });
    expect(await db().session.count({ where: { personId: target.id } })).toBe(0);
    const event = await lastEvent("person.deactivated");
    expect(event).toMatchObject({ actorId: admin.id, targetId: target.id, reason: "Left the company" });
    expect(event?.after).toMatchObject({ status: "DEACTIVATED", sessionsEnded: 2 });

    // Their next request finds no session.
    request.reset();
    request.cookies.set("next-auth.session-token", targetToken);
    expect(await getActor()).toBeNull();

    // Demo sign-in refuses them.
    const before = await fingerprint(db());
    expect(await demoSignIn({ personId: target.id })).toEqual({ ok: false, error: NOT_A_DEMO_PERSON });
    expect(await fingerprint(db())).toBe(before);

    // Deactivating again is refused clearly; reactivation works and is audited.
    request.reset();
    await signInAs(db(), admin.id);
    expect(await deactivatePerson({ personId: target.id, reason: "again" })).toEqual({ ok: false, error: expect.stringMatching(/already deactivated/) });
    expect(await reactivatePerson({ personId: target.id, reason: "Rehired" })).toMatchObject({ ok: true });
    expect(await lastEvent("person.reactivated")).toMatchObject({ targetId: target.id, reason: "Rehired" });
    expect((await db().person.findUniqueOrThrow({ where: { id: target.id } })).status).toBe(PersonStatus.ACTIVE);
  });
});

describe("demo sign-in and sign-out", () => {
  it("creates a real session with next-auth's cookie, audits sign-in and sign-out, and the chain verifies", async () => {
    await seedDemoPeople(db());
    const p = await db().person.findUniqueOrThrow({ where: { email: "avery.auditor@example.com" } });
    const err = await demoSignIn({ personId: p.id }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedirectError);
    expect((err as RedirectError).url).toBe("/");
    const cookie = request.setCookies.find((c) => c.name === "next-auth.session-token");
    expect(cookie?.options).toMatchObject({ httpOnly: true, sameSite: "lax", path: "/", secure: false });
    expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const session = await db().session.findUniqueOrThrow({ where: { sessionToken: cookie!.value } });
    expect(session.personId).toBe(p.id);
    expect(Math.abs(session.expires.getTime() - (Date.now() + 30 * 24 * 3600_000))).toBeLessThan(60_000);
    expect(await lastEvent("auth.sign_in")).toMatchObject({ actorId: p.id, after: { method: "demo" } });
    expect((await getActor())?.personId).toBe(p.id);

    const out = await signOut().catch((e: unknown) => e);
    expect(out).toBeInstanceOf(RedirectError);
    expect((out as RedirectError).url).toBe("/signin");
    expect(await db().session.findUnique({ where: { sessionToken: cookie!.value } })).toBeNull();
    expect(request.cookies.has("next-auth.session-token")).toBe(false);
    expect(await lastEvent("auth.sign_out")).toMatchObject({ actorId: p.id });
    expect(await getActor()).toBeNull();

    expect(await verifyAuditChain(db())).toMatchObject({ ok: true });
  });
});

describe("reads go through the access layer", () => {
  it("admins and auditors list people; members and anonymous callers are refused; a member reads only themselves", async () => {
    const admin = await createPerson(db(), { roles: [PortalRole.ADMIN] });
    const auditor = await createPerson(db(), { roles: [PortalRole.AUDITOR] });
    const member = await createPerson(db());
    const asActor = (p: typeof admin) => ({ personId: p.id, email: p.email, name: p.name, roles: [...p.roles] });

    const listed = await listPeople(asActor(auditor), { query: admin.email.toUpperCase() });
    expect(listed.map((p) => p.id)).toEqual([admin.id]);
    expect(Object.keys(listed[0]!).sort()).toEqual(["activeSessions", "createdAt", "deactivatedAt", "email", "id", "name", "roles", "status"]);
    expect((await listPeople(asActor(admin), { role: PortalRole.AUDITOR })).some((p) => p.id === auditor.id)).toBe(true);
    await expect(listPeople(asActor(member))).rejects.toBeInstanceOf(AuthorizationError);
    await expect(listPeople(null)).rejects.toBeInstanceOf(AuthenticationError);
    await expect(listPeople(asActor(admin), { status: "GONE" } as never)).rejects.toThrow();

    expect((await getPerson(asActor(member), member.id))?.id).toBe(member.id);
    await expect(getPerson(asActor(member), admin.id)).rejects.toBeInstanceOf(AuthorizationError);
  });
});
