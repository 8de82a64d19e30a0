import "server-only";
import { randomBytes } from "node:crypto";
import { appendAudit } from "@/lib/audit";
import { env } from "@/lib/config/env";
import type { Db } from "@/lib/db";
import { PersonStatus } from "@/lib/generated/prisma/client";
import { DEMO_PEOPLE, seedDemoPeople } from "@/lib/demo/people";
import { SESSION_MAX_AGE_SECONDS } from "./cookies";
import { DomainError, NotFoundError } from "./errors";
import type { AuditRequestContext as RequestContext } from "@/lib/audit/context";

export const DEMO_DISABLED = "Demo sign-in is disabled: this portal is not running in demo mode.";
export const NOT_A_DEMO_PERSON = "That is not one of the demo people. Reload the sign-in page and pick someone from the list.";
const DEMO_EMAILS = DEMO_PEOPLE.map((p) => p.email);

/**
 * Demo sign-in creates the Session row itself: next-auth v4 refuses database sessions for its
 * Credentials provider, and the portal needs database sessions (ending one takes effect at once).
 * See docs/decisions/0003-demo-sign-in.md.
 */
export async function createDemoSession(
  db: Db,
  personId: string,
  ctx: RequestContext & { previousSessionToken: string | null },
): Promise<{ sessionToken: string; expires: Date }> {
  if (!env().demoMode) throw new DomainError(DEMO_DISABLED);
  return db.$transaction(async (tx) => {
    // Only the seeded demo people: demo sign-in has no password, so it must never open anyone else's
    // account (a person who signed in through OIDC, or one an admin created). Unknown and non-demo ids
    // get the same answer, so the refusal tells nothing about who exists.
    const person = await tx.person.findFirst({ where: { id: personId, email: { in: DEMO_EMAILS } }, select: { id: true, email: true, status: true } });
    if (!person) throw new NotFoundError(NOT_A_DEMO_PERSON);
    if (person.status !== PersonStatus.ACTIVE) throw new DomainError("Your portal access has been deactivated; contact an administrator.");
    // Switching person on this browser ends the previous session rather than leaving it behind.
    if (ctx.previousSessionToken) {
      const previous = await tx.session.findUnique({ where: { sessionToken: ctx.previousSessionToken }, include: { person: { select: { email: true } } } });
      if (previous) {
        await tx.session.delete({ where: { id: previous.id } });
        await appendAudit(tx, {
          actor: { type: "person", id: previous.personId, label: previous.person.email },
          action: "auth.sign_out",
          target: { type: "person", id: previous.personId },
          after: { method: "demo", reason: "signed in as someone else on the same browser" },
          requestId: ctx.requestId,
          clientIp: ctx.clientIp,
        });
      }
    }
    // Same token strength and lifetime as next-auth's own database sessions.
    const sessionToken = randomBytes(32).toString("base64url");
    const expires = new Date(Date.now() + SESSION_MAX_AGE_SECONDS * 1000);
    await tx.session.create({ data: { sessionToken, personId: person.id, expires } });
    await appendAudit(tx, {
      actor: { type: "person", id: person.id, label: person.email },
      action: "auth.sign_in",
      target: { type: "person", id: person.id },
      after: { method: "demo" },
      requestId: ctx.requestId,
      clientIp: ctx.clientIp,
    });
    return { sessionToken, expires };
  });
}

/** Demo people for the sign-in page (seeded once per process, in demo mode only). */
export async function listDemoPeople(db: Db) {
  if (!env().demoMode) return [];
  await ensureDemoPeople(db);
  return db.person.findMany({
    where: { email: { in: DEMO_EMAILS } },
    select: { id: true, email: true, name: true, roles: true, status: true },
    orderBy: { name: "asc" },
  });
}

const g = globalThis as unknown as { __portalDemoSeeded?: WeakMap<Db, Promise<number>> };

/** seedDemoPeople once per database per process; a failed attempt is retried on the next call. */
export function ensureDemoPeople(db: Db): Promise<number> {
  g.__portalDemoSeeded ??= new WeakMap();
  let done = g.__portalDemoSeeded.get(db);
  if (!done) {
    done = seedDemoPeople(db).catch((error: unknown) => {
      g.__portalDemoSeeded?.delete(db);
      throw error;
    });
    g.__portalDemoSeeded.set(db, done);
  }
  return done;
}
