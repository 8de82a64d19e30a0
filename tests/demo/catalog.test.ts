/** Demo mode's catalog: a group of approvers and a base-role elevation, created once (idempotent), versioned and audited. */
import { describe, expect, it } from "vitest";
import { setupAuthTestDb } from "../auth/support/hooks";
import { seedDemoCatalog } from "@/lib/demo/catalog";
import { seedDemoPeople } from "@/lib/demo/people";
import { insertConnection } from "../connections/support/fixtures";

process.env.DEMO_MODE = "true";

const testDb = setupAuthTestDb();

describe("demo catalog", () => {
  it("seeds a group and a base-role item once, each through the versioned catalog", async () => {
    const db = testDb().prisma;
    await seedDemoPeople(db);
    const alice = await db.person.findUniqueOrThrow({ where: { email: "alice.admin@example.com" } });
    const admin = { personId: alice.id, email: alice.email, name: alice.name, roles: [...alice.roles] };
    const c = await insertConnection(db, { ownerPersonId: alice.id, apiBaseUrl: "http://127.0.0.1:9" });
    expect(await seedDemoCatalog(db, admin, c.id)).toBe(1);
    expect(await seedDemoCatalog(db, admin, c.id)).toBe(0);
    const items = await db.accessCatalogItem.findMany({ include: { versions: true } });
    expect(items.map((i) => [i.kind, i.role, i.fromRoles, i.versions.length])).toEqual([["BASE_ROLE", "user", ["limited_user"], 1]]);
    const group = await db.portalGroup.findUniqueOrThrow({ where: { name: "Incident commanders" }, include: { members: true } });
    expect(group.members).toHaveLength(2);
    expect(await db.auditEvent.count({ where: { action: { startsWith: "access." } } })).toBe(4);
  });
});
