/**
 * People ↔ PagerDuty users of one connection. An admin-set alias (PersonPagerDutyLink) wins; otherwise
 * the emails match case-insensitively. A person or PagerDuty user held by an alias is not matched by
 * email to anyone else, so an alias is how an admin corrects a wrong email match. Pure.
 */

export interface MatchPerson {
  id: string;
  email: string;
}
export interface MatchPdUser {
  pdId: string;
  emailLower: string;
}
export interface MatchLink {
  personId: string;
  pdUserId: string;
}

export interface Match {
  personId: string;
  via: "alias" | "email";
}

export interface Matching {
  /** PagerDuty user id → the person it belongs to. */
  byPdUser: Map<string, Match>;
  /** Person id → PagerDuty user id. */
  byPerson: Map<string, { pdUserId: string; via: "alias" | "email" }>;
}

export function matchPeople(people: readonly MatchPerson[], pdUsers: readonly MatchPdUser[], links: readonly MatchLink[]): Matching {
  const byPdUser = new Map<string, Match>();
  const byPerson = new Map<string, { pdUserId: string; via: "alias" | "email" }>();
  const known = new Set(pdUsers.map((u) => u.pdId));
  for (const l of links) {
    if (!known.has(l.pdUserId)) continue; // an alias to a user no longer in the picture matches nothing
    byPdUser.set(l.pdUserId, { personId: l.personId, via: "alias" });
    byPerson.set(l.personId, { pdUserId: l.pdUserId, via: "alias" });
  }
  const aliased = new Set(links.map((l) => l.personId));
  const personByEmail = new Map<string, string>();
  for (const p of people) if (!aliased.has(p.id)) personByEmail.set(p.email.toLowerCase(), p.id);
  for (const u of pdUsers) {
    if (byPdUser.has(u.pdId)) continue;
    const personId = personByEmail.get(u.emailLower);
    if (!personId || byPerson.has(personId)) continue;
    byPdUser.set(u.pdId, { personId, via: "email" });
    byPerson.set(personId, { pdUserId: u.pdId, via: "email" });
  }
  return { byPdUser, byPerson };
}
