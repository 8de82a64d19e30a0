/**
 * Who a portal person is in one PagerDuty account: an admin-set alias wins, else the e-mail address
 * (the same rule as lib/pagerduty-data/matching.ts, for one person or one PagerDuty user at a time).
 */
import type { DbOrTx } from "@/lib/db";

export async function pdUserOfPerson(db: DbOrTx, connectionId: string, personId: string): Promise<{ pdId: string; name: string; email: string; role: string } | null> {
  const link = await db.personPagerDutyLink.findUnique({ where: { connectionId_personId: { connectionId, personId } }, select: { pdUserId: true } });
  if (link) return db.pdUser.findFirst({ where: { connectionId, pdId: link.pdUserId, removedAt: null }, select: { pdId: true, name: true, email: true, role: true } });
  const person = await db.person.findUnique({ where: { id: personId }, select: { email: true } });
  if (!person) return null;
  const user = await db.pdUser.findFirst({ where: { connectionId, emailLower: person.email.toLowerCase(), removedAt: null }, select: { pdId: true, name: true, email: true, role: true } });
  if (!user) return null;
  // An alias that gives this PagerDuty user to someone else wins over the e-mail match.
  const aliased = await db.personPagerDutyLink.findUnique({ where: { connectionId_pdUserId: { connectionId, pdUserId: user.pdId } }, select: { personId: true } });
  return aliased && aliased.personId !== personId ? null : user;
}

/** The portal people behind PagerDuty users (aliases first, then e-mail), active people only. */
export async function peopleOfPdUsers(db: DbOrTx, connectionId: string, pdUserIds: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (pdUserIds.length === 0) return out;
  const [links, users] = await Promise.all([
    db.personPagerDutyLink.findMany({ where: { connectionId, pdUserId: { in: [...pdUserIds] } }, select: { pdUserId: true, personId: true } }),
    db.pdUser.findMany({ where: { connectionId, pdId: { in: [...pdUserIds] }, removedAt: null }, select: { pdId: true, emailLower: true } }),
  ]);
  for (const l of links) out.set(l.pdUserId, l.personId);
  const byEmail = users.filter((u) => !out.has(u.pdId));
  if (byEmail.length) {
    const people = await db.person.findMany({ where: { email: { in: byEmail.map((u) => u.emailLower) }, status: "ACTIVE" }, select: { id: true, email: true } });
    const aliasedPeople = new Set((await db.personPagerDutyLink.findMany({ where: { connectionId, personId: { in: people.map((p) => p.id) } }, select: { personId: true } })).map((l) => l.personId));
    const idByEmail = new Map(people.filter((p) => !aliasedPeople.has(p.id)).map((p) => [p.email, p.id]));
    for (const u of byEmail) {
      const id = idByEmail.get(u.emailLower);
      if (id) out.set(u.pdId, id);
    }
  }
  const active = new Set((await db.person.findMany({ where: { id: { in: [...out.values()] }, status: "ACTIVE" }, select: { id: true } })).map((p) => p.id));
  for (const [k, v] of out) if (!active.has(v)) out.delete(k);
  return out;
}
