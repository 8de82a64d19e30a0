/**
 * The alias action (people ↔ PagerDuty users), called as the browser calls it, with a real session on a
 * real PGlite database, and what the pages then read.
 */
import { describe, expect, it, vi } from "vitest";
import { nextCacheMock, nextHeadersMock, nextNavigationMock } from "../auth/support/request";
import { setupAuthTestDb } from "../auth/support/hooks";

vi.mock("next/headers", () => nextHeadersMock());
vi.mock("next/navigation", () => nextNavigationMock());
vi.mock("next/cache", () => nextCacheMock());

import { setPagerDutyAlias } from "@/app/(portal)/pagerduty/matching/actions";
import type { Db } from "@/lib/db";
import { PortalRole } from "@/lib/generated/prisma/client";
import { peopleMatching } from "@/lib/pagerduty-data/people-links";
import { listPdUsers } from "@/lib/pagerduty-data/users";
import { worldFingerprint } from "../auth/support/actions";
import { createPerson, signInAs } from "../auth/support/fixtures";
import { insertConnection } from "../connections/support/fixtures";
import { insertPdUser } from "./fixtures";

process.env.DEMO_MODE = "true"; // demo mode's fixed encryption key

const testDb = setupAuthTestDb();

async function world(db: Db) {
  const admin = await createPerson(db, { roles: [PortalRole.ADMIN] });
  await signInAs(db, admin.id);
  const actor = { personId: admin.id, email: admin.email, name: admin.name, roles: [...admin.roles] };
  const connection = await insertConnection(db, { ownerPersonId: admin.id, apiBaseUrl: "http://127.0.0.1:9" });
  const jane = await createPerson(db, { name: "Jane Portal" });
  const pdJane = await insertPdUser(db, connection.id, { email: "jane.other@corp.example", name: "Jane PD" });
  const pdSam = await insertPdUser(db, connection.id, { email: jane.email.toUpperCase(), name: "Sam PD (same email as Jane)" });
  return { admin, actor, connection, jane, pdJane, pdSam };
}

const lastAudit = (db: Db) => db.auditEvent.findFirst({ orderBy: { seq: "desc" } });

describe("setPagerDutyAlias", () => {
  it("an alias overrides the email match, is audited, and the pages read it", async () => {
    const db = testDb().prisma;
    const w = await world(db);

    // Before: Jane matches Sam's PagerDuty user by email (case-insensitive).
    let matching = await peopleMatching(w.actor, w.connection.id);
    expect(matching.matched.find((m) => m.person.id === w.jane.id)).toMatchObject({ pdUser: { pdId: w.pdSam.pdId }, via: "email" });

    const result = await setPagerDutyAlias({ connectionId: w.connection.id, personId: w.jane.id, pdUserId: w.pdJane.pdId });
    expect(result).toMatchObject({ ok: true, data: "set" });
    const link = await db.personPagerDutyLink.findUniqueOrThrow({ where: { connectionId_personId: { connectionId: w.connection.id, personId: w.jane.id } } });
    expect(link).toMatchObject({ pdUserId: w.pdJane.pdId, setById: w.admin.id });
    expect(await lastAudit(db)).toMatchObject({ action: "pagerduty.alias_set", targetId: w.jane.id, accountId: w.connection.id, after: { pdUserId: w.pdJane.pdId } });

    // After: Jane is the aliased user; Sam's user is now unmatched (an alias wins over the email).
    matching = await peopleMatching(w.actor, w.connection.id);
    expect(matching.matched.find((m) => m.person.id === w.jane.id)).toMatchObject({ pdUser: { pdId: w.pdJane.pdId }, via: "alias" });
    expect(matching.unmatchedPdUsers.map((u) => u.pdId)).toContain(w.pdSam.pdId);
    const unmatched = await listPdUsers(w.actor, w.connection.id, { unmatched: "1" });
    expect(unmatched.map((u) => u.pdId)).toEqual([w.pdSam.pdId]);

    // Setting it again changes nothing and records nothing.
    const before = await worldFingerprint(db);
    expect(await setPagerDutyAlias({ connectionId: w.connection.id, personId: w.jane.id, pdUserId: w.pdJane.pdId })).toMatchObject({ ok: true, data: "unchanged" });
    expect(await worldFingerprint(db)).toBe(before);

    // Removing it brings the email match back.
    expect(await setPagerDutyAlias({ connectionId: w.connection.id, personId: w.jane.id, pdUserId: null })).toMatchObject({ ok: true, data: "removed" });
    expect(await lastAudit(db)).toMatchObject({ action: "pagerduty.alias_removed", before: { pdUserId: w.pdJane.pdId } });
    matching = await peopleMatching(w.actor, w.connection.id);
    expect(matching.matched.find((m) => m.person.id === w.jane.id)).toMatchObject({ pdUser: { pdId: w.pdSam.pdId }, via: "email" });
  });

  it("refuses a PagerDuty user already aliased to someone else, one not synced, or one removed — and writes nothing", async () => {
    const db = testDb().prisma;
    const w = await world(db);
    const other = await createPerson(db);
    expect(await setPagerDutyAlias({ connectionId: w.connection.id, personId: other.id, pdUserId: w.pdJane.pdId })).toMatchObject({ ok: true });
    const gone = await insertPdUser(db, w.connection.id, { removed: true });

    const cases: [unknown, RegExp, string][] = [
      [{ connectionId: w.connection.id, personId: w.jane.id, pdUserId: w.pdJane.pdId }, /already the alias of/, "pdUserId"],
      [{ connectionId: w.connection.id, personId: w.jane.id, pdUserId: "PNOTSYNCED" }, /not in this account's synced picture/, "pdUserId"],
      [{ connectionId: w.connection.id, personId: w.jane.id, pdUserId: gone.pdId }, /not in this account's synced picture/, "pdUserId"],
    ];
    for (const [input, message, field] of cases) {
      const before = await worldFingerprint(db);
      const result = await setPagerDutyAlias(input);
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.error).toMatch(message);
      expect(result.fieldErrors?.[field]?.length).toBeGreaterThan(0);
      expect(await worldFingerprint(db)).toBe(before);
    }
  });

  it("refuses a removed connection", async () => {
    const db = testDb().prisma;
    const w = await world(db);
    await db.pagerDutyConnection.update({ where: { id: w.connection.id }, data: { status: "REMOVED", activeName: null, removedAt: new Date() } });
    const result = await setPagerDutyAlias({ connectionId: w.connection.id, personId: w.jane.id, pdUserId: w.pdJane.pdId });
    expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/no such connection/i) });
    expect(await db.personPagerDutyLink.count({ where: { connectionId: w.connection.id } })).toBe(0);
  });
});
