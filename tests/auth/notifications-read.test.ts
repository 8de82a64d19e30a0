/**
 * "Mark all read" on the dashboard: the action marks the signed-in person's own unread notifications up to
 * the instant they were shown, and nothing else (another person's rows, a newer one that arrived meanwhile).
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { nextCacheMock, nextHeadersMock, nextNavigationMock } from "./support/request";
import { setupAuthTestDb } from "./support/hooks";

vi.mock("next/headers", () => nextHeadersMock());
vi.mock("next/navigation", () => nextNavigationMock());
vi.mock("next/cache", () => nextCacheMock());

import type { Db } from "@/lib/db";
import { markNotificationsRead } from "@/app/(portal)/access/actions";
import { createPerson, signInAs } from "./support/fixtures";

process.env.DEMO_MODE = "true";

const testDb = setupAuthTestDb();

async function notify(db: Db, personId: string, createdAt: Date, readAt: Date | null = null) {
  const id = randomUUID();
  await db.notification.create({ data: { id, personId, kind: "access_request.decided", subjectId: randomUUID(), title: "Decided", body: "Your request was decided.", href: "/requests", createdAt, readAt } });
  return id;
}

describe("mark all notifications read", () => {
  it("marks only the caller's own unread rows up to the instant shown", async () => {
    const db = testDb().prisma;
    const me = await createPerson(db);
    const other = await createPerson(db);
    const t0 = new Date("2026-12-06T10:00:00Z");
    const shown = new Date("2026-12-06T10:05:00Z");
    const earlierRead = new Date("2026-12-06T09:00:00Z");
    const mine1 = await notify(db, me.id, t0);
    const mine2 = await notify(db, me.id, shown);
    const alreadyRead = await notify(db, me.id, t0, earlierRead);
    const newer = await notify(db, me.id, new Date("2026-12-06T10:06:00Z"));
    const theirs = await notify(db, other.id, t0);
    await signInAs(db, me.id);

    const result = await markNotificationsRead({ upTo: shown.toISOString() });
    expect(result).toMatchObject({ ok: true, data: { count: 2 } });

    const rows = new Map((await db.notification.findMany({ select: { id: true, readAt: true } })).map((r) => [r.id, r.readAt]));
    expect(rows.get(mine1)).not.toBeNull();
    expect(rows.get(mine2)).not.toBeNull();
    expect(rows.get(alreadyRead)).toEqual(earlierRead);
    expect(rows.get(newer)).toBeNull();
    expect(rows.get(theirs)).toBeNull();
  });

  it("refuses a caller who is not signed in, and writes nothing", async () => {
    const db = testDb().prisma;
    const someone = await createPerson(db);
    const id = await notify(db, someone.id, new Date("2026-12-06T10:00:00Z"));
    const result = await markNotificationsRead({ upTo: "2026-12-06T11:00:00Z" });
    expect(result.ok).toBe(false);
    expect((await db.notification.findUniqueOrThrow({ where: { id } })).readAt).toBeNull();
  });
});
