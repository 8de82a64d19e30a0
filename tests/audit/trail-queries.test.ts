import { describe, expect, it, vi } from "vitest";
import { nextCacheMock, nextHeadersMock, nextNavigationMock } from "../auth/support/request";
import { setupAuthTestDb } from "../auth/support/hooks";

vi.mock("next/headers", () => nextHeadersMock());
vi.mock("next/navigation", () => nextNavigationMock());
vi.mock("next/cache", () => nextCacheMock());

import { recordAudit } from "@/lib/audit";
import { auditCsvStream } from "@/lib/audit/export";
import { listAuditEvents, parseAuditFilters } from "@/lib/audit/queries";
import { AuthorizationError } from "@/lib/auth/errors";
import { PortalRole } from "@/lib/generated/prisma/client";
import { createPerson, signInAs } from "../auth/support/fixtures";

process.env.DEMO_MODE = "true"; // demo-mode config: no OIDC or secrets needed for these reads
const testDb = setupAuthTestDb();
const db = () => testDb().prisma;

async function seedEvents() {
  for (let i = 0; i < 30; i++) {
    await recordAudit(db(), {
      actor: i % 2 ? { type: "system", job: "sync" } : { type: "person", id: "p1", label: "rita@example.com" },
      action: i % 3 ? "connection.checked" : "person.roles_changed",
      target: { type: "person", id: `t${i}` },
      reason: i === 7 ? 'Left, per "HR"\nticket 42' : null,
      requestId: null,
      clientIp: null,
    });
  }
}

async function signedIn(role: PortalRole) {
  const person = await createPerson(db(), { roles: [role] });
  await signInAs(db(), person.id);
  return person;
}

describe("audit trail queries", () => {
  it("pages newest first by keyset with no gaps or repeats, and filters on the server", async () => {
    await seedEvents();
    await signedIn(PortalRole.AUDITOR);
    const seen: string[] = [];
    let before: bigint | undefined;
    for (;;) {
      const page = await listAuditEvents({}, { before, pageSize: 7 });
      seen.push(...page.events.map((e) => e.seq));
      if (!page.nextBefore) break;
      before = BigInt(page.nextBefore);
    }
    const all = await db().auditEvent.findMany({ orderBy: { seq: "desc" }, select: { seq: true } });
    expect(seen).toEqual(all.map((e) => e.seq.toString()));

    const roles = await listAuditEvents({ action: "person.roles" }, { pageSize: 200 });
    expect(roles.events.length).toBe(10);
    expect(roles.events.every((e) => e.action === "person.roles_changed")).toBe(true);
    const byActor = await listAuditEvents({ actor: "RITA@" }, { pageSize: 200 });
    expect(byActor.events.length).toBe(15);
    const byText = await listAuditEvents({ q: "hr" }, { pageSize: 200 });
    expect(byText.events.map((e) => e.targetId)).toEqual(["t7"]);
  });

  it("refuses a member, whoever calls the query", async () => {
    await signedIn(PortalRole.MEMBER);
    await expect(listAuditEvents({})).rejects.toBeInstanceOf(AuthorizationError);
  });

  it("rejects malformed filters with a message a person can act on", () => {
    const r = parseAuditFilters({ from: "yesterday", q: "x".repeat(500) });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message).join(" ")).toMatch(/From must be a date/);
  });

  it("exports CSV with proper escaping, the filters honoured, and the chain head recorded", async () => {
    const text = await new Response(auditCsvStream(db(), { targetId: "t7" }, 5)).text();
    const head = await db().auditHead.findUniqueOrThrow({ where: { id: 1 } });
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^seq,at,actorType,actorLabel,action,targetType,targetId/);
    expect(lines[1]).toContain(`#chain-head`);
    expect(lines[1]).toContain(head.hash);
    // The reason holds a comma, quotes and a newline: quoted, quotes doubled, newline kept inside the field.
    expect(text).toContain('"Left, per ""HR""\nticket 42"');
    expect(text.match(/person\.roles_changed|connection\.checked/g)).toHaveLength(1);

    const everything = await new Response(auditCsvStream(db(), {}, 4)).text();
    const rows = await db().auditEvent.count();
    for (let seq = 1; seq <= rows; seq++) expect(everything).toMatch(new RegExp(`\\n${seq},`));
  });
});
