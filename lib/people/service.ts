import "server-only";
import { appendAudit } from "@/lib/audit";
import type { Db, Tx } from "@/lib/db";
import { PersonStatus, PortalRole } from "@/lib/generated/prisma/client";
import type { Actor } from "@/lib/auth/session";
import { DomainError, NotFoundError } from "@/lib/auth/errors";
import { personIdsWithRole } from "./roles-sql";
import type { DeactivateInput, ReactivateInput, SetRolesInput } from "./schemas";

/**
 * People mutations: role changes, deactivation, reactivation. Each runs in one transaction with its
 * audit event; the caller (a server action) has already authorized `person.manage`.
 */

export interface AuditContext {
  requestId: string | null;
  clientIp: string | null;
}

const ROLE_ORDER: PortalRole[] = [PortalRole.ADMIN, PortalRole.AUDITOR, PortalRole.MEMBER];

/** Canonical role list: unique, in a fixed order, MEMBER always present (everyone is a member). */
export function normalizeRoles(roles: readonly PortalRole[]): PortalRole[] {
  const set = new Set<PortalRole>([...roles, PortalRole.MEMBER]);
  return ROLE_ORDER.filter((r) => set.has(r));
}

// Serialises every change that could remove the last active admin (role changes, deactivation),
// so two admins demoting each other at the same moment cannot both succeed.
const ADMIN_SET_LOCK = 0x70_6f_72_74_61_6c_01n;

async function lockAdminSet(tx: Tx) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADMIN_SET_LOCK})`;
}

async function loadPerson(tx: Tx, personId: string) {
  const person = await tx.person.findUnique({
    where: { id: personId },
    select: { id: true, email: true, name: true, status: true, roles: true, deactivatedAt: true },
  });
  if (!person) throw new NotFoundError("That person does not exist (it may have been removed). Refresh the list and try again.");
  return person;
}

async function otherActiveAdmins(tx: Tx, personId: string) {
  return (await personIdsWithRole(tx, PortalRole.ADMIN, { activeOnly: true, excludeId: personId })).length;
}

const personActor = (actor: Actor) => ({ type: "person" as const, id: actor.personId, label: actor.email });

export async function setRoles(db: Db, actor: Actor, input: SetRolesInput, ctx: AuditContext): Promise<{ changed: boolean; roles: PortalRole[] }> {
  return db.$transaction(async (tx) => {
    await lockAdminSet(tx);
    const person = await loadPerson(tx, input.personId);
    const before = normalizeRoles(person.roles);
    const after = normalizeRoles(input.roles);
    const losesAdmin = before.includes(PortalRole.ADMIN) && !after.includes(PortalRole.ADMIN);
    if (losesAdmin && person.id === actor.personId) {
      throw new DomainError("You cannot remove your own Admin role. Ask another admin to do it.");
    }
    if (losesAdmin && person.status === PersonStatus.ACTIVE && (await otherActiveAdmins(tx, person.id)) === 0) {
      throw new DomainError(`${person.name} is the last active admin and must keep the Admin role. Make someone else an admin first.`);
    }
    if (before.length === after.length && before.every((r, i) => r === after[i])) return { changed: false, roles: before };
    await tx.person.update({ where: { id: person.id }, data: { roles: after } });
    await appendAudit(tx, {
      actor: personActor(actor),
      action: "person.roles_changed",
      target: { type: "person", id: person.id },
      before: { email: person.email, roles: before },
      after: { email: person.email, roles: after },
      requestId: ctx.requestId,
      clientIp: ctx.clientIp,
    });
    return { changed: true, roles: after };
  });
}

export async function deactivate(db: Db, actor: Actor, input: DeactivateInput, ctx: AuditContext): Promise<{ sessionsEnded: number }> {
  return db.$transaction(async (tx) => {
    await lockAdminSet(tx);
    const person = await loadPerson(tx, input.personId);
    if (person.id === actor.personId) throw new DomainError("You cannot deactivate yourself. Ask another admin to do it.");
    if (person.status === PersonStatus.DEACTIVATED) throw new DomainError(`${person.name} is already deactivated.`);
    if (person.roles.includes(PortalRole.ADMIN) && (await otherActiveAdmins(tx, person.id)) === 0) {
      throw new DomainError(`${person.name} is the last active admin and cannot be deactivated. Make someone else an admin first.`);
    }
    const deactivatedAt = new Date();
    await tx.person.update({ where: { id: person.id }, data: { status: PersonStatus.DEACTIVATED, deactivatedAt } });
    // Ending every session in the same transaction: their next request finds no session.
    const { count: sessionsEnded } = await tx.session.deleteMany({ where: { personId: person.id } });
    await appendAudit(tx, {
      actor: personActor(actor),
      action: "person.deactivated",
      target: { type: "person", id: person.id },
      before: { email: person.email, status: person.status },
      after: { email: person.email, status: PersonStatus.DEACTIVATED, deactivatedAt: deactivatedAt.toISOString(), sessionsEnded },
      reason: input.reason,
      requestId: ctx.requestId,
      clientIp: ctx.clientIp,
    });
    return { sessionsEnded };
  });
}

export async function reactivate(db: Db, actor: Actor, input: ReactivateInput, ctx: AuditContext): Promise<void> {
  await db.$transaction(async (tx) => {
    await lockAdminSet(tx);
    const person = await loadPerson(tx, input.personId);
    if (person.status === PersonStatus.ACTIVE) throw new DomainError(`${person.name} is already active.`);
    await tx.person.update({ where: { id: person.id }, data: { status: PersonStatus.ACTIVE, deactivatedAt: null } });
    await appendAudit(tx, {
      actor: personActor(actor),
      action: "person.reactivated",
      target: { type: "person", id: person.id },
      before: { email: person.email, status: person.status, deactivatedAt: person.deactivatedAt?.toISOString() ?? null },
      after: { email: person.email, status: PersonStatus.ACTIVE },
      reason: input.reason,
      requestId: ctx.requestId,
      clientIp: ctx.clientIp,
    });
  });
}
