/** "Sync now" on the connections page: one queued sync per connection, audited; a disabled one is refused. */
import { describe, expect, it, vi } from "vitest";
import { nextCacheMock, nextHeadersMock, nextNavigationMock } from "../auth/support/request";
import { setupAuthTestDb } from "../auth/support/hooks";

vi.mock("next/headers", () => nextHeadersMock());
vi.mock("next/navigation", () => nextNavigationMock());
vi.mock("next/cache", () => nextCacheMock());

import { syncConnectionNow } from "@/app/(portal)/admin/connections/actions";
import { PortalRole } from "@/lib/generated/prisma/client";
import { syncStatus } from "@/lib/pagerduty-data/sync-runs";
import { worldFingerprint } from "../auth/support/actions";
import { createPerson, signInAs } from "../auth/support/fixtures";
import { insertConnection } from "../connections/support/fixtures";

process.env.DEMO_MODE = "true";

const testDb = setupAuthTestDb();

describe("syncConnectionNow", () => {
  it("queues one sync job, audited; asking again while it is queued adds nothing", async () => {
    const db = testDb().prisma;
    const admin = await createPerson(db, { roles: [PortalRole.ADMIN] });
    await signInAs(db, admin.id);
    const c = await insertConnection(db, { ownerPersonId: admin.id, apiBaseUrl: "http://127.0.0.1:9" });

    const actor = { personId: admin.id, email: admin.email, name: admin.name, roles: [...admin.roles] };
    expect(await syncStatus(actor, c.id)).toEqual({ active: null, queued: false, history: [] });
    const first = await syncConnectionNow({ connectionId: c.id });
    // The connection's page says a sync is on its way before a worker starts it.
    expect((await syncStatus(actor, c.id)).queued).toBe(true);
    expect(first).toMatchObject({ ok: true, data: { created: true }, message: expect.stringMatching(/queued/) });
    const jobs = await db.job.findMany({ where: { singletonKey: `sync:${c.id}` } });
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.payload).toMatchObject({ connectionId: c.id, trigger: "MANUAL", requestedById: admin.id });
    expect(await db.auditEvent.findFirst({ orderBy: { seq: "desc" } })).toMatchObject({ action: "sync.requested", accountId: c.id });

    const second = await syncConnectionNow({ connectionId: c.id });
    expect(second).toMatchObject({ ok: true, data: { created: false, jobId: jobs[0]!.id }, message: expect.stringMatching(/already queued or running/) });
    expect(await db.job.count({ where: { singletonKey: `sync:${c.id}` } })).toBe(1);
  });

  it("refuses a disabled connection and writes nothing", async () => {
    const db = testDb().prisma;
    const admin = await createPerson(db, { roles: [PortalRole.ADMIN] });
    await signInAs(db, admin.id);
    const c = await insertConnection(db, { ownerPersonId: admin.id, apiBaseUrl: "http://127.0.0.1:9" });
    await db.pagerDutyConnection.update({ where: { id: c.id }, data: { status: "DISABLED" } });
    const before = await worldFingerprint(db);
    expect(await syncConnectionNow({ connectionId: c.id })).toMatchObject({ ok: false, error: expect.stringMatching(/disabled: enable it/) });
    expect(await worldFingerprint(db)).toBe(before);
  });
});
