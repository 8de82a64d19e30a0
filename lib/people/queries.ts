import "server-only";
import { cache } from "react";
import { can } from "@/lib/auth/access";
import { AuthenticationError, AuthorizationError } from "@/lib/auth/errors";
import type { Actor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import type { PersonStatus, PortalRole, Prisma } from "@/lib/generated/prisma/client";
import { personIdsWithRole } from "./roles-sql";
import { listPeopleFilters, type ListPeopleFilters } from "./schemas";

/** What a page may show about a person: no identity-provider tokens, no session tokens. */
export interface PersonDto {
  id: string;
  email: string;
  name: string;
  status: PersonStatus;
  roles: PortalRole[];
  createdAt: Date;
  deactivatedAt: Date | null;
  /** Open (unexpired) sessions right now. */
  activeSessions: number;
}

/** Upper bound on one listing; narrow with `query` to find anyone beyond it. */
export const PEOPLE_LIST_LIMIT = 1000;

function personSelect(now: Date) {
  return {
    id: true,
    email: true,
    name: true,
    status: true,
    roles: true,
    createdAt: true,
    deactivatedAt: true,
    _count: { select: { sessions: { where: { expires: { gt: now } } } } },
  } satisfies Prisma.PersonSelect;
}

function toDto({ _count, ...p }: Prisma.PersonGetPayload<{ select: ReturnType<typeof personSelect> }>): PersonDto {
  return { ...p, roles: [...p.roles], activeSessions: _count.sessions };
}

function requireRead(actor: Actor | null, target?: unknown): Actor {
  if (!actor) throw new AuthenticationError();
  if (!can(actor, "person.read", target)) throw new AuthorizationError("You don't have access to the people directory.");
  return actor;
}

/** People in the portal, sorted by name. Authorized with `person.read` (Admins and Auditors). */
export async function listPeople(actor: Actor | null, filters: ListPeopleFilters = {}): Promise<PersonDto[]> {
  requireRead(actor);
  const f = listPeopleFilters.parse(filters);
  const where: Prisma.PersonWhereInput = {};
  if (f.query) where.OR = [{ email: { contains: f.query, mode: "insensitive" } }, { name: { contains: f.query, mode: "insensitive" } }];
  if (f.status) where.status = f.status;
  const db = await getDb();
  if (f.role) where.id = { in: await personIdsWithRole(db, f.role) };
  const rows = await db.person.findMany({
    where,
    orderBy: [{ name: "asc" }, { email: "asc" }],
    take: PEOPLE_LIST_LIMIT,
    select: personSelect(new Date()),
  });
  return rows.map(toDto);
}

/** One person: Admins and Auditors may read anyone, a Member only themselves. Null when absent. */
export const getPerson = cache(async (actor: Actor | null, personId: string): Promise<PersonDto | null> => {
  requireRead(actor, { type: "person", id: personId });
  const db = await getDb();
  const p = await db.person.findUnique({
    where: { id: personId },
    select: personSelect(new Date()),
  });
  return p ? toDto(p) : null;
});
