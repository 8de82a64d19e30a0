import "server-only";
import { cache } from "react";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { getDb } from "@/lib/db";
import { PersonStatus, type PortalRole } from "@/lib/generated/prisma/client";
import { sessionCookieName } from "./cookies";

/** The signed-in person, as every authorization decision sees them. */
export type Actor = { personId: string; email: string; name: string; roles: PortalRole[] };

/** A session token as next-auth and demo sign-in issue them; anything else is not looked up. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,256}$/;

/** Reads the session cookie of the current request (null outside a request). */
export async function currentSessionToken(): Promise<string | null> {
  let value: string | undefined;
  try {
    value = (await cookies()).get(sessionCookieName())?.value;
  } catch {
    return null; // not inside a request
  }
  return value && TOKEN_SHAPE.test(value) ? value : null;
}

/**
 * Resolves a session token to an Actor, failing closed: no row, an expired row, or a person who is not
 * ACTIVE all give null. Runs against the database on every request, so ending a session (sign-out,
 * deactivation) takes effect on the very next request.
 */
export async function actorForSessionToken(token: string, now: Date = new Date()): Promise<Actor | null> {
  const db = await getDb();
  const session = await db.session.findUnique({
    where: { sessionToken: token },
    select: { expires: true, person: { select: { id: true, email: true, name: true, status: true, roles: true } } },
  });
  if (!session || session.expires.getTime() <= now.getTime()) return null;
  const p = session.person;
  if (p.status !== PersonStatus.ACTIVE) return null;
  return { personId: p.id, email: p.email, name: p.name, roles: [...p.roles] };
}

/** The signed-in person for this request, or null. Cached for the duration of one request. */
export const getActor: () => Promise<Actor | null> = cache(async () => {
  const token = await currentSessionToken();
  return token ? actorForSessionToken(token) : null;
});

/** For pages: the signed-in person, or a redirect to the sign-in page. */
export async function requireActor(): Promise<Actor> {
  const actor = await getActor();
  if (!actor) redirect("/signin");
  return actor;
}
