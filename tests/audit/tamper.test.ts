import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eventHash, recordAudit, verifyAuditChain } from "@/lib/audit";
import { createTestDb, type TestDb } from "../support/db";
import { systemEvent, tamper } from "./support";

// One chain of 10 events, saved aside once; before each case the chain is restored from that copy, so
// one case's damage cannot mask another's (and the file does not pay for a fresh database per case).
let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  for (let i = 1; i <= 10; i++) await recordAudit(t.prisma, systemEvent(i));
  await t.superuser(`CREATE TABLE pristine_events AS SELECT * FROM "AuditEvent"; CREATE TABLE pristine_head AS SELECT * FROM "AuditHead"`);
});
beforeEach(async () => {
  await tamper(
    t,
    `DELETE FROM "AuditEvent"; INSERT INTO "AuditEvent" SELECT * FROM pristine_events;
     DELETE FROM "AuditHead"; INSERT INTO "AuditHead" SELECT * FROM pristine_head`,
  );
  expect(await verifyAuditChain(t.prisma)).toMatchObject({ ok: true, events: 10 });
});
afterAll(async () => {
  await t?.close();
});

const idOf = async (seq: number) => (await t.prisma.auditEvent.findUniqueOrThrow({ where: { seq: BigInt(seq) } })).id;

describe("tampering done as a superuser, bypassing the append-only trigger", () => {
  it("an altered row is named by seq as altered", async () => {
    const id = await idOf(4);
    await tamper(t, `UPDATE "AuditEvent" SET "reason" = 'covered up' WHERE "seq" = 4`);
    expect(await verifyAuditChain(t.prisma)).toMatchObject({ ok: false, events: 3, firstBreak: { seq: 4n, id, reason: "hash_mismatch" } });
  });

  it("an altered JSON payload is detected even though jsonb reorders keys", async () => {
    await tamper(t, `UPDATE "AuditEvent" SET "after" = jsonb_set("after", '{n}', '70') WHERE "seq" = 7`);
    expect(await verifyAuditChain(t.prisma)).toMatchObject({ ok: false, firstBreak: { seq: 7n, reason: "hash_mismatch" } });
  });

  it("an altered row whose hash was recomputed is caught at the next event's link", async () => {
    // The forger rewrites #5 and re-hashes it correctly, but cannot fix #6's prevHash without
    // re-hashing everything after it (and the head, which evidence exports carry).
    const row = await t.prisma.auditEvent.findUniqueOrThrow({ where: { seq: 5n } });
    const forgedHash = eventHash(row.prevHash, { ...row, reason: "covered up" });
    await tamper(t, `UPDATE "AuditEvent" SET "reason" = 'covered up', "hash" = '${forgedHash}' WHERE "seq" = 5`);
    expect(await verifyAuditChain(t.prisma)).toMatchObject({ ok: false, events: 5, firstBreak: { seq: 6n, reason: "prev_hash_mismatch" } });
  });

  it("a deleted row is named as the missing seq", async () => {
    await tamper(t, `DELETE FROM "AuditEvent" WHERE "seq" = 6`);
    expect(await verifyAuditChain(t.prisma)).toMatchObject({ ok: false, events: 5, firstBreak: { seq: 6n, id: null, reason: "missing_event" } });
  });

  // Swapping two rows' content while keeping their positions is the same as swapping their seq.
  it.each([
    [2, 9],
    [4, 5],
  ])("rows #%i and #%i swapped are named as reordered at the first of them", async (a, b) => {
    const idAtB = await idOf(b);
    await tamper(
      t,
      `CREATE TEMP TABLE swapped ON COMMIT DROP AS SELECT * FROM "AuditEvent" WHERE "seq" IN (${a}, ${b});
       DELETE FROM "AuditEvent" WHERE "seq" IN (${a}, ${b});
       UPDATE swapped SET "seq" = ${a + b} - "seq";
       INSERT INTO "AuditEvent" SELECT * FROM swapped`,
    );
    expect(await verifyAuditChain(t.prisma)).toMatchObject({ ok: false, events: a - 1, firstBreak: { seq: BigInt(a), id: idAtB, reason: "reordered" } });
  });

  it("deleting the newest event is caught by the chain head", async () => {
    await tamper(t, `DELETE FROM "AuditEvent" WHERE "seq" = 10`);
    expect(await verifyAuditChain(t.prisma)).toMatchObject({ ok: false, events: 9, firstBreak: { seq: 10n, reason: "head_mismatch" } });
  });

  it("a forged event slipped into the middle (later rows shifted) is caught at its position", async () => {
    await tamper(
      t,
      `UPDATE "AuditEvent" SET "seq" = "seq" + 100 WHERE "seq" >= 5;
       UPDATE "AuditEvent" SET "seq" = "seq" - 99 WHERE "seq" >= 105;
       INSERT INTO "AuditEvent" ("seq","id","actorType","actorLabel","action","targetType","prevHash","hash")
         SELECT 5, 'forged', 'SYSTEM', 'job:x', 'test.forged', 'test', "hash", repeat('e', 64) FROM "AuditEvent" WHERE "seq" = 4`,
    );
    // The genuine #5 now sits at #6: the verifier reports the chain as out of order from #5 on.
    expect(await verifyAuditChain(t.prisma)).toMatchObject({ ok: false, events: 4, firstBreak: { seq: 5n, id: "forged", reason: "reordered" } });
  });
});

describe("the database refuses changes through the app's own connection", () => {
  it.each([
    ["UPDATE", `UPDATE "AuditEvent" SET "reason" = 'x' WHERE "seq" = 1`],
    ["DELETE", `DELETE FROM "AuditEvent" WHERE "seq" = 1`],
    ["TRUNCATE", `TRUNCATE "AuditEvent"`],
  ])("%s is rejected by the trigger", async (op, sql) => {
    await expect(t.prisma.$executeRawUnsafe(sql)).rejects.toThrow(new RegExp(`append-only: ${op} is not allowed`));
    expect(await t.prisma.auditEvent.count()).toBe(10);
    expect((await verifyAuditChain(t.prisma)).ok).toBe(true);
  });

  it("Prisma's own update and delete are rejected too", async () => {
    await expect(t.prisma.auditEvent.update({ where: { seq: 2n }, data: { reason: "x" } })).rejects.toThrow(/append-only/);
    await expect(t.prisma.auditEvent.deleteMany({})).rejects.toThrow(/append-only/);
    expect((await verifyAuditChain(t.prisma)).ok).toBe(true);
  });
});
