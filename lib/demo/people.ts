import { appendAudit } from "@/lib/audit";
import type { Db } from "@/lib/db";
import { PersonStatus, PortalRole } from "@/lib/generated/prisma/client";

/**
 * The people of demo mode. Seeded lazily by the sign-in page (app/signin/page.tsx → ensureDemoPeople)
 * the first time it renders in demo mode, and by tests directly.
 */
export const DEMO_PEOPLE: ReadonlyArray<{ email: string; name: string; roles: PortalRole[] }> = [
  { email: "alice.admin@example.com", name: "Alice Admin", roles: [PortalRole.ADMIN, PortalRole.MEMBER] },
  { email: "avery.auditor@example.com", name: "Avery Auditor", roles: [PortalRole.AUDITOR, PortalRole.MEMBER] },
  { email: "maya.member@example.com", name: "Maya Member", roles: [PortalRole.MEMBER] },
  { email: "noah.patel@example.com", name: "Noah Patel", roles: [PortalRole.MEMBER] },
  { email: "sofia.martinez@example.com", name: "Sofia Martinez", roles: [PortalRole.MEMBER] },
  { email: "liam.oconnor@example.com", name: "Liam O'Connor", roles: [PortalRole.MEMBER] },
  { email: "priya.shah@example.com", name: "Priya Shah", roles: [PortalRole.MEMBER] },
];

/**
 * Creates the demo people who do not exist yet; idempotent, and it never touches an existing person
 * (an admin's later role change or deactivation of a demo person sticks). Returns how many were created.
 */
export async function seedDemoPeople(db: Db): Promise<number> {
  return db.$transaction(async (tx) => {
    const existing = new Set(
      (await tx.person.findMany({ where: { email: { in: DEMO_PEOPLE.map((p) => p.email) } }, select: { email: true } })).map((p) => p.email),
    );
    let created = 0;
    for (const p of DEMO_PEOPLE) {
      if (existing.has(p.email)) continue;
      const person = await tx.person.create({ data: { email: p.email, name: p.name, roles: p.roles, status: PersonStatus.ACTIVE, emailVerified: new Date() } });
      await appendAudit(tx, {
        actor: { type: "system", job: "demo-seed" },
        action: "person.created",
        target: { type: "person", id: person.id },
        after: { email: p.email, name: p.name, roles: p.roles, via: "demo seed" },
      });
      created++;
    }
    return created;
  });
}
