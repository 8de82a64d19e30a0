import "server-only";
import { can, type Permission } from "@/lib/auth/access";
import { AuthenticationError, AuthorizationError } from "@/lib/auth/errors";
import type { Actor } from "@/lib/auth/session";

/** Every read of synced PagerDuty data passes here: Admins and Auditors; Members never see others' access. */
export function requirePermission(actor: Actor | null, permission: Permission = "pagerduty.read"): Actor {
  if (!actor) throw new AuthenticationError();
  if (!can(actor, permission)) throw new AuthorizationError("You don't have access to the synced PagerDuty data.");
  return actor;
}

/** Ids as PagerDuty and the portal issue them; anything else is not looked up. */
export const isSafeId = (id: unknown): id is string => typeof id === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(id);
