import type { Db } from "@/lib/db";
import { appendAudit, type AuditInput } from "@/lib/audit";
import type { TestDb } from "../support/db";

export const systemEvent = (n: number, extra: Partial<AuditInput> = {}): AuditInput => ({
  actor: { type: "system", job: "tests.audit" },
  action: "test.event_recorded",
  target: { type: "test", id: `t-${n}` },
  after: { n, nested: { z: 1, a: [n, "x"] } },
  requestId: null,
  clientIp: null,
  ...extra,
});

/** Appends `count` events, one transaction each, all started at once (they contend for the head lock). */
export async function appendConcurrently(db: Db, count: number, offset = 0) {
  await Promise.all(Array.from({ length: count }, (_, i) => db.$transaction((tx) => appendAudit(tx, systemEvent(offset + i)))));
}

/**
 * Runs SQL the way a database superuser could: with the append-only trigger bypassed
 * (session_replication_role = replica skips ordinary triggers), inside one transaction so the setting
 * never leaks to the next statement on PGlite's single connection.
 */
export async function tamper(t: TestDb, sql: string) {
  await t.superuser(`BEGIN; SET LOCAL session_replication_role = replica; ${sql}; COMMIT;`);
}
