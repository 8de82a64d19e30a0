/**
 * The change queue's data-access layer (what the admin page and the dashboard show): each section holds the
 * right changes, the counters match, the history is there, and only admins and auditors may read it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/session";
import { changeCounters, changeDetail, changeQueue, previewBatch } from "@/lib/changes/queries";
import type { Db } from "@/lib/db";
import { createTestDb, type TestDb } from "../support/db";
import { seedChange } from "./fixtures/rows";
import { createAdmin } from "./support";

let t: TestDb;
let db: Db;
let admin: Actor;
let seeded: Record<"held" | "failed" | "verified" | "pending", { changeId: string; batchId: string }>;

beforeAll(async () => {
  t = await createTestDb();
  db = t.prisma;
  const p = await createAdmin(db);
  admin = { personId: p.id, email: p.email, name: p.name, roles: ["ADMIN"] };
  seeded = {
    held: await seedChange(db, p.id, "held"),
    failed: await seedChange(db, p.id, "failed"),
    verified: await seedChange(db, p.id, "verified"),
    pending: await seedChange(db, p.id, "pending"),
  };
});
afterAll(async () => {
  await t?.close();
});

describe("change queue queries", () => {
  it("puts each change in its section, with held batches previewed change by change", async () => {
    const q = await changeQueue(admin, db);
    expect(q.heldBatches.map((b) => b.id)).toEqual([seeded.held.batchId]);
    expect(q.heldBatches[0]!.heldReason).toMatch(/touches 1 of 1 users \(100%, above the 10% limit\)/);
    expect(q.heldBatches[0]!.changes).toEqual([expect.objectContaining({ id: seeded.held.changeId, status: "HELD", prior: { role: "user" }, desired: expect.objectContaining({ role: "limited_user" }) })]);
    expect(q.failing.map((c) => [c.id, c.suggestedFix])).toEqual([[seeded.failed.changeId, "Check the values, then retry."]]);
    expect(q.recent.map((c) => c.id)).toEqual([seeded.verified.changeId]);
    expect(q.pending.map((c) => c.id)).toEqual([seeded.pending.changeId]);
    expect(q.scheduled).toEqual([]);
    expect(q.unverified).toEqual([]);
    expect(await changeCounters(admin, db)).toEqual({ unverified: 0, failed: 1, heldBatches: 1 });
  });

  it("shows a change's history; an unknown or malformed id is simply not found", async () => {
    const detail = await changeDetail(admin, seeded.pending.changeId, db);
    expect(detail?.events.map((e) => e.to)).toEqual(["PENDING"]);
    expect(await changeDetail(admin, "00000000-0000-4000-8000-000000000000", db)).toBeNull();
    expect(await changeDetail(admin, "../etc", db)).toBeNull();
    expect((await previewBatch(admin, seeded.held.batchId, db))?.status).toBe("HELD");
  });

  it("auditors read the queue; members and anonymous callers are refused", async () => {
    const auditor: Actor = { ...admin, roles: ["AUDITOR"] };
    await expect(changeCounters(auditor, db)).resolves.toMatchObject({ failed: 1 });
    await expect(changeQueue({ ...admin, roles: ["MEMBER"] }, db)).rejects.toThrow(/don't have access to the change queue/);
    await expect(changeCounters(null, db)).rejects.toThrow(/not signed in/);
  });
});
