import "server-only";
import type { Actor } from "@/lib/auth/session";
import { getDb, type DbOrTx } from "@/lib/db";
import { isSafeId, requirePermission } from "./guard";
import { matchPeople, type Matching } from "./matching";

/** The people ↔ PagerDuty users matching of one connection, read from the database. */
export async function loadMatching(db: DbOrTx, connectionId: string): Promise<{ matching: Matching; people: Map<string, { id: string; name: string; email: string; status: string }> }> {
  const [people, pdUsers, links] = await Promise.all([
    db.person.findMany({ select: { id: true, name: true, email: true, status: true } }),
    db.pdUser.findMany({ where: { connectionId, removedAt: null }, select: { pdId: true, emailLower: true } }),
    db.personPagerDutyLink.findMany({ where: { connectionId }, select: { personId: true, pdUserId: true } }),
  ]);
  return { matching: matchPeople(people, pdUsers, links), people: new Map(people.map((p) => [p.id, p])) };
}

export interface PeopleMatchingView {
  matched: { person: { id: string; name: string; email: string }; pdUser: { pdId: string; name: string; email: string }; via: "alias" | "email" }[];
  unmatchedPdUsers: { pdId: string; name: string; email: string; role: string }[];
  unmatchedPeople: { id: string; name: string; email: string }[];
}

/** Matched pairs and the unmatched on both sides (active people only on the portal side). */
export async function peopleMatching(actor: Actor | null, connectionId: string): Promise<PeopleMatchingView> {
  requirePermission(actor);
  const empty: PeopleMatchingView = { matched: [], unmatchedPdUsers: [], unmatchedPeople: [] };
  if (!isSafeId(connectionId)) return empty;
  const db = await getDb();
  const [{ matching, people }, pdUsers] = await Promise.all([
    loadMatching(db, connectionId),
    db.pdUser.findMany({ where: { connectionId, removedAt: null }, orderBy: { name: "asc" }, select: { pdId: true, name: true, email: true, role: true } }),
  ]);
  const view = empty;
  for (const u of pdUsers) {
    const m = matching.byPdUser.get(u.pdId);
    const person = m ? people.get(m.personId) : undefined;
    if (m && person) view.matched.push({ person: { id: person.id, name: person.name, email: person.email }, pdUser: { pdId: u.pdId, name: u.name, email: u.email }, via: m.via });
    else view.unmatchedPdUsers.push(u);
  }
  for (const p of [...people.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    if (p.status === "ACTIVE" && !matching.byPerson.has(p.id)) view.unmatchedPeople.push({ id: p.id, name: p.name, email: p.email });
  }
  return view;
}
