import { can, type Permission } from "@/lib/auth/access";
import { AuthenticationError, AuthorizationError, DomainError } from "@/lib/auth/errors";
import type { Actor } from "@/lib/auth/session";
import type { AuditActor } from "@/lib/audit";

/** A refusal of just-in-time access: said to the person, nothing written (the transaction rolls back). */
export class AccessRefused extends DomainError {
  constructor(message: string, fieldErrors?: Record<string, string[]>) {
    super(message, fieldErrors);
    this.name = "AccessRefused";
  }
}

export function requireActor(actor: Actor | null, permission: Permission, target?: unknown): Actor {
  if (!actor) throw new AuthenticationError();
  if (!can(actor, permission, target)) throw new AuthorizationError();
  return actor;
}

export const personActor = (a: Actor): AuditActor => ({ type: "person", id: a.personId, label: `${a.name} <${a.email}>` });
export const actorLabel = (a: Actor): string => `${a.name} <${a.email}>`;
