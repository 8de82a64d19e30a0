import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAudit, recordAudit, verifyAuditChain } from "@/lib/audit";
import { createTestDb, type TestDb } from "../support/db";
import { appendConcurrently, systemEvent } from "./support";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.close();
});
const db = () => t.prisma;

describe("audit chain", () => {
  it("stays one unbroken chain over sequential and concurrent appends", async () => {
    for (let i = 0; i < 20; i++) await recordAudit(db(), systemEvent(i));
    await appendConcurrently(db(), 60, 100);
    await Promise.all(Array.from({ length: 20 }, (_, i) => recordAudit(db(), systemEvent(200 + i))));

    const report = await verifyAuditChain(db(), 7); // small pages: the walk crosses page boundaries
    expect(report).toMatchObject({ ok: true, events: 100 });

    const rows = await db().auditEvent.findMany({ orderBy: { seq: "asc" }, select: { seq: true, prevHash: true, hash: true } });
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 100 }, (_, i) => BigInt(i + 1)));
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prevHash).toBe(rows[i - 1]!.hash);
    const head = await db().auditHead.findUniqueOrThrow({ where: { id: 1 } });
    expect(head).toMatchObject({ seq: 100n, hash: rows.at(-1)!.hash });
    if (report.ok) expect(report.headHash).toBe(head.hash);
  });

  it("records actor, target, before/after and request context exactly as given", async () => {
    const e = await recordAudit(db(), {
      actor: { type: "person", id: "p1", label: "Ada <ada@example.com>" },
      action: "person.roles_changed",
      target: { type: "person", id: "p2" },
      accountId: "acct-1",
      before: { roles: ["MEMBER"], at: new Date("2026-01-02T03:04:05.678Z"), big: 12345678901234567890n },
      after: { roles: ["ADMIN", "MEMBER"] },
      reason: "on-call lead",
      requestId: "req-1",
      clientIp: "203.0.113.7",
    });
    const row = await db().auditEvent.findUniqueOrThrow({ where: { seq: e.seq } });
    expect(row).toMatchObject({ actorType: "PERSON", actorId: "p1", actorLabel: "Ada <ada@example.com>", targetType: "person", targetId: "p2", accountId: "acct-1", reason: "on-call lead", requestId: "req-1", clientIp: "203.0.113.7" });
    expect(row.before).toEqual({ roles: ["MEMBER"], at: "2026-01-02T03:04:05.678Z", big: "12345678901234567890" });
    expect((await verifyAuditChain(db())).ok).toBe(true);
  });

  it("fills request context with nulls outside a request, and labels system actors by job", async () => {
    const e = await recordAudit(db(), { actor: { type: "system", job: "audit.verify_chain" }, action: "audit.chain_verified", target: { type: "audit_chain" } });
    expect(e).toMatchObject({ actorType: "SYSTEM", actorId: null, actorLabel: "job:audit.verify_chain", requestId: null, clientIp: null });
  });

  it("refuses a malformed action or a NUL character before taking the head lock", async () => {
    await expect(recordAudit(db(), systemEvent(1, { action: "Person Changed" }))).rejects.toThrow(/dotted lower-case verb/);
    await expect(recordAudit(db(), systemEvent(1, { after: { name: "a\0b" } }))).rejects.toThrow(/NUL/);
    expect((await verifyAuditChain(db())).ok).toBe(true);
  });

  it("an event written in a transaction that fails is rolled back with the change it records", async () => {
    const headBefore = await db().auditHead.findUniqueOrThrow({ where: { id: 1 } });
    const email = `rollback-${Date.now()}@example.com`;
    await expect(
      db().$transaction(async (tx) => {
        const person = await tx.person.create({ data: { email, name: "Rolled Back" } });
        await appendAudit(tx, { ...systemEvent(0), action: "person.created", target: { type: "person", id: person.id } });
        throw new Error("the change failed after its audit event was written");
      }),
    ).rejects.toThrow(/the change failed/);

    expect(await db().person.findUnique({ where: { email } })).toBeNull();
    expect(await db().auditEvent.count({ where: { action: "person.created" } })).toBe(0);
    expect(await db().auditHead.findUniqueOrThrow({ where: { id: 1 } })).toEqual(headBefore);
    // The next event continues from the old head: no gap where the rolled-back event was.
    const next = await recordAudit(db(), systemEvent(999));
    expect(next.seq).toBe(headBefore.seq + 1n);
    expect(next.prevHash).toBe(headBefore.hash);
    expect((await verifyAuditChain(db())).ok).toBe(true);
  });

  it("a failed database statement after the event also rolls the event back", async () => {
    const headBefore = await db().auditHead.findUniqueOrThrow({ where: { id: 1 } });
    await expect(
      db().$transaction(async (tx) => {
        await appendAudit(tx, systemEvent(1));
        await tx.person.create({ data: { email: "dup@example.com", name: "A" } });
        await tx.person.create({ data: { email: "dup@example.com", name: "B" } }); // unique violation
      }),
    ).rejects.toThrow();
    expect(await db().auditHead.findUniqueOrThrow({ where: { id: 1 } })).toEqual(headBefore);
    expect(await db().person.count({ where: { email: "dup@example.com" } })).toBe(0);
  });
});
