import { randomBytes } from "node:crypto";
import type { Db } from "@/lib/db";
import { PersonStatus, PortalRole } from "@/lib/generated/prisma/client";
import { sessionCookieName } from "@/lib/auth/cookies";
import { request } from "./request";

let counter = 0;

/** A person with the given roles (MEMBER always added). */
export async function createPerson(db: Db, opts: { roles?: PortalRole[]; status?: PersonStatus; name?: string } = {}) {
  counter++;
  const roles = [...new Set([...(opts.roles ?? []), PortalRole.MEMBER])];
  const tag = `${Date.now().toString(36)}${counter}`;
  return db.person.create({
    data: {
      email: `p${tag}@example.com`,
      name: opts.name ?? `Person ${tag}`,
      roles,
      status: opts.status ?? PersonStatus.ACTIVE,
      deactivatedAt: opts.status === PersonStatus.DEACTIVATED ? new Date() : null,
    },
  });
}

/** A real Session row for the person, its token put in this request's cookie (as the browser would). */
export async function signInAs(db: Db, personId: string, expires = new Date(Date.now() + 3600_000)) {
  const sessionToken = randomBytes(32).toString("base64url");
  await db.session.create({ data: { sessionToken, personId, expires } });
  request.cookies.set(sessionCookieName(), sessionToken);
  return sessionToken;
}

/**
 * Everything an action could write: people (roles, status), sessions, identity links, the audit head.
 * Equal fingerprints before and after a call mean nothing was written.
 */
export async function fingerprint(db: Db) {
  const [people, sessions, accounts, head, events, jobs] = await Promise.all([
    db.person.findMany({ orderBy: { id: "asc" }, select: { id: true, email: true, name: true, roles: true, status: true, deactivatedAt: true, updatedAt: true } }),
    db.session.findMany({ orderBy: { sessionToken: "asc" }, select: { sessionToken: true, personId: true, expires: true } }),
    db.identityAccount.count(),
    db.auditHead.findUnique({ where: { id: 1 } }),
    db.auditEvent.count(),
    db.job.count(),
  ]);
  return JSON.stringify({ people, sessions, accounts, head: head ? { seq: String(head.seq), hash: head.hash } : null, events, jobs });
}
